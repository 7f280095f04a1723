import { IsEmail, IsObject, IsOptional, IsString, MaxLength, MinLength } from 'class-validator';

export class RegisterDto {
  @IsEmail({}, { message: 'email must be a valid email address' })
  @MaxLength(320)
  email: string;

  @IsString()
  @MinLength(1)
  @MaxLength(4096)
  password: string;

  @IsOptional()
  @IsString()
  @MaxLength(200)
  username?: string;

  @IsOptional()
  @IsString()
  @MaxLength(64)
  phone?: string;

  @IsOptional()
  @IsString()
  @MaxLength(200)
  space_name?: string;

  @IsOptional()
  @IsString()
  @MaxLength(100)
  space_slug?: string;

  @IsOptional()
  @IsString()
  @MaxLength(200)
  member_display_name?: string;

  @IsOptional()
  @IsString()
  @MaxLength(512)
  registration_token?: string;

  @IsOptional()
  @IsObject()
  metadata?: Record<string, unknown>;
}
