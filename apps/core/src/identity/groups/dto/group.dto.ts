import { OmitType } from '@nestjs/swagger';
import { PageQueryDto } from '@plystra/http';
import { Allow, IsIn, IsInt, IsString, Matches, Max, MaxLength, Min } from 'class-validator';
import { IsEntityId, IsGovernedJson, IsName, IsText, Optional, OptionalNullable } from '../../management/dto-rules';

export const GROUP_PATH = /^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)*$/;
const GROUP_STATUSES = ['active', 'disabled'];
const SORT_LIMIT = 1_000_000_000;

export class GroupCreateDto {
  @Optional()
  @IsEntityId()
  id?: string;

  /** `finance.apac`: lower-case segments joined by dots; immutable after create. */
  @IsString()
  @MaxLength(512)
  @Matches(GROUP_PATH, { message: 'path must be dot-separated segments of lower-case letters, digits and _, each starting with a letter' })
  path: string;

  @OptionalNullable()
  @IsEntityId()
  parent_group_id?: string | null;

  /** Alias of parent_group_id. */
  @OptionalNullable()
  @IsEntityId()
  parent_id?: string | null;

  @Optional()
  @IsName()
  name?: string;

  @OptionalNullable()
  @IsText(200)
  display_name?: string | null;

  @Optional()
  @IsInt()
  @Min(-SORT_LIMIT)
  @Max(SORT_LIMIT)
  sort_order?: number;

  @Optional()
  @IsIn(GROUP_STATUSES)
  status?: string;

  @Optional()
  @IsGovernedJson()
  metadata?: Record<string, unknown>;
}

/** `path` and the parent are accepted here only to be refused with a clear message: they are immutable. */
export class GroupPatchDto extends OmitType(GroupCreateDto, ['id', 'path', 'parent_group_id', 'parent_id'] as const) {
  @Allow()
  path?: unknown;

  @Allow()
  parent_group_id?: unknown;

  @Allow()
  parent_id?: unknown;
}

export class GroupListQueryDto extends PageQueryDto {
  @Optional()
  @IsIn(GROUP_STATUSES)
  status?: string;

  @Optional()
  @IsEntityId()
  parent_group_id?: string;
}
