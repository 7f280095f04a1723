/** `error_code` of an `accepted:false` answer, by what the SMTP exchange did. */
export const SmtpErrorCodes = {
  /** The server answered 5xx: it will not take this message as it is. */
  SMTP_REJECTED: 'SMTP_REJECTED',
  /** The server answered 4xx: try again later. */
  SMTP_DEFERRED: 'SMTP_DEFERRED',
  /** No connection (refused, reset, DNS, TLS negotiation). */
  SMTP_UNAVAILABLE: 'SMTP_UNAVAILABLE',
  /** The exchange did not finish in time. */
  SMTP_TIMEOUT: 'SMTP_TIMEOUT',
  /** The server refused our credentials. */
  SMTP_AUTH_FAILED: 'SMTP_AUTH_FAILED',
  SMTP_ERROR: 'SMTP_ERROR',
} as const;

export type SmtpErrorCode = (typeof SmtpErrorCodes)[keyof typeof SmtpErrorCodes];

export interface SmtpFailure {
  code: SmtpErrorCode;
  message: string;
}

interface NodemailerError {
  code?: unknown;
  responseCode?: unknown;
  response?: unknown;
  message?: unknown;
}

const UNAVAILABLE = new Set(['ECONNECTION', 'ESOCKET', 'EDNS', 'ETLS', 'ECONNREFUSED', 'ECONNRESET', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EPIPE', 'ECLOSE']);

/** An SMTP reply or error text, fit to hand back: one line, no control characters, bounded. */
function clean(text: unknown): string {
  return String(text ?? '').replace(/[\u0000-\u001f\u007f]+/g, ' ').trim().slice(0, 300);
}

/** What a failed Nodemailer send means for the contract. */
export function smtpFailureOf(error: unknown): SmtpFailure {
  const e = (error ?? {}) as NodemailerError;
  const code = typeof e.code === 'string' ? e.code : '';
  const responseCode = typeof e.responseCode === 'number' ? e.responseCode : 0;
  const reply = clean(e.response) || clean(e.message);
  if (code === 'EAUTH') return { code: SmtpErrorCodes.SMTP_AUTH_FAILED, message: `The SMTP server refused the credentials: ${reply}` };
  if (responseCode >= 500 && responseCode < 600) return { code: SmtpErrorCodes.SMTP_REJECTED, message: `The SMTP server rejected the message: ${reply}` };
  if (responseCode >= 400 && responseCode < 500) return { code: SmtpErrorCodes.SMTP_DEFERRED, message: `The SMTP server deferred the message: ${reply}` };
  if (code === 'ETIMEDOUT' || /timeout|timed out/i.test(clean(e.message))) return { code: SmtpErrorCodes.SMTP_TIMEOUT, message: `The SMTP exchange timed out: ${clean(e.message)}` };
  if (UNAVAILABLE.has(code)) return { code: SmtpErrorCodes.SMTP_UNAVAILABLE, message: `The SMTP server is not reachable: ${clean(e.message)}` };
  return { code: SmtpErrorCodes.SMTP_ERROR, message: `The SMTP exchange failed: ${clean(e.message) || 'unknown error'}` };
}
