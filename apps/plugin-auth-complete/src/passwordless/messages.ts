/** One message per endpoint for every failure (wrong, expired, used, locked, account gone). */
export const CODE_FAILED_MESSAGE = 'The code is invalid or has expired.';
export const LINK_FAILED_MESSAGE = 'The sign-in link is invalid, expired or already used.';
