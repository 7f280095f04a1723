import { PageQueryDto } from '@plystra/http';
import { Transform } from 'class-transformer';
import {
  ArrayMaxSize, ArrayNotEmpty, IsArray, IsIn, IsNotEmpty, IsOptional, IsString, Matches, MaxLength,
} from 'class-validator';
import type { KeyLevel } from '../../access/principal';
import { CREDENTIAL_ID, IsPermissionKey } from '../../admin/dto/permission-key.validator';
import { normalisePermissionKeys } from '../api-key-secret';
import { CredentialTermsDto } from '../../admin/dto/credential-terms.dto';

export const KEY_LEVELS: KeyLevel[] = ['instance', 'space', 'group'];

export class ApiKeyCreateDto extends CredentialTermsDto {
  @IsOptional()
  @IsString()
  @Matches(CREDENTIAL_ID, { message: 'id must be 1-128 characters of A-Z, a-z, 0-9, _ and -' })
  id?: string;

  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  name!: string;

  @IsIn(KEY_LEVELS)
  level!: KeyLevel;

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

  /** Trimmed, lower-cased and de-duplicated before validation (reference §5.2). */
  @Transform(({ value }) => normalisePermissionKeys(value))
  @IsArray()
  @ArrayNotEmpty()
  @ArrayMaxSize(100)
  @IsString({ each: true })
  @MaxLength(200, { each: true })
  @IsPermissionKey({ each: true })
  permission_keys!: string[];
}

export class ApiKeyQueryDto extends PageQueryDto {
  @IsOptional()
  @IsIn(KEY_LEVELS)
  level?: KeyLevel;

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
