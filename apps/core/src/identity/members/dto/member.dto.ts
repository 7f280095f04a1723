import { OmitType } from '@nestjs/swagger';
import { PageQueryDto } from '@plystra/http';
import { IsIn, IsString, Matches } from 'class-validator';
import { IsEntityId, IsGovernedJson, IsName, Optional } from '../../management/dto-rules';

const MEMBER_STATUSES = ['active', 'disabled'];
/** `human`, `service`, `agent`…: a short lower-case word. */
const MEMBER_TYPE = /^[a-z][a-z0-9_]{0,63}$/;
const MEMBER_TYPE_MESSAGE = 'member_type must be a lower-case word (letters, digits, _)';

export class MemberCreateDto {
  @Optional()
  @IsEntityId()
  id?: string;

  @IsName()
  display_name: string;

  @Optional()
  @IsString()
  @Matches(MEMBER_TYPE, { message: MEMBER_TYPE_MESSAGE })
  member_type?: string;

  @Optional()
  @IsIn(MEMBER_STATUSES)
  status?: string;

  @Optional()
  @IsGovernedJson()
  metadata?: Record<string, unknown>;
}

export class MemberPatchDto extends OmitType(MemberCreateDto, ['id', 'display_name'] as const) {
  @Optional()
  @IsName()
  display_name?: string;
}

export class MemberListQueryDto extends PageQueryDto {
  @Optional()
  @IsIn(MEMBER_STATUSES)
  status?: string;

  @Optional()
  @IsString()
  @Matches(MEMBER_TYPE, { message: MEMBER_TYPE_MESSAGE })
  member_type?: string;
}
