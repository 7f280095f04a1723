import type { INestApplication } from '@nestjs/common';
import { HTTP_CODE_METADATA, METHOD_METADATA } from '@nestjs/common/constants';
import { RequestMethod } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiSecurity, DocumentBuilder, type OpenAPIObject, SwaggerModule } from '@nestjs/swagger';
import { ErrorCodes } from './api-error';

/** Security scheme names used in every service's OpenAPI document. */
export const BEARER_SCHEME = 'bearer';
export const API_KEY_SCHEME = 'api-key';
export const API_KEY_HEADER = 'X-Plystra-API-Key';
const ERROR_SCHEMA = 'ErrorEnvelope';
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
 * with what is already declared, so a class-level and a method-level declaration add up.
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
    responses[status] ??= { description: status === 204 ? 'No content' : 'Success' };
    Reflect.defineMetadata(DECORATORS.API_RESPONSE, responses, handler);
    if (errors.length) ApiErrors(...errors)(target, key, descriptor);
  };
}

/** The credentials a route accepts, as OpenAPI security requirements (any one of them). */
export function ApiCredentials(...schemes: Array<typeof BEARER_SCHEME | typeof API_KEY_SCHEME>): ClassDecorator & MethodDecorator {
  return (target: object, key?: string | symbol, descriptor?: PropertyDescriptor) => {
    for (const scheme of schemes) {
      const decorator = scheme === BEARER_SCHEME ? ApiBearerAuth(BEARER_SCHEME) : ApiSecurity(scheme);
      if (descriptor) decorator(target, key!, descriptor);
      else (decorator as ClassDecorator)(target as never);
    }
  };
}

export interface ApiDocumentOptions {
  title: string;
  description: string;
  version?: string;
  /** Security schemes the service accepts. */
  security?: { bearer?: string; apiKey?: boolean };
}

/** Builds a service's OpenAPI document from its (created, not necessarily initialised) application. */
export function buildApiDocument(app: INestApplication, options: ApiDocumentOptions): OpenAPIObject {
  const builder = new DocumentBuilder().setTitle(options.title).setDescription(options.description).setVersion(options.version ?? '1');
  if (options.security?.bearer) builder.addBearerAuth({ type: 'http', scheme: 'bearer', description: options.security.bearer }, BEARER_SCHEME);
  if (options.security?.apiKey) builder.addApiKey({ type: 'apiKey', in: 'header', name: API_KEY_HEADER, description: 'An API key.' }, API_KEY_SCHEME);
  const document = SwaggerModule.createDocument(app, builder.build(), {
    operationIdFactory: (controller, method) => `${controller.replace(/Controller$/, '')}_${method}`,
  });
  document.components ??= {};
  document.components.schemas = {
    ...document.components.schemas,
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
  SwaggerModule.setup('docs', app, document, { jsonDocumentUrl: 'docs/openapi.json', yamlDocumentUrl: 'docs/openapi.yaml' });
}
