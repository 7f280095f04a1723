import { PageQueryDto } from '@plystra/http';
import { IsIn, IsNotEmpty, IsOptional, IsString, Matches, MaxLength } from 'class-validator';
import type { GrantLevel } from '../../access/principal';
import { CREDENTIAL_ID, IsPermissionKey } from './permission-key.validator';
import { CredentialTermsDto } from './credential-terms.dto';

export const GRANT_LEVELS: GrantLevel[] = ['instance_super_admin', 'instance_admin', 'space_admin', 'group_admin'];

export class AdminGrantCreateDto extends CredentialTermsDto {
  @IsOptional()
  @IsString()
  @Matches(CREDENTIAL_ID, { message: 'id must be 1-128 characters of A-Z, a-z, 0-9, _ and -' })
  id?: string;

  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  user_id!: string;

  @IsOptional()
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  member_id?: string;

  @IsOptional()
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  space_id?: string;

  @IsOptional()
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  group_id?: string;

  @IsIn(GRANT_LEVELS)
  level!: GrantLevel;

  @IsString()
  @MaxLength(200)
  @IsPermissionKey()
  permission_key!: string;
}

export class AdminGrantQueryDto extends PageQueryDto {
  @IsOptional()
  @IsString()
  @MaxLength(200)
  user_id?: string;

  @IsOptional()
  @IsIn(GRANT_LEVELS)
  level?: GrantLevel;

  @IsOptional()
  @IsString()
  @MaxLength(200)
  space_id?: string;

  @IsOptional()
  @IsString()
  @MaxLength(200)
  group_id?: string;

  @IsOptional()
  @IsIn(['active', 'disabled', 'revoked'])
  status?: string;
}

export class RevokeDto {
  @IsOptional()
  @IsString()
  @MaxLength(1000)
  revoked_reason?: string;
}
