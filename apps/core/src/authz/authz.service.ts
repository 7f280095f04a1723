import { Injectable } from '@nestjs/common';
import { newId } from '@plystra/db';
import { ApiError, type RequestContext } from '@plystra/http';
import { type Principal, confirmedPrincipal } from '../access/principal';
import { auditCaller } from '../audit/mutation-audit';
import { AuthzAccess, touchedScopes } from './authz-access';
import { AuthzActorResolver } from './authz-actor.resolver';
import { AuthzContextRepository, type LoadedContext, storedGroups } from './authz-context.repository';
import { AuthzRegistryCache } from './authz-registry.cache';
import { inlineGrants, inlineGroupRefs, inlineTarget, isPureInline, resourceIsInline, usesInlineContext } from './context-mode';
import { DecisionRecorder } from './decision-recorder.service';
import type { AuthzBatchRequestDto, AuthzRequestDto } from './dto/authz-request.dto';
import { decide } from './engine/authz-engine';
import type { ActorSnapshot, AuthzQuestion, Decision, EngineInput } from './engine/decision.types';

/** The compact answer of `authz/check` (the whole decision is `authz/explain`'s). */
export function checkAnswer(d: Decision) {
  return { allow: d.decision === 'allow', decision: d.decision, deny_code: d.deny_code, reason: d.reason, trace_id: d.trace_id, audit_log_id: d.audit.audit_log_id, audit: d.audit };
}

function targetReference(dto: AuthzRequestDto): { resource_type: string; resource_id: string } {
  const r = dto.resource;
  if (dto.resource_type && r?.type && dto.resource_type !== r.type) {
    throw ApiError.validation('resource.type differs from resource_type.', [{ field: 'resource.type', message: 'must equal resource_type' }]);
  }
  if (dto.resource_id && r?.id && dto.resource_id !== r.id) {
    throw ApiError.validation('resource.id differs from resource_id.', [{ field: 'resource.id', message: 'must equal resource_id' }]);
  }
  const resource_type = dto.resource_type ?? r?.type;
  const resource_id = dto.resource_id ?? r?.id ?? r?.external_id;
  const missing = [!resource_type && 'resource_type', !resource_id && 'resource_id'].filter((f): f is string => !!f);
  if (missing.length) throw ApiError.validation(`${missing.join(' and ')} required.`, missing.map((field) => ({ field, message: `${field} is required` })));
  return { resource_type: resource_type!, resource_id: resource_id! };
}

function storedActor(loaded: LoadedContext, q: AuthzQuestion): ActorSnapshot {
  if (!loaded.user) throw ApiError.notFound('USER', q.user_id);
  if (!loaded.member) throw ApiError.notFound('MEMBER', q.member_id);
  if (!loaded.userMember) throw ApiError.notFound('USER_MEMBER', q.user_member_id);
  if (!loaded.space) throw ApiError.notFound('SPACE', q.space_id);
  return { user: loaded.user, member: loaded.member, user_member: loaded.userMember, space: loaded.space };
}

/**
 * `authz/check`, `authz/explain` and `authz/check-batch`: resolve the actor, read the facts
 * (one query, registry from the in-process cache), assert the caller may check there, decide
 * with the pure engine, record the audit rows, answer.
 */
@Injectable()
export class AuthzService {
  constructor(
    private readonly actors: AuthzActorResolver,
    private readonly repository: AuthzContextRepository,
    private readonly registry: AuthzRegistryCache,
    private readonly access: AuthzAccess,
    private readonly recorder: DecisionRecorder,
  ) {}

  async check(dto: AuthzRequestDto, principal: Principal, ctx: RequestContext) {
    const [decision] = await this.decideAndRecord([dto], principal, ctx);
    return dto.explain ? decision : checkAnswer(decision);
  }

  async explain(dto: AuthzRequestDto, principal: Principal, ctx: RequestContext): Promise<Decision> {
    const [decision] = await this.decideAndRecord([dto], principal, ctx);
    return decision;
  }

  async checkBatch(dto: AuthzBatchRequestDto, principal: Principal, ctx: RequestContext) {
    const decisions = await this.decideAndRecord(dto.checks, principal, ctx);
    return { results: decisions.map((d, i) => (dto.checks[i].explain ? d : checkAnswer(d))) };
  }

  /** Every question is prepared (and may fail) before any is decided or recorded. */
  private async decideAndRecord(dtos: AuthzRequestDto[], principal: Principal, ctx: RequestContext): Promise<Decision[]> {
    const inputs = await Promise.all(dtos.map((dto) => this.prepare(dto, principal, ctx)));
    const decisions = inputs.map(decide);
    await this.recorder.record(decisions);
    return decisions;
  }

  private async prepare(dto: AuthzRequestDto, guarded: Principal, ctx: RequestContext): Promise<EngineInput> {
    if (guarded.type === 'session' && usesInlineContext(dto)) {
      throw ApiError.of('INLINE_CONTEXT_REQUIRES_API_KEY', 'Inline context (a proposed resource, grants or actor metadata) needs an API key.');
    }
    const reference = targetReference(dto);
    const actor = await this.actors.resolve(dto, guarded);
    const question: AuthzQuestion = { ...actor.ids, ...reference, action: dto.action };
    const pure = isPureInline(dto);
    const proposed = resourceIsInline(dto.resource);
    const refs = inlineGroupRefs(dto, question.space_id);
    const [loaded, stored] = await Promise.all([
      this.repository.load(question, { actor: !pure, target: !proposed, candidates: !pure }),
      refs.length ? this.repository.groups(refs) : storedGroups([]),
    ]);
    // Decided only with a credential valid as of the snapshot this check read.
    const principal = await confirmedPrincipal(guarded, loaded.apiKeyVersion);
    const registry = await this.registry.lookup(loaded.registryVersion, question.resource_type, question.action);
    const target = proposed ? inlineTarget(dto.resource!, question, stored) : loaded.target;
    const grants = inlineGrants(dto.grants ?? [], question, stored);
    const candidates = pure ? grants.filter((g) => g.applies).map((g) => g.candidate) : loaded.candidates;

    const actorSpaces = [loaded.member?.space_id, loaded.userMember?.space_id].filter((s): s is string => !!s);
    await this.access.assert(principal, touchedScopes(question.space_id, actorSpaces, target, grants));

    const actorSnapshot = actor.inline ?? storedActor(loaded, question);
    const registered = !!registry.resource_type && !!registry.action;
    if (registered && !target) throw ApiError.notFound('RESOURCE', question.resource_id);
    return {
      traceId: newId('trc'),
      question,
      actor: actorSnapshot,
      registry,
      target: registered ? target : null,
      candidates: registered ? candidates : [],
      request: { request_id: ctx.requestId, ip: ctx.ip ?? null, user_agent: ctx.userAgent, caller: auditCaller(principal) },
      now: new Date(),
    };
  }
}
