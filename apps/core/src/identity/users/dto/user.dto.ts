import { OmitType } from '@nestjs/swagger';
import { PageQueryDto } from '@plystra/http';
import { IsEmail, IsIn, MaxLength } from 'class-validator';
import { IsEntityId, IsGovernedJson, IsText, Optional, OptionalNullable, Trim } from '../../management/dto-rules';

const USER_STATUSES = ['active', 'disabled'];

/** `password` is plaintext, checked against the policy and stored only as its Argon2id hash. */
export class UserCreateDto {
  @Optional()
  @IsEntityId()
  id?: string;

  @Trim()
  @IsEmail({}, { message: 'email must be a valid email address' })
  @MaxLength(320)
  email: string;

  @OptionalNullable()
  @IsText(200)
  username?: string | null;

  @OptionalNullable()
  @IsText(64)
  phone?: string | null;

  @Optional()
  @IsText(4096)
  password?: string;

  @Optional()
  @IsIn(USER_STATUSES)
  status?: string;

  @Optional()
  @IsGovernedJson()
  metadata?: Record<string, unknown>;
}

export class UserPatchDto extends OmitType(UserCreateDto, ['id', 'email'] as const) {
  @Optional()
  @Trim()
  @IsEmail({}, { message: 'email must be a valid email address' })
  @MaxLength(320)
  email?: string;
}

export class UserListQueryDto extends PageQueryDto {
  @Optional()
  @IsIn(USER_STATUSES)
  status?: string;

  @Optional()
  @IsText(320)
  email?: string;
}
