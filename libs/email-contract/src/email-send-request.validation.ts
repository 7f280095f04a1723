import {
  EMAIL_MAX_ADDRESS_LENGTH, EMAIL_MAX_BODY_BYTES, EMAIL_MAX_HEADER_VALUE_LENGTH, EMAIL_MAX_HEADERS, EMAIL_MAX_ID_LENGTH,
  EMAIL_MAX_METADATA_ENTRIES, EMAIL_MAX_METADATA_VALUE_LENGTH, EMAIL_MAX_NAME_LENGTH, EMAIL_MAX_RECIPIENTS,
  EMAIL_MAX_SUBJECT_LENGTH, EmailRefusalCodes as C, type EmailRefusalCode,
} from './email-contract.constants';
import type { ContractProblem, EmailAddress, EmailSendRequest } from './email-contract.types';

const REQUEST_FIELDS = new Set(['message_id', 'idempotency_key', 'purpose', 'from', 'to', 'subject', 'text', 'html', 'headers', 'metadata']);
const ADDRESS_FIELDS = new Set(['address', 'name']);

/** A line break or any other control character (TAB aside) would end or corrupt a header line. */
const HEADER_BREAKING = /[\u0000-\u0008\u000a-\u001f\u007f]/;
const PRINTABLE_ASCII = /^[\u0021-\u007e]+$/;
/** RFC 5322 field name: printable ASCII except the colon. */
const HEADER_NAME = /^[\u0021-\u0039\u003b-\u007e]{1,76}$/;
const LOCAL_PART = /^[^\s@<>()[\]\\,;:"\u0000-\u001f\u007f]{1,64}$/u;
const DOMAIN_LABEL = /^[\p{L}\p{N}](?:[\p{L}\p{N}-]{0,61}[\p{L}\p{N}])?$/u;

/** Headers that address, route, authenticate or structure a message: a caller may not set them. */
const TRANSPORT_HEADERS = new Set([
  'from', 'to', 'cc', 'bcc', 'reply-to', 'sender', 'return-path', 'received', 'subject', 'date', 'message-id',
  'mime-version', 'dkim-signature', 'domainkey-signature', 'authentication-results', 'received-spf', 'delivered-to',
  'x-original-to', 'envelope-to', 'errors-to', 'return-receipt-to', 'disposition-notification-to', 'bounces-to',
]);
const TRANSPORT_HEADER_PREFIXES = ['content-', 'resent-', 'arc-'];

/** Which problem names the refusal when a request has several: the most telling first. */
const CODE_PRECEDENCE: EmailRefusalCode[] = [
  C.HEADER_INJECTION, C.HEADER_NOT_ALLOWED, C.TOO_MANY_RECIPIENTS, C.MESSAGE_TOO_LARGE, C.INVALID_ADDRESS, C.VALIDATION_FAILED,
];

export function isTransportHeader(name: string): boolean {
  const lower = name.toLowerCase();
  return TRANSPORT_HEADERS.has(lower) || TRANSPORT_HEADER_PREFIXES.some((prefix) => lower.startsWith(prefix));
}

export function utf8ByteLength(value: string): number {
  let bytes = 0;
  for (let i = 0; i < value.length; i++) {
    const unit = value.charCodeAt(i);
    if (unit < 0x80) bytes += 1;
    else if (unit < 0x800) bytes += 2;
    else if (unit >= 0xd800 && unit <= 0xdbff && (value.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      bytes += 4;
      i++;
    } else bytes += 3;
  }
  return bytes;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

class Problems {
  readonly list: ContractProblem[] = [];
  add(field: string, code: EmailRefusalCode, message: string): void {
    this.list.push({ field, code, message });
  }
}

/** Checks an address string; returns nothing when it is acceptable. */
export function emailAddressProblem(value: unknown): { code: EmailRefusalCode; message: string } | null {
  if (typeof value !== 'string') return { code: C.VALIDATION_FAILED, message: 'must be a string' };
  if (HEADER_BREAKING.test(value)) return { code: C.HEADER_INJECTION, message: 'must not contain line breaks or control characters' };
  if (value.length > EMAIL_MAX_ADDRESS_LENGTH) return { code: C.INVALID_ADDRESS, message: `must be at most ${EMAIL_MAX_ADDRESS_LENGTH} characters` };
  const at = value.lastIndexOf('@');
  const local = value.slice(0, at);
  const labels = value.slice(at + 1).split('.');
  const valid =
    at > 0 &&
    LOCAL_PART.test(local) &&
    !local.startsWith('.') &&
    !local.endsWith('.') &&
    !local.includes('..') &&
    labels.length >= 2 &&
    labels.every((label) => DOMAIN_LABEL.test(label));
  return valid ? null : { code: C.INVALID_ADDRESS, message: 'is not an email address (local@domain.tld)' };
}

function checkAddress(problems: Problems, field: string, value: unknown): void {
  if (!isPlainObject(value)) return problems.add(field, C.VALIDATION_FAILED, 'must be an object {address, name?}');
  for (const key of Object.keys(value)) {
    if (!ADDRESS_FIELDS.has(key)) problems.add(`${field}.${key}`, C.VALIDATION_FAILED, 'is not a known field');
  }
  const addressProblem = emailAddressProblem(value.address);
  if (addressProblem) problems.add(`${field}.address`, addressProblem.code, addressProblem.message);
  if (value.name !== undefined) checkHeaderText(problems, `${field}.name`, value.name, EMAIL_MAX_NAME_LENGTH, false);
}

function checkHeaderText(problems: Problems, field: string, value: unknown, maxLength: number, required: boolean): void {
  if (typeof value !== 'string') return problems.add(field, C.VALIDATION_FAILED, 'must be a string');
  if (HEADER_BREAKING.test(value)) return problems.add(field, C.HEADER_INJECTION, 'must not contain line breaks or control characters');
  if (required && value.trim() === '') return problems.add(field, C.VALIDATION_FAILED, 'must not be empty');
  if (value.length > maxLength) problems.add(field, C.VALIDATION_FAILED, `must be at most ${maxLength} characters`);
}

function checkToken(problems: Problems, field: string, value: unknown): void {
  if (value === undefined) return;
  if (typeof value !== 'string' || value.length > EMAIL_MAX_ID_LENGTH || !PRINTABLE_ASCII.test(value)) {
    problems.add(field, C.VALIDATION_FAILED, `must be 1 to ${EMAIL_MAX_ID_LENGTH} printable ASCII characters without spaces`);
  }
}

function checkHeaders(problems: Problems, value: unknown): void {
  if (value === undefined) return;
  if (!isPlainObject(value)) return problems.add('headers', C.VALIDATION_FAILED, 'must be an object of string values');
  const entries = Object.entries(value);
  if (entries.length > EMAIL_MAX_HEADERS) problems.add('headers', C.VALIDATION_FAILED, `must have at most ${EMAIL_MAX_HEADERS} entries`);
  for (const [name, headerValue] of entries) {
    const field = `headers.${name}`;
    if (HEADER_BREAKING.test(name)) {
      problems.add(field, C.HEADER_INJECTION, 'the header name must not contain line breaks or control characters');
      continue;
    }
    if (!HEADER_NAME.test(name)) {
      problems.add(field, C.VALIDATION_FAILED, 'the header name must be 1 to 76 printable ASCII characters without a colon');
      continue;
    }
    if (isTransportHeader(name)) problems.add(field, C.HEADER_NOT_ALLOWED, `${name} controls how the message is addressed or built and cannot be set`);
    checkHeaderText(problems, field, headerValue, EMAIL_MAX_HEADER_VALUE_LENGTH, false);
  }
}

function checkMetadata(problems: Problems, value: unknown): void {
  if (value === undefined) return;
  if (!isPlainObject(value)) return problems.add('metadata', C.VALIDATION_FAILED, 'must be an object of string values');
  const entries = Object.entries(value);
  if (entries.length > EMAIL_MAX_METADATA_ENTRIES) problems.add('metadata', C.VALIDATION_FAILED, `must have at most ${EMAIL_MAX_METADATA_ENTRIES} entries`);
  for (const [key, entry] of entries) {
    if (key.length === 0 || key.length > 64 || !PRINTABLE_ASCII.test(key)) {
      problems.add(`metadata.${key}`, C.VALIDATION_FAILED, 'keys must be 1 to 64 printable ASCII characters');
    } else if (typeof entry !== 'string' || entry.length > EMAIL_MAX_METADATA_VALUE_LENGTH) {
      problems.add(`metadata.${key}`, C.VALIDATION_FAILED, `must be a string of at most ${EMAIL_MAX_METADATA_VALUE_LENGTH} characters`);
    }
  }
}

function checkBody(problems: Problems, text: unknown, html: unknown): void {
  if (text !== undefined && typeof text !== 'string') problems.add('text', C.VALIDATION_FAILED, 'must be a string');
  if (html !== undefined && typeof html !== 'string') problems.add('html', C.VALIDATION_FAILED, 'must be a string');
  const parts = [text, html].filter((part): part is string => typeof part === 'string');
  if (!parts.some((part) => part.length > 0)) {
    problems.add('text', C.VALIDATION_FAILED, 'at least one of text and html must be given');
    return;
  }
  const bytes = parts.reduce((sum, part) => sum + utf8ByteLength(part), 0);
  if (bytes > EMAIL_MAX_BODY_BYTES) {
    problems.add(typeof html === 'string' && html.length > 0 ? 'html' : 'text', C.MESSAGE_TOO_LARGE, `text and html together must be at most ${EMAIL_MAX_BODY_BYTES} bytes (got ${bytes})`);
  }
}

/**
 * Every problem with a send request, by field; empty when it may be sent. The caller runs it
 * before sending and the provider again on receipt.
 */
export function emailSendRequestProblems(input: unknown): ContractProblem[] {
  const problems = new Problems();
  if (!isPlainObject(input)) {
    problems.add('body', C.VALIDATION_FAILED, 'the request body must be a JSON object');
    return problems.list;
  }
  for (const key of Object.keys(input)) {
    if (!REQUEST_FIELDS.has(key)) problems.add(key, C.VALIDATION_FAILED, 'is not a known field');
  }
  checkToken(problems, 'message_id', input.message_id);
  checkToken(problems, 'idempotency_key', input.idempotency_key);
  checkToken(problems, 'purpose', input.purpose);
  if (input.from === undefined) problems.add('from', C.VALIDATION_FAILED, 'is required');
  else checkAddress(problems, 'from', input.from);
  if (!Array.isArray(input.to) || input.to.length === 0) {
    problems.add('to', C.VALIDATION_FAILED, 'must be a non-empty array of {address, name?}');
  } else {
    if (input.to.length > EMAIL_MAX_RECIPIENTS) {
      problems.add('to', C.TOO_MANY_RECIPIENTS, `must have at most ${EMAIL_MAX_RECIPIENTS} recipients (got ${input.to.length})`);
    }
    input.to.slice(0, EMAIL_MAX_RECIPIENTS).forEach((recipient, i) => checkAddress(problems, `to[${i}]`, recipient));
  }
  if (input.subject === undefined) problems.add('subject', C.VALIDATION_FAILED, 'is required');
  else checkHeaderText(problems, 'subject', input.subject, EMAIL_MAX_SUBJECT_LENGTH, true);
  checkBody(problems, input.text, input.html);
  checkHeaders(problems, input.headers);
  checkMetadata(problems, input.metadata);
  return problems.list;
}

export type EmailSendRequestParse = { ok: true; request: EmailSendRequest } | { ok: false; problems: ContractProblem[] };

function copyAddress(value: EmailAddress): EmailAddress {
  return value.name ? { address: value.address, name: value.name } : { address: value.address };
}

/** Validates and returns a copy holding only the contract's fields. */
export function parseEmailSendRequest(input: unknown): EmailSendRequestParse {
  const problems = emailSendRequestProblems(input);
  if (problems.length > 0) return { ok: false, problems };
  const raw = input as EmailSendRequest;
  const request: EmailSendRequest = { from: copyAddress(raw.from), to: raw.to.map(copyAddress), subject: raw.subject };
  for (const key of ['message_id', 'idempotency_key', 'purpose', 'text', 'html'] as const) {
    if (raw[key] !== undefined) request[key] = raw[key];
  }
  if (raw.headers && Object.keys(raw.headers).length) request.headers = { ...raw.headers };
  if (raw.metadata && Object.keys(raw.metadata).length) request.metadata = { ...raw.metadata };
  return { ok: true, request };
}

/** The 400 a provider answers for a request with problems: the most telling code names it. */
export function refusalFor(problems: ContractProblem[]): { status: 400; code: EmailRefusalCode; message: string; details: { problems: ContractProblem[] } } {
  const code = CODE_PRECEDENCE.find((candidate) => problems.some((problem) => problem.code === candidate)) ?? C.VALIDATION_FAILED;
  const first = problems.find((problem) => problem.code === code);
  const message = first ? `${first.field} ${first.message}.` : 'The request is not valid.';
  return { status: 400, code, message, details: { problems } };
}

/** JSON with object keys sorted, so equal requests give equal text (for idempotency fingerprints). */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (isPlainObject(value)) {
    const keys = Object.keys(value).filter((key) => value[key] !== undefined).sort();
    return `{${keys.map((key) => `${JSON.stringify(key)}:${canonicalJson(value[key])}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}
