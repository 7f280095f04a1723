import { connect } from 'node:net';
import type SMTPPool from 'nodemailer/lib/smtp-pool';
import type { SmtpSettings } from '../settings/smtp-settings';

type GetSocket = NonNullable<SMTPPool.Options['getSocket']>;

/**
 * Nodemailer's socket hook: connections with Nagle's algorithm off. An SMTP exchange is a run of
 * small writes (commands, the message, the closing dot); with Nagle on, a write that follows an
 * unacknowledged one waits for the peer's delayed ACK, about 40 ms per message on Linux. The
 * socket is handed over connected; Nodemailer then speaks SMTP on it and secures it as the TLS
 * mode says (at once for implicit TLS, after STARTTLS otherwise).
 */
export function noDelaySocket(settings: SmtpSettings): GetSocket {
  return (_options, callback) => {
    const socket = connect({ host: settings.host, port: settings.port, noDelay: true });
    const timer = setTimeout(() => socket.destroy(Object.assign(new Error('Connection timeout'), { code: 'ETIMEDOUT' })), settings.connection_timeout_ms);
    const onError = (error: Error) => {
      clearTimeout(timer);
      callback(error, undefined);
    };
    socket.once('error', onError);
    socket.once('connect', () => {
      clearTimeout(timer);
      socket.removeListener('error', onError);
      callback(null, { connection: socket });
    });
  };
}
