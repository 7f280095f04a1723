import { IsOptional, IsString, MaxLength } from 'class-validator';

/** The bodies of the session endpoints every service serves identically (Core and the auth plugin). */
export class LoginDto {
  @IsString()
  @MaxLength(320)
  email: string;

  @IsString()
  @MaxLength(4096)
  password: string;
}

export class RefreshDto {
  @IsString()
  @MaxLength(256)
  refresh_token: string;
}

export class LogoutDto {
  @IsOptional()
  @IsString()
  @MaxLength(256)
  refresh_token?: string;
}

/** `POST /auth/password`: the current password proves the caller; the new one meets the registration policy. */
export class PasswordChangeDto {
  @IsString()
  @MaxLength(4096)
  current_password: string;

  @IsString()
  @MaxLength(4096)
  new_password: string;
}
