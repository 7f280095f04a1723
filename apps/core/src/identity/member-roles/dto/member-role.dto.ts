import { PageQueryDto } from '@plystra/http';
import { IsIn } from 'class-validator';
import { IsEntityId, IsGovernedJson, Optional, OptionalNullable } from '../../management/dto-rules';

const GRANT_STATUSES = ['active', 'revoked'];

/** A role grant: member, role and anchor group all in the route's space. */
export class MemberRoleCreateDto {
  @Optional()
  @IsEntityId()
  id?: string;

  @IsEntityId()
  member_id: string;

  @IsEntityId()
  role_id: string;

  @OptionalNullable()
  @IsEntityId()
  scope_anchor_group_id?: string | null;

  @Optional()
  @IsIn(GRANT_STATUSES)
  status?: string;

  @Optional()
  @IsGovernedJson()
  metadata?: Record<string, unknown>;
}

export class MemberRoleListQueryDto extends PageQueryDto {
  @Optional()
  @IsEntityId()
  member_id?: string;

  @Optional()
  @IsEntityId()
  role_id?: string;

  @Optional()
  @IsIn(GRANT_STATUSES)
  status?: string;
}
