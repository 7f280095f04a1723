import type { AddressInfo } from 'node:net';
import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer, type SMTPServerAddress, type SMTPServerDataStream, type SMTPServerSession } from 'smtp-server';

export interface ReceivedMail {
  envelope: { from: string; to: string[] };
  /** The parsed message; null when the sink was started with `parse: false`. */
  parsed: ParsedMail | null;
  raw: string;
}

/**
 * How the sink treats the next exchanges: `delayMs` holds the answer to a command, `reject`
 * answers it with an SMTP error (e.g. 550) instead of accepting.
 */
export interface SinkBehaviour {
  stage?: 'mail' | 'rcpt' | 'data';
  delayMs?: number;
  reject?: { code: number; message: string };
}

export interface SmtpSink {
  port: number;
  messages: ReceivedMail[];
  /** Connections the sink has accepted. */
  connections: number;
  behave(behaviour: SinkBehaviour): void;
  waitForMessages(count: number, timeoutMs?: number): Promise<ReceivedMail[]>;
  close(): Promise<void>;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** A real SMTP server (the `smtp-server` package) on a random local port, recording what it accepts. */
export interface SmtpSinkOptions {
  parse?: boolean;
  /** Listen on this port (0 = any free one). */
  port?: number;
  /** Require AUTH PLAIN/LOGIN with these credentials. */
  auth?: { user: string; pass: string };
}

export async function startSmtpSink(options: SmtpSinkOptions = {}): Promise<SmtpSink> {
  const parse = options.parse ?? true;
  let behaviour: SinkBehaviour = {};
  const messages: ReceivedMail[] = [];
  const sink = { connections: 0 };

  const gate = async (stage: SinkBehaviour['stage']): Promise<Error | null> => {
    if ((behaviour.stage ?? 'mail') !== stage) return null;
    if (behaviour.delayMs) await sleep(behaviour.delayMs);
    if (!behaviour.reject) return null;
    return Object.assign(new Error(behaviour.reject.message), { responseCode: behaviour.reject.code });
  };

  const server = new SMTPServer({
    authOptional: !options.auth,
    allowInsecureAuth: true,
    disabledCommands: options.auth ? ['STARTTLS'] : ['STARTTLS', 'AUTH'],
    onAuth(auth, _session, callback) {
      const ok = auth.username === options.auth?.user && auth.password === options.auth?.pass;
      callback(ok ? null : Object.assign(new Error('5.7.8 Authentication credentials invalid'), { responseCode: 535 }), ok ? { user: auth.username } : undefined);
    },
    logger: false,
    closeTimeout: 100,
    size: 10 * 1024 * 1024,
    onConnect(_session, callback) {
      sink.connections++;
      callback();
    },
    onMailFrom(_address: SMTPServerAddress, _session: SMTPServerSession, callback: (error?: Error | null) => void) {
      void gate('mail').then((error) => callback(error));
    },
    onRcptTo(_address: SMTPServerAddress, _session: SMTPServerSession, callback: (error?: Error | null) => void) {
      void gate('rcpt').then((error) => callback(error));
    },
    onData(stream: SMTPServerDataStream, session: SMTPServerSession, callback: (error?: Error | null) => void) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', async () => {
        const error = await gate('data');
        if (error) return callback(error);
        const raw = Buffer.concat(chunks).toString('utf8');
        const envelope = {
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
          to: session.envelope.rcptTo.map((r) => r.address),
        };
        messages.push({ envelope, parsed: parse ? await simpleParser(raw) : null, raw });
        callback();
      });
    },
  });
  server.on('error', () => undefined);
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, '127.0.0.1', resolve));
  const port = (server.server.address() as AddressInfo).port;

  return {
    port,
    messages,
    get connections() {
      return sink.connections;
    },
    behave(next: SinkBehaviour) {
      behaviour = next;
    },
    async waitForMessages(count: number, timeoutMs = 5_000) {
      const until = Date.now() + timeoutMs;
      while (messages.length < count && Date.now() < until) await sleep(10);
      return messages;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
