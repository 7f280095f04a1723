import { Transform } from 'class-transformer';
import { IsEmail, IsObject, IsOptional, IsString, Matches, MaxLength } from 'class-validator';

/** Addresses are compared trimmed (and lower-cased by the services). */
const trimmed = ({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value);

export class EmailCodeSendDto {
  @Transform(trimmed)
  @IsEmail({}, { message: 'email must be a valid email address' })
  @MaxLength(254)
  email: string;

  @IsOptional()
  @IsObject()
  metadata?: Record<string, unknown>;
}

export class EmailCodeVerifyDto {
  @IsString()
  @MaxLength(254)
  email: string;

  @IsString()
  @Matches(/^[0-9]{6}$/, { message: 'code must be exactly six digits' })
  code: string;
}

export class MagicLinkSendDto {
  @Transform(trimmed)
  @IsEmail({}, { message: 'email must be a valid email address' })
  @MaxLength(254)
  email: string;

  @IsOptional()
  @IsString()
  @MaxLength(2048)
  redirect_url?: string;

  @IsOptional()
  @IsObject()
  metadata?: Record<string, unknown>;
}

export class MagicLinkConsumeDto {
  @IsString()
  @MaxLength(256)
  token: string;
}
