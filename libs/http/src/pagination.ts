import { Type } from 'class-transformer';
import { IsInt, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';
import { ApiError } from './api-error';

/** `?limit=1..200&cursor=…` on every list. */
export class PageQueryDto {
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(200)
  limit?: number;

  @IsOptional()
  @IsString()
  @MaxLength(512)
  cursor?: string;
}

/** The position after the last item of a page: its sort timestamp and id. */
export interface Cursor {
  t: string;
  id: string;
}

export function encodeCursor(cursor: Cursor): string {
  return Buffer.from(JSON.stringify([cursor.t, cursor.id])).toString('base64url');
}

/**
 * The only timestamp shape a cursor carries (`to_char(… 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`): anything
 * else Date.parse would take (year ±275760, offsets) is refused here, not by PostgreSQL with a 500.
 */
const CURSOR_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,6})?Z$/;

export function decodeCursor(raw: string | undefined): Cursor | null {
  if (!raw) return null;
  try {
    const parsed = JSON.parse(Buffer.from(raw, 'base64url').toString('utf8'));
    if (Array.isArray(parsed) && parsed.length === 2 && typeof parsed[0] === 'string' && typeof parsed[1] === 'string' && CURSOR_TIME.test(parsed[0]) && !Number.isNaN(Date.parse(parsed[0]))) {
      return { t: parsed[0], id: parsed[1] };
    }
  } catch {
    // fall through
  }
  throw ApiError.validation('The cursor is not valid.', [{ field: 'cursor', message: 'cursor is not valid' }]);
}
