/**
 * `@plystra/sdk/nest`: one Plystra check before the business mutation, as a NestJS guard.
 *
 * ```ts
 * @Module({ imports: [PlystraGuardModule.forRoot({ client, actor: (req) => req.user?.plystraActor })] })
 * export class AppModule {}
 *
 * @Post('invoices/:id/approve')
 * @UseGuards(PlystraGuard)
 * @RequirePlystraPermission('invoice', 'approve', (req) => req.params.id)
 * approve(@Param('id') id: string) { … }   // runs only after Core answered allow
 * ```
 *
 * On deny the handler does not run: the answer is 403 with
 * `{"error":{"code":"AUTHORIZATION_DENIED","message","deny_code","trace_id","audit_log_id"}}` and
 * the headers `X-Plystra-Trace-ID` and `X-Plystra-Audit-Log-ID`. When Core cannot answer the
 * guard fails closed (503 `AUTHORIZATION_UNAVAILABLE`; 404 when Core does not know the resource).
 *
 * Only `@nestjs/common` is needed (an optional peer of the SDK); the decorator keeps its rule in
 * a WeakMap, so no Reflector is involved. Its metadata is also set under
 * `PLYSTRA_PERMISSION_METADATA` for code that prefers `Reflector`.
 */
import {
  type CanActivate, type DynamicModule, type ExecutionContext, ForbiddenException, HttpException, HttpStatus, Inject, Injectable, Module,
  NotFoundException, SetMetadata, UnauthorizedException,
} from '@nestjs/common';
import type { PlystraClient } from './client';
import { PlystraApiError } from './errors';
import type { AuthzActor, AuthzCheckResult, AuthzResourceContext } from './types';

/** Injection token of the guard's options. */
export const PLYSTRA_GUARD_OPTIONS = 'PLYSTRA_GUARD_OPTIONS';
/** Metadata key under which `RequirePlystraPermission` also stores its rule. */
export const PLYSTRA_PERMISSION_METADATA = 'plystra:permission';

type MaybePromise<T> = T | Promise<T>;

export interface PlystraGuardOptions<Req = any> {
  /** A client with an API key holding `authz:check` for the spaces your routes reach. */
  client: PlystraClient;
  /** Who is acting in this request (from your own authentication); null/undefined → 401. */
  actor: (req: Req) => MaybePromise<AuthzActor | null | undefined>;
  /** Pass the incoming `X-Request-ID` to Core, so the audit row carries it. Default true. */
  forwardRequestId?: boolean;
}

export interface PlystraPermissionRule<Req = any> {
  resourceType: string;
  action: string;
  /** The resource's id in Plystra, from the request (`(req) => req.params.id`). */
  resourceId: (req: Req) => MaybePromise<string | null | undefined>;
  /** A proposed target (Context Mode), for creations of resources that are not stored yet. */
  resource?: (req: Req) => MaybePromise<AuthzResourceContext | null | undefined>;
}

/** A request the guard has let through carries its decision here. */
export const PLYSTRA_DECISION = 'plystraDecision';

const rules = new WeakMap<object, PlystraPermissionRule>();

/**
 * Declares the permission a route (or every route of a controller) needs. `resourceId` is a
 * function of the request, or a fixed id.
 */
export function RequirePlystraPermission<Req = any>(
  resourceType: string,
  action: string,
  resourceId: string | ((req: Req) => MaybePromise<string | null | undefined>),
  options: { resource?: PlystraPermissionRule<Req>['resource'] } = {},
): MethodDecorator & ClassDecorator {
  const rule: PlystraPermissionRule<Req> = {
    resourceType,
    action,
    resourceId: typeof resourceId === 'function' ? resourceId : () => resourceId,
    resource: options.resource,
  };
  const metadata = SetMetadata(PLYSTRA_PERMISSION_METADATA, rule);
  return ((target: object, key?: string | symbol, descriptor?: PropertyDescriptor) => {
    if (descriptor) {
      rules.set(descriptor.value as object, rule);
      metadata(target, key!, descriptor);
      return descriptor;
    }
    rules.set(target, rule);
    metadata(target as never);
    return target;
  }) as MethodDecorator & ClassDecorator;
}

/** The rule declared on a handler (or its controller), if any. */
export function plystraRuleOf(handler: object, controller?: object): PlystraPermissionRule | undefined {
  return rules.get(handler) ?? (controller ? rules.get(controller) : undefined);
}

/** The 403 the guard answers on deny; `decision` is Core's answer. */
export class PlystraDeniedException extends ForbiddenException {
  constructor(readonly decision: AuthzCheckResult) {
    super({
      error: {
        code: 'AUTHORIZATION_DENIED',
        message: 'This action is not allowed.',
        deny_code: decision.deny_code,
        trace_id: decision.trace_id,
        audit_log_id: decision.audit_log_id,
      },
    });
  }
}

interface HeaderSink {
  setHeader?: (name: string, value: string) => unknown;
  header?: (name: string, value: string) => unknown;
}

function setHeader(res: HeaderSink | undefined, name: string, value: string | null | undefined): void {
  if (!res || !value) return;
  if (typeof res.setHeader === 'function') res.setHeader(name, value);
  else if (typeof res.header === 'function') res.header(name, value);
}

function incomingRequestId(req: { headers?: Record<string, unknown> } | undefined): string | null {
  const value = req?.headers?.['x-request-id'];
  return typeof value === 'string' && /^[\x21\x23-\x26\x28-\x5b\x5d-\x7e]{1,128}$/.test(value) ? value : null;
}

/**
 * Calls `POST /authz/check` before the handler. Routes without `RequirePlystraPermission` pass
 * through untouched, so the guard can also be registered globally (APP_GUARD).
 */
@Injectable()
export class PlystraGuard implements CanActivate {
  constructor(@Inject(PLYSTRA_GUARD_OPTIONS) private readonly options: PlystraGuardOptions) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const rule = plystraRuleOf(context.getHandler(), context.getClass());
    if (!rule) return true;
    if (context.getType() !== 'http') throw new Error('PlystraGuard protects HTTP routes only.');
    const http = context.switchToHttp();
    const req = http.getRequest();
    const res = http.getResponse<HeaderSink>();

    const actor = await this.options.actor(req);
    if (!actor) throw new UnauthorizedException({ error: { code: 'AUTHENTICATION_REQUIRED', message: 'No actor for this request.' } });
    const resourceId = await rule.resourceId(req);
    const resource = (await rule.resource?.(req)) ?? undefined;
    if (!resourceId && !resource) throw new NotFoundException({ error: { code: 'RESOURCE_NOT_FOUND', message: 'The resource was not found.' } });

    const requestId = this.options.forwardRequestId === false ? null : incomingRequestId(req);
    const client = requestId ? this.options.client.withRequestId(requestId) : this.options.client;
    let decision: AuthzCheckResult;
    try {
      decision = await client.authz.check({ actor, resource_type: rule.resourceType, resource_id: resourceId ?? undefined, action: rule.action, resource });
    } catch (error) {
      throw this.unanswered(error);
    }
    setHeader(res, 'X-Plystra-Trace-ID', decision.trace_id);
    setHeader(res, 'X-Plystra-Audit-Log-ID', decision.audit_log_id);
    if (req && typeof req === 'object') (req as Record<string, unknown>)[PLYSTRA_DECISION] = decision;
    if (decision.allow) return true;
    throw new PlystraDeniedException(decision);
  }

  /** No decision: fail closed. An unknown resource is the app's 404; anything else is 503. */
  private unanswered(error: unknown): HttpException {
    if (error instanceof PlystraApiError && error.code === 'RESOURCE_NOT_FOUND') {
      return new NotFoundException({ error: { code: 'RESOURCE_NOT_FOUND', message: 'The resource was not found.' } });
    }
    const upstream = error instanceof PlystraApiError ? { code: error.code, request_id: error.requestId } : null;
    return new HttpException(
      { error: { code: 'AUTHORIZATION_UNAVAILABLE', message: 'The authorization service could not answer; the action was not performed.', upstream } },
      HttpStatus.SERVICE_UNAVAILABLE,
      { cause: error },
    );
  }
}

/**
 * Provides the guard's options (global by default, so `@UseGuards(PlystraGuard)` works in every
 * module) and the guard itself.
 */
@Module({})
export class PlystraGuardModule {
  static forRoot(options: PlystraGuardOptions & { global?: boolean }): DynamicModule {
    const { global = true, ...guardOptions } = options;
    return {
      module: PlystraGuardModule,
      global,
      providers: [{ provide: PLYSTRA_GUARD_OPTIONS, useValue: guardOptions }, PlystraGuard],
      exports: [PLYSTRA_GUARD_OPTIONS, PlystraGuard],
    };
  }
}
