import { OmitType } from '@nestjs/swagger';
import { PageQueryDto } from '@plystra/http';
import { IsIn, IsString, Matches } from 'class-validator';
import { IsEntityId, IsGovernedJson, IsName, Optional, OptionalNullable } from '../../management/dto-rules';

const SPACE_STATUSES = ['active', 'disabled'];
const SPACE_TYPES = ['custom', 'default'];
const SLUG = /^[a-z0-9][a-z0-9-]{0,99}$/;
const SLUG_MESSAGE = '$property must be lower-case letters, digits and -, at most 100';

export class SpaceCreateDto {
  @Optional()
  @IsEntityId()
  id?: string;

  @IsName()
  name: string;

  @OptionalNullable()
  @IsString()
  @Matches(SLUG, { message: SLUG_MESSAGE })
  slug?: string | null;

  @Optional()
  @IsIn(SPACE_TYPES)
  type?: string;

  @Optional()
  @IsIn(SPACE_STATUSES)
  status?: string;

  @Optional()
  @IsGovernedJson()
  metadata?: Record<string, unknown>;
}

export class SpacePatchDto extends OmitType(SpaceCreateDto, ['id', 'name'] as const) {
  @Optional()
  @IsName()
  name?: string;
}

export class SpaceListQueryDto extends PageQueryDto {
  @Optional()
  @IsIn(SPACE_STATUSES)
  status?: string;

  @Optional()
  @IsIn(SPACE_TYPES)
  type?: string;
}
