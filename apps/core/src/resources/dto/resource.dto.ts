import { OmitType } from '@nestjs/swagger';
import { PageQueryDto } from '@plystra/http';
import { IsIn, IsString, Matches } from 'class-validator';
import { IsEntityId, IsGovernedJson, IsKey, IsText, Optional, OptionalNullable } from '../../identity/management/dto-rules';

const RESOURCE_STATUSES = ['active', 'archived'];
const VISIBILITY = /^[a-z][a-z0-9_]{0,31}$/;
const VISIBILITY_MESSAGE = 'visibility must be a lower-case word such as private';

export class ResourceCreateDto {
  @Optional()
  @IsEntityId()
  id?: string;

  /** A registered resource type key; generated ids use it as prefix (`invoice_<16 hex>`). */
  @IsKey()
  resource_type: string;

  /** Required on `/resources`; on `/spaces/{id}/resources` it may be left out or must equal the route's space. */
  @Optional()
  @IsEntityId()
  space_id?: string;

  @OptionalNullable()
  @IsText(256)
  external_id?: string | null;

  @OptionalNullable()
  @IsEntityId()
  group_id?: string | null;

  @OptionalNullable()
  @IsEntityId()
  owner_member_id?: string | null;

  @OptionalNullable()
  @IsText(500)
  display_name?: string | null;

  @Optional()
  @IsString()
  @Matches(VISIBILITY, { message: VISIBILITY_MESSAGE })
  visibility?: string;

  @Optional()
  @IsIn(RESOURCE_STATUSES)
  status?: string;

  @Optional()
  @IsGovernedJson()
  metadata?: Record<string, unknown>;
}

/** The type and the space of a resource never change. */
export class ResourcePatchDto extends OmitType(ResourceCreateDto, ['id', 'resource_type', 'space_id'] as const) {}

export class ResourceSpaceListQueryDto extends PageQueryDto {
  @Optional()
  @IsKey()
  resource_type?: string;

  @Optional()
  @IsIn(RESOURCE_STATUSES)
  status?: string;

  @Optional()
  @IsEntityId()
  group_id?: string;

  @Optional()
  @IsEntityId()
  owner_member_id?: string;
}

export class ResourceListQueryDto extends ResourceSpaceListQueryDto {
  @Optional()
  @IsEntityId()
  space_id?: string;
}
