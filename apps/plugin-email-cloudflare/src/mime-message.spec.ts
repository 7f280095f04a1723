import { simpleParser } from 'mailparser';
import type { EmailSendRequest } from '@plystra/email-contract';
import { buildMimeMessage, formatAddress } from './mime-message';

const request = (overrides: Partial<EmailSendRequest> = {}): EmailSendRequest => ({
  from: { address: 'no-reply@plystra.example', name: 'Plystra Anmeldung' },
  to: [{ address: 'zoe@example.org', name: 'Zoë Ångström-Müller' }, { address: 'bob@example.com' }],
  subject: 'Ihr Code: 123456 — gültig 10 Minuten ✓',
  text: 'Ihr Anmeldecode lautet 123456.\nGrüße!',
  html: '<p>Ihr Anmeldecode lautet <b>123456</b>. 日本語 🎉</p>',
  headers: { 'X-Plystra-Purpose': 'auth.email_code', 'X-Note': 'Grüße aus Köln' },
  ...overrides,
});

/** RFC 2047 B-words back to text (a parser leaves them as they are in headers it does not know). */
const decodeWords = (value: unknown) =>
  String(value).replace(/=\?UTF-8\?B\?([^?]*)\?=(\s+(?==\?))?/g, (_m, b64: string) => Buffer.from(b64, 'base64').toString('utf8'));

const build = (r: EmailSendRequest) => buildMimeMessage({ request: r, messageId: '<abc123@plystra.example>', date: new Date('2026-01-02T03:04:05Z'), boundary: 'plystra-boundary' });

describe('buildMimeMessage', () => {
  it('round-trips sender, recipients, subject, headers, text and HTML through a MIME parser', async () => {
    const raw = build(request());
    const parsed = await simpleParser(raw);
    expect(parsed.from?.value).toEqual([{ address: 'no-reply@plystra.example', name: 'Plystra Anmeldung' }]);
    expect(parsed.to && !Array.isArray(parsed.to) ? parsed.to.value : null).toEqual([
      { address: 'zoe@example.org', name: 'Zoë Ångström-Müller' },
      { address: 'bob@example.com', name: '' },
    ]);
    expect(parsed.subject).toBe(request().subject);
    expect(parsed.text).toBe(request().text);
    expect(parsed.html).toBe(request().html);
    expect(parsed.messageId).toBe('<abc123@plystra.example>');
    expect(parsed.date?.toISOString()).toBe('2026-01-02T03:04:05.000Z');
    expect(parsed.headers.get('x-plystra-purpose')).toBe('auth.email_code');
    expect(decodeWords(parsed.headers.get('x-note'))).toBe('Grüße aus Köln');
  });

  it('writes 7-bit lines of at most 998 characters, ended by CRLF', () => {
    const raw = build(request({ subject: 'Ü'.repeat(400), text: 'ä'.repeat(5000) }));
    expect(raw).toMatch(/^[\x00-\x7f]*$/);
    expect(raw.split('\r\n').every((line) => line.length <= 998 && !line.includes('\n'))).toBe(true);
  });

  it('sends a single part when only text or only HTML is given', async () => {
    const textOnly = await simpleParser(build(request({ html: undefined })));
    expect(textOnly.text).toBe(request().text);
    expect(textOnly.html).toBe(false);
    expect(textOnly.headers.get('content-type')).toMatchObject({ value: 'text/plain' });
    const htmlOnly = await simpleParser(build(request({ text: undefined })));
    expect(htmlOnly.html).toBe(request().html);
    expect(htmlOnly.headers.get('content-type')).toMatchObject({ value: 'text/html' });
  });

  it('quotes or encodes display names and writes IDN domains in punycode', () => {
    expect(formatAddress({ address: 'a@example.com', name: 'Doe, Jane "JD"' })).toBe('"Doe, Jane \\"JD\\"" <a@example.com>');
    expect(formatAddress({ address: 'a@bücher.de' })).toBe('<a@xn--bcher-kva.de>');
    expect(formatAddress({ address: 'a@example.com', name: 'Zoë' })).toBe('=?UTF-8?B?Wm/Dqw==?= <a@example.com>');
  });
});
