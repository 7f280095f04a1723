import { Inject, Injectable, type OnModuleDestroy } from '@nestjs/common';
import nodemailer, { type Transporter } from 'nodemailer';
import type SMTPPool from 'nodemailer/lib/smtp-pool';
import type { EmailSendRequest } from '@plystra/email-contract';
import { EMAIL_SMTP_CONFIG } from '../config/email-smtp-config.module';
import type { EmailSmtpConfig } from '../config/email-smtp.config';
import { SMTP_SETTINGS } from '../settings/smtp-settings.module';
import type { SmtpSettings } from '../settings/smtp-settings';
import { noDelaySocket } from './no-delay-socket';
import { smtpFailureOf, type SmtpFailure } from './smtp-failure';

export type SmtpSendResult = { ok: true; messageId: string; rejected: string[] } | { ok: false; failure: SmtpFailure };

export function transportOptions(settings: SmtpSettings, password: string | undefined): SMTPPool.Options {
  return {
    pool: true,
    host: settings.host,
    port: settings.port,
    secure: settings.tls_mode === 'tls',
    requireTLS: settings.tls_mode === 'starttls',
    ignoreTLS: settings.tls_mode === 'none',
    tls: { rejectUnauthorized: settings.tls_reject_unauthorized },
    auth: settings.username ? { user: settings.username, pass: password } : undefined,
    maxConnections: settings.pool_size,
    maxMessages: settings.max_messages_per_connection,
    connectionTimeout: settings.connection_timeout_ms,
    greetingTimeout: settings.greeting_timeout_ms,
    socketTimeout: settings.socket_timeout_ms,
    dnsTimeout: settings.connection_timeout_ms,
    getSocket: noDelaySocket(settings),
    disableFileAccess: true,
    disableUrlAccess: true,
    logger: false,
    debug: false,
  };
}

/** Nodemailer's pooled SMTP transport, with its failures turned into contract codes. */
@Injectable()
export class SmtpTransport implements OnModuleDestroy {
  private readonly transporter: Transporter<SMTPPool.SentMessageInfo>;

  constructor(
    @Inject(SMTP_SETTINGS) private readonly settings: SmtpSettings,
    @Inject(EMAIL_SMTP_CONFIG) config: EmailSmtpConfig,
  ) {
    this.transporter = nodemailer.createTransport(transportOptions(settings, config.smtpPassword));
  }

  /** Settles with the server's verdict; never rejects. */
  async send(request: EmailSendRequest): Promise<SmtpSendResult> {
    try {
      const info = await this.transporter.sendMail({
        from: { name: request.from.name ?? '', address: request.from.address },
        to: request.to.map((r) => ({ name: r.name ?? '', address: r.address })),
        subject: request.subject,
        text: request.text,
        html: request.html,
        headers: request.headers,
        envelope: this.settings.default_sender ? { from: this.settings.default_sender, to: request.to.map((r) => r.address) } : undefined,
      });
      return { ok: true, messageId: info.messageId, rejected: (info.rejected ?? []).map(String) };
    } catch (error) {
      return { ok: false, failure: smtpFailureOf(error) };
    }
  }

  /** Whether the server answers and accepts us, within the health timeout. */
  async verify(): Promise<SmtpFailure | null> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(Object.assign(new Error(`no answer within ${this.settings.health_timeout_ms} ms`), { code: 'ETIMEDOUT' })), this.settings.health_timeout_ms);
    });
    const verifying = this.transporter.verify();
    verifying.catch(() => undefined);
    try {
      await Promise.race([verifying, timeout]);
      return null;
    } catch (error) {
      return smtpFailureOf(error);
    } finally {
      clearTimeout(timer);
    }
  }

  onModuleDestroy(): void {
    this.transporter.close();
  }
}
