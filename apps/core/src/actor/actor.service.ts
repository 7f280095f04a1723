import { Injectable } from '@nestjs/common';
import { ApiError } from '@plystra/http';
import { type AvailableMember, SessionService, type SessionRow, actorOf, availableMembers } from '@plystra/session';
import { DataSource } from 'typeorm';
import type { SwitchMemberDto } from './dto/switch-member.dto';

const NO_MEMBER = 'No active member binding matches; the account cannot act here.';

@Injectable()
export class ActorService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly sessions: SessionService,
  ) {}

  /** The session's actor if that binding is still usable, otherwise the first usable one. */
  async context(session: SessionRow) {
    const members = await availableMembers(this.dataSource, session.user_id);
    const current = members.find((m) => m.user_member_id === session.active_user_member_id) ?? members[0];
    if (!current) throw ApiError.of('ACTIVE_MEMBER_REQUIRED', NO_MEMBER);
    return { session_id: session.id, actor: actorOf(current), available_members: members, expires_at: new Date(session.expires_at).toISOString() };
  }

  async switchMember(session: SessionRow, dto: SwitchMemberDto) {
    if (!dto.member_id && !dto.user_member_id) throw ApiError.validation('member_id or user_member_id is required.', [{ field: 'member_id', message: 'member_id or user_member_id is required' }]);
    const members = await availableMembers(this.dataSource, session.user_id);
    const target = members.find((m: AvailableMember) => (!dto.member_id || m.member_id === dto.member_id) && (!dto.user_member_id || m.user_member_id === dto.user_member_id));
    if (!target) throw ApiError.of('ACTIVE_MEMBER_REQUIRED', NO_MEMBER);
    const actor = actorOf(target);
    await this.sessions.setActor(session.id, actor);
    return { actor, available_members: members };
  }
}
