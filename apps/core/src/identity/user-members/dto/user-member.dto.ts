import { OmitType } from '@nestjs/swagger';
import { PageQueryDto } from '@plystra/http';
import { IsBoolean, IsIn, IsISO8601, IsString, Matches } from 'class-validator';
import { IsEntityId, IsGovernedJson, IsText, Optional, OptionalNullable } from '../../management/dto-rules';

const BINDING_STATUSES = ['active', 'revoked'];
/** `self`, `delegate`, `login`, `external`…: a short lower-case word. */
const RELATION_TYPE = /^[a-z][a-z0-9_]{0,63}$/;
const RELATION_MESSAGE = 'relation_type must be a lower-case word (letters, digits, _), such as self, delegate, login or external';
const TIMESTAMP = { strict: true, strictSeparator: true };

export class UserMemberCreateDto {
  @Optional()
  @IsEntityId()
  id?: string;

  @IsEntityId()
  user_id: string;

  @IsEntityId()
  member_id: string;

  @IsString()
  @Matches(RELATION_TYPE, { message: RELATION_MESSAGE })
  relation_type: string;

  @Optional()
  @IsIn(BINDING_STATUSES)
  status?: string;

  @Optional()
  @IsBoolean()
  is_primary?: boolean;

  @OptionalNullable()
  @IsISO8601(TIMESTAMP)
  expires_at?: string | null;

  @OptionalNullable()
  @IsEntityId()
  linked_by_member_id?: string | null;

  @OptionalNullable()
  @IsISO8601(TIMESTAMP)
  linked_at?: string | null;

  @OptionalNullable()
  @IsText(500)
  revoked_reason?: string | null;

  @Optional()
  @IsGovernedJson()
  metadata?: Record<string, unknown>;
}

/** The user and the member of a binding never change. */
export class UserMemberPatchDto extends OmitType(UserMemberCreateDto, ['id', 'user_id', 'member_id', 'relation_type', 'linked_at'] as const) {
  @Optional()
  @IsString()
  @Matches(RELATION_TYPE, { message: RELATION_MESSAGE })
  relation_type?: string;
}

export class UserMemberListQueryDto extends PageQueryDto {
  @Optional()
  @IsEntityId()
  user_id?: string;

  @Optional()
  @IsEntityId()
  member_id?: string;

  @Optional()
  @IsIn(BINDING_STATUSES)
  status?: string;

  @Optional()
  @IsString()
  @Matches(RELATION_TYPE, { message: RELATION_MESSAGE })
  relation_type?: string;
}
