/** PostgreSQL error classes that client input can cause; anything else is a server fault. */
export interface PgErrorInfo {
  code: string;
  constraint?: string;
  table?: string;
  detail?: string;
}

export function pgErrorInfo(error: unknown): PgErrorInfo | null {
  const candidate = (error as { driverError?: unknown })?.driverError ?? error;
  if (candidate && typeof candidate === 'object' && typeof (candidate as { code?: unknown }).code === 'string') {
    const { code, constraint, table, detail } = candidate as PgErrorInfo;
    if (/^[0-9A-Z]{5}$/.test(code)) return { code, constraint, table, detail };
  }
  return null;
}

export const PG_UNIQUE_VIOLATION = '23505';
export const PG_FOREIGN_KEY_VIOLATION = '23503';
export const PG_CHECK_VIOLATION = '23514';
export const PG_NOT_NULL_VIOLATION = '23502';
export const PG_INVALID_TEXT_REPRESENTATION = '22P02';
export const PG_STRING_TOO_LONG = '22001';
export const PG_NUMERIC_OUT_OF_RANGE = '22003';
export const PG_DATETIME_OUT_OF_RANGE = '22008';
export const PG_INVALID_DATETIME_FORMAT = '22007';
export const PG_UNTRANSLATABLE_CHARACTER = '22P05';
export const PG_CHARACTER_NOT_IN_REPERTOIRE = '22021';
