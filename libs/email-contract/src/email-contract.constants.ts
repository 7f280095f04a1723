/** The capability this library describes: `email.transactional` v0.0.1, level `standard`. */
export const EMAIL_CAPABILITY_ID = 'email.transactional';
export const EMAIL_CONTRACT_VERSION = '0.0.1';
export const EMAIL_CAPABILITY_LEVEL = 'standard';

/** The one endpoint a provider implements. */
export const EMAIL_SEND_PATH = '/contract/v1/email/send';

/** At most this many entries in `to`. */
export const EMAIL_MAX_RECIPIENTS = 50;
/** `text` and `html` together, in UTF-8 bytes. */
export const EMAIL_MAX_BODY_BYTES = 1024 * 1024;
/**
 * The whole JSON request a provider reads before refusing it unread (413). It leaves room for a
 * full-size message with its JSON escaping; the message limit above is then checked field by field.
 */
export const EMAIL_MAX_REQUEST_BYTES = 2 * EMAIL_MAX_BODY_BYTES;

/** How long a provider remembers an idempotency key. */
export const EMAIL_IDEMPOTENCY_WINDOW_MS = 24 * 60 * 60 * 1000;

export const EMAIL_MAX_SUBJECT_LENGTH = 998;
export const EMAIL_MAX_NAME_LENGTH = 256;
export const EMAIL_MAX_ADDRESS_LENGTH = 254;
export const EMAIL_MAX_HEADERS = 32;
export const EMAIL_MAX_HEADER_VALUE_LENGTH = 998;
export const EMAIL_MAX_METADATA_ENTRIES = 32;
export const EMAIL_MAX_METADATA_VALUE_LENGTH = 1024;
export const EMAIL_MAX_ID_LENGTH = 200;

/**
 * Codes of the 4xx refusals a provider answers (`{error: {code, message, details}}`), and of the
 * field problems that validation reports.
 */
export const EmailRefusalCodes = {
  VALIDATION_FAILED: 'VALIDATION_FAILED',
  INVALID_ADDRESS: 'INVALID_ADDRESS',
  HEADER_INJECTION: 'HEADER_INJECTION',
  HEADER_NOT_ALLOWED: 'HEADER_NOT_ALLOWED',
  TOO_MANY_RECIPIENTS: 'TOO_MANY_RECIPIENTS',
  MESSAGE_TOO_LARGE: 'MESSAGE_TOO_LARGE',
  PAYLOAD_TOO_LARGE: 'PAYLOAD_TOO_LARGE',
  AUTHENTICATION_REQUIRED: 'AUTHENTICATION_REQUIRED',
  IDEMPOTENCY_KEY_REUSED: 'IDEMPOTENCY_KEY_REUSED',
  NOT_FOUND: 'NOT_FOUND',
  METHOD_NOT_ALLOWED: 'METHOD_NOT_ALLOWED',
} as const;

export type EmailRefusalCode = (typeof EmailRefusalCodes)[keyof typeof EmailRefusalCodes];

/** `error_code` values of an `accepted:false` answer that every provider shares. */
export const EmailDeliveryCodes = {
  /** Another request with the same idempotency key is still sending; ask again later. */
  DELIVERY_IN_PROGRESS: 'DELIVERY_IN_PROGRESS',
} as const;
