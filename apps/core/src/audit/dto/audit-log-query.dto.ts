import { IsIn, IsOptional, IsRFC3339, IsString, MaxLength } from 'class-validator';
import { PageQueryDto } from '@plystra/http';

/** Filters of `GET /audit/logs` (core.md §4.4); all optional, combined with AND. */
export class AuditLogQueryDto extends PageQueryDto {
  @IsOptional() @IsString() @MaxLength(256) space_id?: string;
  @IsOptional() @IsString() @MaxLength(256) actor_user_id?: string;
  @IsOptional() @IsString() @MaxLength(256) actor_member_id?: string;
  @IsOptional() @IsString() @MaxLength(256) actor_user_member_id?: string;
  @IsOptional() @IsString() @MaxLength(256) resource_type?: string;
  @IsOptional() @IsString() @MaxLength(256) resource_id?: string;
  @IsOptional() @IsIn(['allow', 'deny']) decision?: 'allow' | 'deny';
  @IsOptional() @IsString() @MaxLength(128) deny_code?: string;
  @IsOptional() @IsString() @MaxLength(256) request_id?: string;
  /** Inclusive lower bound, RFC 3339. */
  @IsOptional() @IsRFC3339() created_at_from?: string;
  /** Inclusive upper bound, RFC 3339. */
  @IsOptional() @IsRFC3339() created_at_to?: string;
}
