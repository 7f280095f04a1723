import { IsIn } from 'class-validator';
import { PageQueryDto } from '@plystra/http';
import { IsText, Optional, OptionalNullable } from './dto-rules';

/** The body of a status move (disable, restore, archive): an optional reason, kept in the audit row. */
export class StatusMoveDto {
  @OptionalNullable()
  @IsText(500)
  reason?: string | null;
}

/** The body of a revoke: an optional reason. */
export class RevokeDto {
  @OptionalNullable()
  @IsText(500)
  revoked_reason?: string | null;
}

/** `?status=` with the page fields, for lists whose entity is `active` or `disabled`. */
export class ActiveDisabledQueryDto extends PageQueryDto {
  @Optional()
  @IsIn(['active', 'disabled'])
  status?: string;
}
