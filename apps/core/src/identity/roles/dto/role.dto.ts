import { OmitType } from '@nestjs/swagger';
import { PageQueryDto } from '@plystra/http';
import { Allow, IsIn } from 'class-validator';
import { IsEntityId, IsGovernedJson, IsKey, IsName, IsText, Optional, OptionalNullable } from '../../management/dto-rules';

const ROLE_STATUSES = ['active', 'disabled'];

export class RoleCreateDto {
  @Optional()
  @IsEntityId()
  id?: string;

  /** Unique in the space and immutable: `finance_approver`. */
  @IsKey()
  key: string;

  @Optional()
  @IsName()
  name?: string;

  @OptionalNullable()
  @IsText(2000)
  description?: string | null;

  @Optional()
  @IsIn(ROLE_STATUSES)
  status?: string;

  @Optional()
  @IsGovernedJson()
  metadata?: Record<string, unknown>;
}

/** `key` is accepted here only to be refused with a clear message: it is immutable. */
export class RolePatchDto extends OmitType(RoleCreateDto, ['id', 'key'] as const) {
  @Allow()
  key?: unknown;
}

export class RoleListQueryDto extends PageQueryDto {
  @Optional()
  @IsIn(ROLE_STATUSES)
  status?: string;

  @Optional()
  @IsKey()
  key?: string;
}
