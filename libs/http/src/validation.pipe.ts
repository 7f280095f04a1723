import { type ArgumentMetadata, HttpException, Injectable, ValidationPipe, type ValidationError } from '@nestjs/common';
import { ApiError, type FieldProblem } from './api-error';

function flatten(errors: ValidationError[], parent = ''): FieldProblem[] {
  const out: FieldProblem[] = [];
  for (const error of errors) {
    const field = parent ? `${parent}.${error.property}` : error.property;
    for (const message of Object.values(error.constraints ?? {})) out.push({ field, message });
    if (error.children?.length) out.push(...flatten(error.children, field));
  }
  return out;
}

/**
 * Strict input: a body must be a JSON object, unknown fields are refused, values are checked and
 * converted to their declared types, and every problem is reported with its field.
 */
@Injectable()
export class StrictValidationPipe extends ValidationPipe {
  constructor() {
    super({
      whitelist: true,
      forbidNonWhitelisted: true,
      forbidUnknownValues: true,
      transform: true,
      transformOptions: { enableImplicitConversion: false },
      validationError: { target: false, value: false },
      exceptionFactory: (errors) => {
        const fields = flatten(errors);
        return ApiError.validation(fields.length ? `Invalid request: ${fields.map((f) => f.field).join(', ')}.` : 'Invalid request.', fields);
      },
    });
  }

  override async transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    if (metadata.type === 'body' && metadata.metatype && this.toValidate(metadata)) {
      if (value === undefined) value = {};
      if (value === null || typeof value !== 'object' || Array.isArray(value)) {
        throw ApiError.validation('The request body must be a JSON object.');
      }
    }
    try {
      return await super.transform(value, metadata);
    } catch (error) {
      if (error instanceof ApiError || error instanceof HttpException) throw error;
      // A validator or the transformer itself failed on this input (validator's isEmail throws
      // URIError on a lone surrogate; class-transformer overflows the stack on deep nesting):
      // the input is what is wrong, so it is a 400 like any other invalid value.
      throw ApiError.validation('Invalid request: a value could not be validated.');
    }
  }
}
