import type { EmailRefusalCode } from './email-contract.constants';

export interface EmailAddress {
  address: string;
  name?: string;
}

/** `POST /contract/v1/email/send` body. At least one of `text` / `html`. */
export interface EmailSendRequest {
  message_id?: string;
  idempotency_key?: string;
  /** e.g. `auth.email_code`, `auth.magic_link`. */
  purpose?: string;
  from: EmailAddress;
  to: EmailAddress[];
  subject: string;
  text?: string;
  html?: string;
  /** Extra headers; never ones that address, route or structure the message. */
  headers?: Record<string, string>;
  /** Caller's bookkeeping (challenge id, delivery method); never written into the message. */
  metadata?: Record<string, string>;
}

/** The answer to a send. Success is a 2xx with `accepted: true`. */
export interface EmailSendResponse {
  accepted: boolean;
  message_id: string;
  provider: string;
  provider_message_id?: string;
  error_code?: string;
  error_message?: string;
}

/** The body of a 4xx refusal. */
export interface EmailContractErrorBody {
  error: {
    code: string;
    message: string;
    details?: unknown;
    request_id?: string;
  };
  request_id?: string;
}

/** One thing wrong with a request or response, by field. */
export interface ContractProblem {
  field: string;
  code: EmailRefusalCode;
  message: string;
}
