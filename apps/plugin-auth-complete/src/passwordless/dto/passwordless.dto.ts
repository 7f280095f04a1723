import { IsEmail, IsObject, IsOptional, IsString, Matches, MaxLength } from 'class-validator';

export class EmailCodeSendDto {
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
