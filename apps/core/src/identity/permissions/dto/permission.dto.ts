import { OmitType } from '@nestjs/swagger';
import { PageQueryDto } from '@plystra/http';
import { IsIn } from 'class-validator';
import { IsEntityId, IsGovernedJson, IsKey, IsText, Optional, OptionalNullable } from '../../management/dto-rules';

export const PERMISSION_SCOPES = ['self', 'group', 'group_tree', 'space', 'global'];
const PERMISSION_STATUSES = ['active', 'disabled'];

/** `invoice:approve:group_tree`. Resource, action and scope identify a permission and never change. */
export class PermissionCreateDto {
  @Optional()
  @IsEntityId()
  id?: string;

  @IsKey()
  resource: string;

  @IsKey()
  action: string;

  @IsIn(PERMISSION_SCOPES)
  scope: string;

  @OptionalNullable()
  @IsText(2000)
  description?: string | null;

  @Optional()
  @IsIn(PERMISSION_STATUSES)
  status?: string;

  @Optional()
  @IsGovernedJson()
  metadata?: Record<string, unknown>;
}

export class PermissionPatchDto extends OmitType(PermissionCreateDto, ['id', 'resource', 'action', 'scope'] as const) {}

export class PermissionListQueryDto extends PageQueryDto {
  @Optional()
  @IsKey()
  resource?: string;

  @Optional()
  @IsKey()
  action?: string;

  @Optional()
  @IsIn(PERMISSION_SCOPES)
  scope?: string;

  @Optional()
  @IsIn(PERMISSION_STATUSES)
  status?: string;
}
