import { Injectable } from '@nestjs/common';
import { ApiError } from '@plystra/http';
import { type AvailableMember, type SessionRow, availableMembers } from '@plystra/session';
import { DataSource } from 'typeorm';
import type { Principal } from '../access/principal';
import { type ActorIds, inlineActor, isPureInline, requireActorIds } from './context-mode';
import type { AuthzActorDto, AuthzRequestDto } from './dto/authz-request.dto';
import type { ActorSnapshot } from './engine/decision.types';

export interface ResolvedActor {
  ids: ActorIds;
  /** The actor described inline (pure Context Mode); null when it is read from the database. */
  inline: ActorSnapshot | null;
}

const NOT_YOURS = 'A session can only check as one of its own active member bindings.';

function isEmpty(actor: AuthzActorDto | undefined | null): actor is undefined | null {
  return !actor || Object.values(actor).every((v) => v === undefined);
}

/**
 * Who a check is about (reference §3.1 step 5). An API key names the actor (and may describe it
 * inline); a session acts only as one of its own usable bindings: the active one by default.
 */
@Injectable()
export class AuthzActorResolver {
  constructor(private readonly dataSource: DataSource) {}

  async resolve(dto: AuthzRequestDto, principal: Principal): Promise<ResolvedActor> {
    return principal.type === 'api_key' ? this.forApiKey(dto) : { ids: await this.forSession(dto.actor, principal.session), inline: null };
  }

  private forApiKey(dto: AuthzRequestDto): ResolvedActor {
    const actor = dto.actor;
    if (isEmpty(actor)) throw ApiError.validation('actor is required when the caller is an API key.', [{ field: 'actor', message: 'actor is required for API-key callers' }]);
    if (isPureInline(dto)) {
      const snapshot = inlineActor(actor);
      return { ids: { user_id: snapshot.user.id, member_id: snapshot.member.id, user_member_id: snapshot.user_member.id, space_id: snapshot.space.id }, inline: snapshot };
    }
    return { ids: requireActorIds(actor), inline: null };
  }

  private async forSession(actor: AuthzActorDto | undefined | null, session: SessionRow): Promise<ActorIds> {
    const members = await availableMembers(this.dataSource, session.user_id);
    let chosen: AvailableMember | undefined;
    if (isEmpty(actor)) {
      chosen = members.find((m) => m.user_member_id === session.active_user_member_id) ?? members[0];
    } else {
      chosen = members.find(
        (m) =>
          (!actor.user_id || m.user_id === actor.user_id) &&
          (!actor.member_id || m.member_id === actor.member_id) &&
          (!actor.user_member_id || m.user_member_id === actor.user_member_id) &&
          (!actor.binding_id || m.user_member_id === actor.binding_id) &&
          (!actor.space_id || m.space_id === actor.space_id),
      );
    }
    if (!chosen) throw ApiError.of('ACTIVE_MEMBER_REQUIRED', NOT_YOURS);
    return { user_id: chosen.user_id, member_id: chosen.member_id, user_member_id: chosen.user_member_id, space_id: chosen.space_id };
  }
}
