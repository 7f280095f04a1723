import { IsIn, IsISO8601, IsObject, IsOptional } from 'class-validator';

/** What admin grants and API keys share on creation: initial status, expiry and metadata. */
export class CredentialTermsDto {
  @IsOptional()
  @IsIn(['active', 'disabled'])
  status?: 'active' | 'disabled';

  @IsOptional()
  @IsISO8601({ strict: true })
  expires_at?: string;

  @IsOptional()
  @IsObject()
  metadata?: Record<string, unknown>;
}
