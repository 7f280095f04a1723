import { IsOptional, IsString, MaxLength } from 'class-validator';

export class SwitchMemberDto {
  @IsOptional()
  @IsString()
  @MaxLength(200)
  member_id?: string;

  @IsOptional()
  @IsString()
  @MaxLength(200)
  user_member_id?: string;
}
