import { simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';

/**
 * A development mail catcher: accepts every message on loopback and prints who it is for, its
 * subject and its text, so codes and magic links can be read in the `npm start` console.
 */
export async function startSmtpSink(port: number, print: (text: string) => void): Promise<{ close(): Promise<void> }> {
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onData(stream, _session, callback) {
      simpleParser(stream)
        .then((mail) => {
          const to = Array.isArray(mail.to) ? mail.to.map((a) => a.text).join(', ') : (mail.to?.text ?? '');
          print(`\n📧 mail to ${to}: ${mail.subject ?? '(no subject)'}\n${(mail.text ?? '').trim()}\n`);
          callback();
        })
        .catch((error: Error) => callback(error));
    },
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  return { close: () => new Promise((resolve) => server.close(() => resolve())) };
}
