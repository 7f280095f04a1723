import { smtpFailureOf } from './smtp-failure';

describe('smtpFailureOf', () => {
  it.each([
    [{ code: 'EENVELOPE', responseCode: 550, response: '550 5.1.1 <a@b.c>: Recipient address rejected' }, 'SMTP_REJECTED'],
    [{ code: 'EMESSAGE', responseCode: 554, response: '554 5.6.0 rejected' }, 'SMTP_REJECTED'],
    [{ code: 'EENVELOPE', responseCode: 451, response: '451 4.3.0 try later' }, 'SMTP_DEFERRED'],
    [{ code: 'EAUTH', responseCode: 535, response: '535 5.7.8 bad credentials' }, 'SMTP_AUTH_FAILED'],
    [{ code: 'ETIMEDOUT', message: 'Timeout' }, 'SMTP_TIMEOUT'],
    [{ code: 'ECONNECTION', message: 'connect ECONNREFUSED 127.0.0.1:2525' }, 'SMTP_UNAVAILABLE'],
    [{ code: 'ESOCKET', message: 'read ECONNRESET' }, 'SMTP_UNAVAILABLE'],
    [{ code: 'EDNS', message: 'getaddrinfo ENOTFOUND smtp.nowhere' }, 'SMTP_UNAVAILABLE'],
    [new Error('something odd'), 'SMTP_ERROR'],
    [undefined, 'SMTP_ERROR'],
  ])('maps %j to %s', (error, code) => {
    expect(smtpFailureOf(error).code).toBe(code);
  });

  it('hands back the server reply on one bounded line', () => {
    const failure = smtpFailureOf({ responseCode: 550, response: `550 first\r\nsecond ${'x'.repeat(1000)}` });
    expect(failure.message).toMatch(/^The SMTP server rejected the message: 550 first second x+$/);
    expect(failure.message).not.toMatch(/[\r\n]/);
    expect(failure.message.length).toBeLessThan(400);
  });
});
