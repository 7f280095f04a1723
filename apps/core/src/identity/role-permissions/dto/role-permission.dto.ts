import { PageQueryDto } from '@plystra/http';
import { IsEntityId, IsGovernedJson, Optional } from '../../management/dto-rules';

export class RolePermissionCreateDto {
  @Optional()
  @IsEntityId()
  id?: string;

  @IsEntityId()
  role_id: string;

  @IsEntityId()
  permission_id: string;

  @Optional()
  @IsGovernedJson()
  metadata?: Record<string, unknown>;
}

export class RolePermissionListQueryDto extends PageQueryDto {
  @Optional()
  @IsEntityId()
  role_id?: string;

  @Optional()
  @IsEntityId()
  permission_id?: string;

  @Optional()
  @IsEntityId()
  space_id?: string;
}
