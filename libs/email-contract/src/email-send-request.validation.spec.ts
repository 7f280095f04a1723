import fc from 'fast-check';
import {
  EMAIL_MAX_BODY_BYTES, EMAIL_MAX_RECIPIENTS, canonicalJson, emailAddressProblem, emailSendRequestProblems,
  emailSendResponseProblems, isTransportHeader, parseEmailSendRequest, refusalFor, utf8ByteLength, type EmailSendRequest,
} from '@plystra/email-contract';

const valid = (): EmailSendRequest => ({
  message_id: 'authchal_0123456789abcdef',
  idempotency_key: 'authchal_0123456789abcdef',
  purpose: 'auth.email_code',
  from: { address: 'no-reply@example.com', name: 'Plystra' },
  to: [{ address: 'zoë@example.org', name: 'Zoë Müller' }],
  subject: 'Your code: 123456 — valid 10 minutes',
  text: 'Your code is 123456.',
  html: '<p>Your code is <b>123456</b>.</p>',
  headers: { 'X-Campaign': 'sign-in' },
  metadata: { challenge_id: 'authchal_0123456789abcdef', delivery_method: 'email_code' },
});

const codesOf = (input: unknown) => emailSendRequestProblems(input).map((p) => `${p.field}:${p.code}`);

describe('send request validation', () => {
  it('accepts a complete request and copies only the contract fields', () => {
    expect(emailSendRequestProblems(valid())).toEqual([]);
    const parsed = parseEmailSendRequest({ ...valid(), from: { address: 'a@example.com', name: '' } });
    expect(parsed).toEqual({ ok: true, request: { ...valid(), from: { address: 'a@example.com' } } });
  });

  it('accepts a request with only text or only html', () => {
    const { html: _html, ...textOnly } = valid();
    const { text: _text, ...htmlOnly } = valid();
    expect(emailSendRequestProblems(textOnly)).toEqual([]);
    expect(emailSendRequestProblems(htmlOnly)).toEqual([]);
  });

  it.each([
    ['from.address', (r: EmailSendRequest) => void (r.from.address = 'a@example.com\r\nBcc: victim@example.com')],
    ['from.name', (r: EmailSendRequest) => void (r.from.name = 'Plystra\nBcc: victim@example.com')],
    ['to[0].address', (r: EmailSendRequest) => void (r.to[0].address = 'b@example.com\nX: y')],
    ['to[0].name', (r: EmailSendRequest) => void (r.to[0].name = 'Zoë\r')],
    ['subject', (r: EmailSendRequest) => void (r.subject = 'Hello\r\nBcc: victim@example.com')],
    ['headers.X-Campaign', (r: EmailSendRequest) => void (r.headers = { 'X-Campaign': 'a\r\nBcc: victim@example.com' })],
    ['headers.X-A\nBcc', (r: EmailSendRequest) => void (r.headers = { 'X-A\nBcc': 'v' })],
  ])('refuses CR/LF in %s as HEADER_INJECTION', (field, mutate) => {
    const request = valid();
    mutate(request);
    const problems = emailSendRequestProblems(request);
    expect(problems).toContainEqual(expect.objectContaining({ field, code: 'HEADER_INJECTION' }));
    expect(refusalFor(problems).code).toBe('HEADER_INJECTION');
  });

  it.each(['Bcc', 'bcc', 'From', 'To', 'Cc', 'Reply-To', 'Return-Path', 'Received', 'Sender', 'Content-Type', 'content-transfer-encoding', 'MIME-Version', 'Message-ID', 'Resent-To'])(
    'refuses the transport header %s',
    (name) => {
      expect(codesOf({ ...valid(), headers: { [name]: 'someone@example.com' } })).toEqual([`headers.${name}:HEADER_NOT_ALLOWED`]);
    },
  );

  it('allows ordinary extra headers', () => {
    for (const name of ['X-Campaign', 'List-Unsubscribe', 'X-Entity-Ref-ID', 'Auto-Submitted']) expect(isTransportHeader(name)).toBe(false);
  });

  it(`refuses more than ${EMAIL_MAX_RECIPIENTS} recipients, and accepts exactly that many`, () => {
    const recipients = (n: number) => Array.from({ length: n }, (_, i) => ({ address: `user${i}@example.com` }));
    expect(codesOf({ ...valid(), to: recipients(EMAIL_MAX_RECIPIENTS + 1) })).toEqual(['to:TOO_MANY_RECIPIENTS']);
    expect(codesOf({ ...valid(), to: recipients(EMAIL_MAX_RECIPIENTS) })).toEqual([]);
  });

  it('counts the 1 MiB body limit in UTF-8 bytes over text and html together', () => {
    const half = 'é'.repeat(EMAIL_MAX_BODY_BYTES / 4);
    expect(codesOf({ ...valid(), text: half, html: half })).toEqual([]);
    expect(codesOf({ ...valid(), text: half, html: `${half}x` })).toEqual(['html:MESSAGE_TOO_LARGE']);
    expect(codesOf({ ...valid(), text: 'x'.repeat(EMAIL_MAX_BODY_BYTES + 1), html: undefined })).toEqual(['text:MESSAGE_TOO_LARGE']);
  });

  it('refuses wrong shapes with VALIDATION_FAILED per field', () => {
    expect(codesOf(null)).toEqual(['body:VALIDATION_FAILED']);
    expect(codesOf([valid()])).toEqual(['body:VALIDATION_FAILED']);
    expect(codesOf({ ...valid(), cc: [] })).toEqual(['cc:VALIDATION_FAILED']);
    expect(codesOf({ ...valid(), text: '', html: undefined })).toEqual(['text:VALIDATION_FAILED']);
    expect(codesOf({ ...valid(), to: [] })).toEqual(['to:VALIDATION_FAILED']);
    expect(codesOf({ ...valid(), subject: '  ' })).toEqual(['subject:VALIDATION_FAILED']);
    expect(codesOf({ ...valid(), from: { address: 'a@example.com', display: 'x' } })).toEqual(['from.display:VALIDATION_FAILED']);
    expect(codesOf({ ...valid(), metadata: { challenge_id: 7 } })).toEqual(['metadata.challenge_id:VALIDATION_FAILED']);
    expect(codesOf({ ...valid(), idempotency_key: 'has space' })).toEqual(['idempotency_key:VALIDATION_FAILED']);
    expect(codesOf({ from: valid().from, to: valid().to, text: 'x' })).toEqual(['subject:VALIDATION_FAILED']);
  });

  it.each(['plain', '@example.com', 'a@', 'a@localhost', 'a b@example.com', 'a@exa mple.com', '<a@example.com>', 'a..b@example.com', 'a@-x.com'])(
    'refuses the address %j',
    (address) => expect(emailAddressProblem(address)?.code).toBe('INVALID_ADDRESS'),
  );

  it.each(['a@example.com', 'first.last+tag@sub.example.co.uk', 'zoë@bücher.de', "o'hara@example.com"])('accepts the address %j', (address) => {
    expect(emailAddressProblem(address)).toBeNull();
  });

  it('names the refusal by the most telling problem and lists all of them', () => {
    const refusal = refusalFor(emailSendRequestProblems({ ...valid(), to: [{ address: 'bad' }], subject: 'a\nb' }));
    expect(refusal.code).toBe('HEADER_INJECTION');
    expect(refusal.details.problems.map((p) => p.code).sort()).toEqual(['HEADER_INJECTION', 'INVALID_ADDRESS']);
  });
});

describe('helpers', () => {
  it('counts UTF-8 bytes like Buffer does', () => {
    const codeUnit = fc.integer({ min: 0, max: 0xffff }).map((n) => String.fromCharCode(n));
    fc.assert(fc.property(fc.string({ unit: fc.oneof(codeUnit, fc.constantFrom('\ud83d\ude00', '\ud800', '\udc00')) }), (s) => utf8ByteLength(s) === Buffer.byteLength(s)));
  });

  it('gives equal canonical JSON for equal objects in any key order', () => {
    expect(canonicalJson({ b: 1, a: { d: [1, { y: 2, x: 1 }], c: 'x' } })).toBe(canonicalJson({ a: { c: 'x', d: [1, { x: 1, y: 2 }] }, b: 1 }));
    expect(canonicalJson({ a: 1 })).not.toBe(canonicalJson({ a: 2 }));
  });

  it('checks a response', () => {
    expect(emailSendResponseProblems({ accepted: true, message_id: 'm', provider: 'smtp', provider_message_id: '<x@y>' })).toEqual([]);
    expect(emailSendResponseProblems({ accepted: 'yes', message_id: 'm', provider: 'smtp' }).map((p) => p.field)).toEqual(['accepted']);
    expect(emailSendResponseProblems('<html>').map((p) => p.field)).toEqual(['body']);
  });
});
