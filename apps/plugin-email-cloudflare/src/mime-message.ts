import type { EmailAddress, EmailSendRequest } from '@plystra/email-contract';

export interface MimeMessageParts {
  request: EmailSendRequest;
  /** With angle brackets: `<id@domain>`. */
  messageId: string;
  date: Date;
  boundary: string;
}

const CRLF = '\r\n';
const ATEXT_PHRASE = /^[A-Za-z0-9!#$%&'*+\-/=?^_`{|}~ ]+$/;
const PRINTABLE_ASCII = /^[\u0020-\u007e]*$/;
const MAX_LINE = 998;
/** UTF-8 bytes per encoded word: 45 bytes are 60 base64 characters, 72 with the `=?UTF-8?B?…?=` frame. */
const ENCODED_WORD_BYTES = 45;

const encoder = new TextEncoder();

function base64(bytes: Uint8Array): string {
  let binary = '';
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(binary);
}

/** RFC 2047 encoded words, split between characters, folded one per line. */
function encodedWords(text: string): string {
  const words: string[] = [];
  let chunk = '';
  let chunkBytes = 0;
  for (const char of text) {
    const bytes = encoder.encode(char).length;
    if (chunkBytes + bytes > ENCODED_WORD_BYTES) {
      words.push(chunk);
      chunk = '';
      chunkBytes = 0;
    }
    chunk += char;
    chunkBytes += bytes;
  }
  if (chunk || words.length === 0) words.push(chunk);
  return words.map((word) => `=?UTF-8?B?${base64(encoder.encode(word))}?=`).join(`${CRLF} `);
}

/** A header's unstructured text: as is when it is short printable ASCII, else encoded words. */
export function headerText(name: string, value: string): string {
  return PRINTABLE_ASCII.test(value) && name.length + 2 + value.length <= MAX_LINE ? value : encodedWords(value);
}

/** The domain in its ASCII (punycode) form, so the header stays 7-bit where the address allows it. */
function asciiAddress(address: string): string {
  const at = address.lastIndexOf('@');
  const domain = address.slice(at + 1);
  if (PRINTABLE_ASCII.test(domain)) return address;
  return `${address.slice(0, at)}@${new URL(`http://${domain}`).hostname}`;
}

export function formatAddress(address: EmailAddress): string {
  const mailbox = `<${asciiAddress(address.address)}>`;
  const name = address.name;
  if (!name) return mailbox;
  if (ATEXT_PHRASE.test(name)) return `${name} ${mailbox}`;
  if (PRINTABLE_ASCII.test(name)) return `"${name.replace(/["\\]/g, '\\$&')}" ${mailbox}`;
  return `${encodedWords(name)} ${mailbox}`;
}

function bodyPart(contentType: string, content: string): string {
  const encoded = base64(encoder.encode(content)).replace(/.{76}(?=.)/g, `$&${CRLF}`);
  return [`Content-Type: ${contentType}; charset=utf-8`, 'Content-Transfer-Encoding: base64', '', encoded].join(CRLF);
}

function rfc5322Date(date: Date): string {
  return date.toUTCString().replace(/GMT$/, '+0000');
}

/**
 * The raw RFC 5322 message for a validated request: the sender and recipients, the subject and
 * the caller's extra headers (encoded when not ASCII), and the text and/or HTML body in base64.
 */
export function buildMimeMessage({ request, messageId, date, boundary }: MimeMessageParts): string {
  const headers = [
    `From: ${formatAddress(request.from)}`,
    `To: ${request.to.map(formatAddress).join(`,${CRLF} `)}`,
    `Subject: ${headerText('Subject', request.subject)}`,
    `Date: ${rfc5322Date(date)}`,
    `Message-ID: ${messageId}`,
    'MIME-Version: 1.0',
    ...Object.entries(request.headers ?? {}).map(([name, value]) => `${name}: ${headerText(name, value)}`),
  ];
  const parts: Array<[string, string]> = [];
  if (request.text) parts.push(['text/plain', request.text]);
  if (request.html) parts.push(['text/html', request.html]);
  if (parts.length === 1) {
    const [[type, content]] = parts;
    return [...headers, bodyPart(type, content), ''].join(CRLF);
  }
  return [
    ...headers,
    `Content-Type: multipart/alternative; boundary="${boundary}"`,
    '',
    ...parts.flatMap(([type, content]) => [`--${boundary}`, bodyPart(type, content)]),
    `--${boundary}--`,
    '',
  ].join(CRLF);
}
