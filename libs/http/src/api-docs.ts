import type { INestApplication } from '@nestjs/common';
import { HTTP_CODE_METADATA, METHOD_METADATA } from '@nestjs/common/constants';
import { RequestMethod } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiProperty, type ApiPropertyOptions, ApiSecurity, DocumentBuilder, type OpenAPIObject, SwaggerModule } from '@nestjs/swagger';
import { defaultMetadataStorage } from 'class-transformer/cjs/storage';
import { getMetadataStorage } from 'class-validator';
import { ErrorCodes } from './api-error';
import { RAW_RESPONSE } from './envelope.interceptor';
import { SECURITY_HEADERS } from './edge.middleware';
import { acceptOrCreateRequestId } from './request-id';

/** Security scheme names used in every service's OpenAPI document. */
export const BEARER_SCHEME = 'bearer';
export const API_KEY_SCHEME = 'api-key';
export const API_KEY_HEADER = 'X-Plystra-API-Key';
export const METRICS_TOKEN_SCHEME = 'metrics-token';
const ERROR_SCHEMA = 'ErrorEnvelope';
const DATA_SCHEMA = 'DataEnvelope';
/** @nestjs/swagger's metadata key for `@ApiResponse` (its constants are not exported). */
const DECORATORS = { API_RESPONSE: 'swagger/apiResponse' } as const;

/** A documented error: a catalogue code, an entity code (`USER_NOT_FOUND`, `ROLE_CONFLICT`) or a bare status. */
export type ApiErrorRef = number | keyof typeof ErrorCodes | `${string}_NOT_FOUND` | `${string}_CONFLICT` | readonly [number, string];

function statusOf(ref: ApiErrorRef): [number, string | null] {
  if (typeof ref === 'number') return [ref, null];
  if (Array.isArray(ref)) return [ref[0], ref[1]];
  const code = ref as string;
  if (code in ErrorCodes) return [ErrorCodes[code as keyof typeof ErrorCodes], code];
  if (code.endsWith('_NOT_FOUND')) return [404, code];
  if (code.endsWith('_CONFLICT')) return [409, code];
  throw new Error(`ApiErrors: unknown error code ${code}`);
}

interface ResponseMeta {
  description?: string;
  schema?: unknown;
  [key: string]: unknown;
}

/**
 * Documents error answers (the shared error envelope) with their codes, grouped by status. Merges
 * with what the same method (or class) already declares, so `@RequirePermission`'s 401/403 and a
 * route's own codes add up.
 */
export function ApiErrors(...refs: ApiErrorRef[]): ClassDecorator & MethodDecorator {
  return (target: object, _key?: string | symbol, descriptor?: PropertyDescriptor) => {
    const holder = descriptor ? (descriptor.value as object) : target;
    const responses: Record<string, ResponseMeta> = { ...(Reflect.getMetadata(DECORATORS.API_RESPONSE, holder) ?? {}) };
    for (const ref of refs) {
      const [status, code] = statusOf(ref);
      const existing = responses[status];
      const codes = new Set((existing?.description ?? '').split(', ').filter(Boolean));
      if (code) codes.add(code);
      responses[status] = {
        description: [...codes].sort().join(', ') || `HTTP ${status}`,
        schema: { $ref: `#/components/schemas/${ERROR_SCHEMA}` },
      };
    }
    Reflect.defineMetadata(DECORATORS.API_RESPONSE, responses, holder);
  };
}

/**
 * One route's documentation: its summary, its success status (read from the route's own method
 * and `@HttpCode`, so put this decorator above them) and its error codes.
 */
export function ApiEndpoint(summary: string, ...errors: ApiErrorRef[]): MethodDecorator {
  return (target, key, descriptor) => {
    const handler = descriptor.value as unknown as object;
    const method = Reflect.getMetadata(METHOD_METADATA, handler) as RequestMethod | undefined;
    if (method === undefined) throw new Error(`@ApiEndpoint on ${String(key)} must sit above the route decorator (@Get, @Post…)`);
    const status = (Reflect.getMetadata(HTTP_CODE_METADATA, handler) as number | undefined) ?? (method === RequestMethod.POST ? 201 : 200);
    ApiOperation({ summary })(target, key, descriptor);
    const responses: Record<string, ResponseMeta> = { ...(Reflect.getMetadata(DECORATORS.API_RESPONSE, handler) ?? {}) };
    // Method-level @RawResponse() (put it below this decorator): the body is the handler's own, not the envelope.
    const raw = Reflect.getMetadata(RAW_RESPONSE, handler) === true;
    responses[status] ??= status === 204 || raw
      ? { description: status === 204 ? 'No content' : 'Success' }
      : { description: 'Success', schema: { $ref: `#/components/schemas/${DATA_SCHEMA}` } };
    Reflect.defineMetadata(DECORATORS.API_RESPONSE, responses, handler);
    if (errors.length) ApiErrors(...errors)(target, key, descriptor);
  };
}

/** The credentials a route accepts, as OpenAPI security requirements (any one of them). */
export function ApiCredentials(...schemes: Array<typeof BEARER_SCHEME | typeof API_KEY_SCHEME | typeof METRICS_TOKEN_SCHEME>): ClassDecorator & MethodDecorator {
  return (target: object, key?: string | symbol, descriptor?: PropertyDescriptor) => {
    for (const scheme of schemes) {
      const decorator = scheme === BEARER_SCHEME ? ApiBearerAuth(BEARER_SCHEME) : ApiSecurity(scheme);
      if (descriptor) decorator(target, key!, descriptor);
      else (decorator as ClassDecorator)(target as never);
    }
  };
}

interface ValidationRule {
  target: unknown;
  propertyName: string;
  type: string;
  name?: string;
  constraints?: unknown[];
}

const SWAGGER_PROPERTY = 'swagger/apiModelProperties';
const described = new WeakSet<object>();
let validated = new Set<unknown>();

function depth(target: object): number {
  let n = 0;
  for (let p = Object.getPrototypeOf(target); p && p !== Function.prototype; p = Object.getPrototypeOf(p)) n++;
  return n;
}

/** A property's schema from its class-validator rules (the swagger CLI plugin does not run under SWC). */
function propertySchema(target: { prototype: object }, property: string, rules: ValidationRule[]): ApiPropertyOptions {
  const named = (name: string) => rules.find((r) => r.name === name);
  const designType = Reflect.getMetadata('design:type', target.prototype, property) as unknown;
  // A nested DTO (`@ValidateNested() @Type(() => X)`): its own schema, or an array of it.
  const nested = defaultMetadataStorage.findTypeMetadata(target as never, property)?.typeFunction() as unknown;
  const options: Record<string, unknown> = { required: !rules.some((r) => r.type === 'conditionalValidation') };
  const isIn = named('isIn');
  if (isIn && Array.isArray(isIn.constraints?.[0])) options.enum = isIn.constraints[0];
  if (named('isInt')) options.type = 'integer';
  else if (named('isNumber') || named('isNumberString')) options.type = 'number';
  else if (named('isBoolean')) options.type = 'boolean';
  else if (named('isString') || named('isEmail') || named('isUUID') || named('matches') || named('isDateString') || named('isISO8601') || isIn) options.type = 'string';
  else if (typeof nested === 'function' && validated.has(nested)) Object.assign(options, { type: nested, isArray: designType === Array || !!named('isArray') });
  else if (designType === Array || named('isArray')) Object.assign(options, { type: 'array', items: {} });
  else if (designType === String || designType === Number || designType === Boolean) options.type = designType;
  else options.type = 'object';
  if (named('isEmail')) options.format = 'email';
  if (named('isUUID')) options.format = 'uuid';
  if (named('isDateString') || named('isISO8601')) options.format = 'date-time';
  const num = (name: string) => (typeof named(name)?.constraints?.[0] === 'number' ? (named(name)!.constraints![0] as number) : undefined);
  if (num('maxLength') !== undefined) options.maxLength = num('maxLength');
  if (num('minLength') !== undefined) options.minLength = num('minLength');
  if (num('min') !== undefined) options.minimum = num('min');
  if (num('max') !== undefined) options.maximum = num('max');
  if (num('arrayMaxSize') !== undefined) options.maxItems = num('arrayMaxSize');
  return options as ApiPropertyOptions;
}

/**
 * Gives every class-validator DTO (bodies and query objects) OpenAPI properties derived from its
 * validation rules, unless a property already has `@ApiProperty`. Parents first, so subclasses
 * inherit their parents' properties as Nest's swagger expects.
 */
export function describeValidatedDtos(): void {
  const storage = getMetadataStorage() as unknown as { validationMetadatas: Map<unknown, ValidationRule[]> };
  const targets = [...storage.validationMetadatas.keys()].filter((t): t is { prototype: object } => typeof t === 'function');
  validated = new Set(targets);
  for (const target of targets.sort((a, b) => depth(a) - depth(b))) {
    if (described.has(target)) continue;
    described.add(target);
    const byProperty = new Map<string, ValidationRule[]>();
    for (const rule of storage.validationMetadatas.get(target) ?? []) {
      if (rule.target !== target || !rule.propertyName) continue;
      byProperty.set(rule.propertyName, [...(byProperty.get(rule.propertyName) ?? []), rule]);
    }
    for (const [property, rules] of byProperty) {
      if (Reflect.hasOwnMetadata(SWAGGER_PROPERTY, target.prototype, property)) continue;
      ApiProperty(propertySchema(target, property, rules))(target.prototype, property);
    }
  }
}

export interface ApiDocumentOptions {
  title: string;
  description: string;
  version?: string;
  /** Security schemes the service accepts. */
  security?: { bearer?: string; apiKey?: boolean; metricsToken?: boolean };
}

/** Builds a service's OpenAPI document from its (created, not necessarily initialised) application. */
export function buildApiDocument(app: INestApplication, options: ApiDocumentOptions): OpenAPIObject {
  const builder = new DocumentBuilder().setTitle(options.title).setDescription(options.description).setVersion(options.version ?? '1');
  if (options.security?.bearer) builder.addBearerAuth({ type: 'http', scheme: 'bearer', description: options.security.bearer }, BEARER_SCHEME);
  if (options.security?.apiKey) builder.addApiKey({ type: 'apiKey', in: 'header', name: API_KEY_HEADER, description: 'An API key.' }, API_KEY_SCHEME);
  if (options.security?.metricsToken) {
    builder.addApiKey({ type: 'apiKey', in: 'header', name: 'X-Plystra-Metrics-Token', description: 'The metrics token (PLYSTRA_METRICS_TOKEN).' }, METRICS_TOKEN_SCHEME);
  }
  describeValidatedDtos();
  const document = SwaggerModule.createDocument(app, builder.build(), {
    operationIdFactory: (controller, method) => `${controller.replace(/Controller$/, '')}_${method}`,
  });
  document.components ??= {};
  document.components.schemas = {
    ...document.components.schemas,
    [DATA_SCHEMA]: {
      type: 'object',
      required: ['data', 'request_id', 'meta'],
      properties: {
        data: { nullable: true, description: 'The answer: an object, or the items of a list.' },
        request_id: { type: 'string' },
        meta: { type: 'object', properties: { request_id: { type: 'string' } } },
        pagination: {
          type: 'object',
          description: 'Lists only: keyset pagination (pass `cursor` back to get the next page).',
          properties: { limit: { type: 'integer' }, cursor: { type: 'string', nullable: true }, has_more: { type: 'boolean' } },
        },
      },
    },
    [ERROR_SCHEMA]: {
      type: 'object',
      required: ['error', 'request_id'],
      properties: {
        error: {
          type: 'object',
          required: ['code', 'message'],
          properties: {
            code: { type: 'string', description: 'Stable error code (also in the X-Plystra-Error-Code header).' },
            message: { type: 'string' },
            details: { nullable: true, description: 'Field problems or other structured detail.' },
            request_id: { type: 'string' },
          },
        },
        request_id: { type: 'string' },
      },
    },
  };
  return document;
}

/**
 * Serves the document at `/docs` (UI), `/docs/openapi.json` and `/docs/openapi.yaml`; call before
 * `app.init()`. A factory is run on the first request only, so start-up pays nothing for it.
 */
export function mountApiDocs(app: INestApplication, document: OpenAPIObject | (() => OpenAPIObject)): void {
  // Swagger's routes sit in front of the edge middleware: give their answers the same security headers and request id.
  app.use('/docs', (req: { headers: Record<string, unknown> }, res: { setHeader(name: string, value: string): void }, next: () => void) => {
    for (const [name, value] of Object.entries(SECURITY_HEADERS)) res.setHeader(name, value);
    res.setHeader('X-Request-ID', acceptOrCreateRequestId(req.headers['x-request-id']));
    next();
  });
  SwaggerModule.setup('docs', app, document, { jsonDocumentUrl: 'docs/openapi.json', yamlDocumentUrl: 'docs/openapi.yaml' });
}
