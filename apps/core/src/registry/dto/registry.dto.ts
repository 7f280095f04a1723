import { PageQueryDto } from '@plystra/http';
import { IsBoolean, IsIn, IsString, Matches } from 'class-validator';
import { IsEntityId, IsGovernedJson, IsKey, IsName, IsText, Optional, OptionalNullable } from '../../identity/management/dto-rules';

const REGISTRY_STATUSES = ['active', 'disabled'];
const SOURCE = /^[a-z][a-z0-9_.-]{0,63}$/;
const COLUMN = /^[a-z][a-z0-9_]{0,62}$/;
const COLUMN_MESSAGE = '$property must be a column name';

/** Upsert by `key`: a new key creates the type; a known key updates the fields sent. */
export class ResourceTypeUpsertDto {
  @Optional()
  @IsEntityId()
  id?: string;

  @IsKey()
  key: string;

  @IsName()
  display_name: string;

  @OptionalNullable()
  @IsText(2000)
  description?: string | null;

  @Optional()
  @IsIn(REGISTRY_STATUSES)
  status?: string;

  /** Who registered it: `core`, a plugin key… */
  @Optional()
  @IsString()
  @Matches(SOURCE, { message: 'source must be a lower-case word (letters, digits, _ . -)' })
  source?: string;

  @Optional()
  @IsGovernedJson()
  metadata?: Record<string, unknown>;
}

/** Upsert by (type, key). */
export class ResourceActionUpsertDto {
  @Optional()
  @IsEntityId()
  id?: string;

  @IsKey()
  key: string;

  @IsName()
  display_name: string;

  @OptionalNullable()
  @IsText(2000)
  description?: string | null;

  @Optional()
  @IsIn(['normal', 'high', 'critical'])
  risk_level?: string;

  @Optional()
  @IsBoolean()
  audit_default?: boolean;

  @Optional()
  @IsGovernedJson()
  metadata?: Record<string, unknown>;
}

/** One mapping per type. v1 stores every governed resource in Core's own `resources` table. */
export class ResourceMappingUpsertDto {
  @Optional()
  @IsEntityId()
  id?: string;

  @Optional()
  @IsText(64)
  storage_kind?: string;

  @OptionalNullable()
  @IsText(128)
  table_name?: string | null;

  @Optional()
  @IsString()
  @Matches(COLUMN, { message: COLUMN_MESSAGE })
  id_field?: string;

  @Optional()
  @IsString()
  @Matches(COLUMN, { message: COLUMN_MESSAGE })
  space_field?: string;

  @OptionalNullable()
  @IsString()
  @Matches(COLUMN, { message: COLUMN_MESSAGE })
  group_field?: string | null;

  @OptionalNullable()
  @IsString()
  @Matches(COLUMN, { message: COLUMN_MESSAGE })
  owner_member_field?: string | null;

  @OptionalNullable()
  @IsString()
  @Matches(COLUMN, { message: COLUMN_MESSAGE })
  visibility_field?: string | null;

  @OptionalNullable()
  @IsString()
  @Matches(COLUMN, { message: COLUMN_MESSAGE })
  metadata_field?: string | null;

  @Optional()
  @IsIn(REGISTRY_STATUSES)
  status?: string;

  @Optional()
  @IsGovernedJson()
  metadata?: Record<string, unknown>;
}

export class ResourceTypeListQueryDto extends PageQueryDto {
  @Optional()
  @IsIn(REGISTRY_STATUSES)
  status?: string;

  @Optional()
  @IsString()
  @Matches(SOURCE, { message: 'source must be a lower-case word (letters, digits, _ . -)' })
  source?: string;
}
