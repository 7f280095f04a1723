import { EmailRefusalCodes as C } from './email-contract.constants';
import type { ContractProblem, EmailContractErrorBody, EmailSendResponse } from './email-contract.types';

const OPTIONAL_STRINGS = ['provider_message_id', 'error_code', 'error_message'] as const;

/**
 * Problems with a provider's answer to a send. Fields a later contract version may add are
 * tolerated; the ones this version defines must have their types.
 */
export function emailSendResponseProblems(input: unknown): ContractProblem[] {
  if (input === null || typeof input !== 'object' || Array.isArray(input)) {
    return [{ field: 'body', code: C.VALIDATION_FAILED, message: 'the response body must be a JSON object' }];
  }
  const body = input as Record<string, unknown>;
  const problems: ContractProblem[] = [];
  if (typeof body.accepted !== 'boolean') problems.push({ field: 'accepted', code: C.VALIDATION_FAILED, message: 'must be a boolean' });
  if (typeof body.message_id !== 'string') problems.push({ field: 'message_id', code: C.VALIDATION_FAILED, message: 'must be a string' });
  if (typeof body.provider !== 'string' || body.provider === '') problems.push({ field: 'provider', code: C.VALIDATION_FAILED, message: 'must be a non-empty string' });
  for (const field of OPTIONAL_STRINGS) {
    if (body[field] !== undefined && body[field] !== null && typeof body[field] !== 'string') {
      problems.push({ field, code: C.VALIDATION_FAILED, message: 'must be a string when present' });
    }
  }
  return problems;
}

export function isEmailSendResponse(input: unknown): input is EmailSendResponse {
  return emailSendResponseProblems(input).length === 0;
}

/** A refusal body `{error: {code, message}}`, as a provider answers a 4xx. */
export function isEmailContractErrorBody(input: unknown): input is EmailContractErrorBody {
  const error = (input as { error?: { code?: unknown; message?: unknown } } | null)?.error;
  return !!error && typeof error === 'object' && typeof error.code === 'string' && typeof error.message === 'string';
}
