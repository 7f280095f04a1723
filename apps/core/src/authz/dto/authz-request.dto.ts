import { Type } from 'class-transformer';
import {
  ArrayMaxSize, ArrayMinSize, IsArray, IsBoolean, IsIn, IsNotEmpty, IsObject, IsOptional, IsString, MaxLength, ValidateNested,
} from 'class-validator';
import { PERMISSION_SCOPES } from '../engine/decision.types';

const ID_MAX = 256;
const TEXT_MAX = 512;

/** Who acts. `binding_id` is an alias of `user_member_id`; the other fields are Context Mode metadata. */
export class AuthzActorDto {
  @IsOptional() @IsString() @IsNotEmpty() @MaxLength(ID_MAX) user_id?: string;
  @IsOptional() @IsString() @IsNotEmpty() @MaxLength(ID_MAX) member_id?: string;
  @IsOptional() @IsString() @IsNotEmpty() @MaxLength(ID_MAX) user_member_id?: string;
  @IsOptional() @IsString() @IsNotEmpty() @MaxLength(ID_MAX) binding_id?: string;
  @IsOptional() @IsString() @IsNotEmpty() @MaxLength(ID_MAX) space_id?: string;
  @IsOptional() @IsString() @MaxLength(TEXT_MAX) user_email?: string;
  @IsOptional() @IsString() @IsNotEmpty() @MaxLength(64) user_status?: string;
  @IsOptional() @IsString() @MaxLength(TEXT_MAX) member_display_name?: string;
  @IsOptional() @IsString() @IsNotEmpty() @MaxLength(64) member_status?: string;
  @IsOptional() @IsString() @IsNotEmpty() @MaxLength(64) binding_status?: string;
  @IsOptional() @IsString() @IsNotEmpty() @MaxLength(64) relation_type?: string;
  @IsOptional() @IsString() @MaxLength(TEXT_MAX) space_name?: string;
  @IsOptional() @IsString() @IsNotEmpty() @MaxLength(64) space_status?: string;
}

/** The target: `type`/`id` name a stored resource; any other field proposes one inline (Context Mode). */
export class AuthzResourceDto {
  @IsOptional() @IsString() @IsNotEmpty() @MaxLength(ID_MAX) type?: string;
  @IsOptional() @IsString() @IsNotEmpty() @MaxLength(ID_MAX) id?: string;
  @IsOptional() @IsString() @IsNotEmpty() @MaxLength(ID_MAX) external_id?: string;
  @IsOptional() @IsString() @IsNotEmpty() @MaxLength(ID_MAX) space_id?: string;
  @IsOptional() @IsString() @IsNotEmpty() @MaxLength(ID_MAX) group_id?: string;
  @IsOptional() @IsString() @IsNotEmpty() @MaxLength(ID_MAX) group_path?: string;
  @IsOptional() @IsString() @IsNotEmpty() @MaxLength(ID_MAX) owner_member_id?: string;
  @IsOptional() @IsString() @MaxLength(TEXT_MAX) display_name?: string;
  @IsOptional() @IsString() @IsNotEmpty() @MaxLength(64) visibility?: string;
  @IsOptional() @IsString() @IsNotEmpty() @MaxLength(64) status?: string;
  @IsOptional() @IsObject() metadata?: Record<string, unknown>;
}

/** A grant given inline instead of the stored ones (Context Mode, API keys only). */
export class AuthzGrantDto {
  @IsOptional() @IsString() @IsNotEmpty() @MaxLength(ID_MAX) role_id?: string;
  @IsOptional() @IsString() @IsNotEmpty() @MaxLength(ID_MAX) role_key?: string;
  @IsOptional() @IsString() @IsNotEmpty() @MaxLength(ID_MAX) permission_id?: string;
  @IsOptional() @IsString() @IsNotEmpty() @MaxLength(ID_MAX) resource?: string;
  @IsOptional() @IsString() @IsNotEmpty() @MaxLength(ID_MAX) action?: string;
  @IsIn(PERMISSION_SCOPES) scope: string;
  @IsOptional() @IsString() @IsNotEmpty() @MaxLength(ID_MAX) space_id?: string;
  @IsOptional() @IsString() @IsNotEmpty() @MaxLength(ID_MAX) scope_anchor_group_id?: string;
  @IsOptional() @IsString() @IsNotEmpty() @MaxLength(ID_MAX) scope_anchor_group_path?: string;
}

/**
 * One authorization question (core.md §4.1, reference `ApiAuthzRequest`). `request_id`, `ip` and
 * `user_agent` are not fields: the server derives them, and the strict pipe refuses them.
 */
export class AuthzRequestDto {
  @IsOptional() @ValidateNested() @Type(() => AuthzActorDto) actor?: AuthzActorDto;
  @IsOptional() @IsString() @IsNotEmpty() @MaxLength(ID_MAX) resource_type?: string;
  @IsOptional() @IsString() @IsNotEmpty() @MaxLength(ID_MAX) resource_id?: string;
  @IsString() @IsNotEmpty() @MaxLength(ID_MAX) action: string;
  @IsOptional() @ValidateNested() @Type(() => AuthzResourceDto) resource?: AuthzResourceDto;
  @IsOptional() @IsArray() @ArrayMaxSize(100) @ValidateNested({ each: true }) @Type(() => AuthzGrantDto) grants?: AuthzGrantDto[];
  @IsOptional() @IsBoolean() explain?: boolean;
}

/** Up to 100 questions answered in order, each with its own decision and audit row. */
export class AuthzBatchRequestDto {
  @IsArray() @ArrayMinSize(1) @ArrayMaxSize(100) @ValidateNested({ each: true }) @Type(() => AuthzRequestDto) checks: AuthzRequestDto[];
}
