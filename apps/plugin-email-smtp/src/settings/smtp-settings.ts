import { z } from 'zod';
import { isSecretLookingKey } from '@plystra/db';
import { emailAddressProblem } from '@plystra/email-contract';

export const TLS_MODES = ['starttls', 'tls', 'none'] as const;
export type TlsMode = (typeof TLS_MODES)[number];

const timeout = (fallback: number) => z.number().int().min(100).max(120_000).default(fallback);

/**
 * The non-secret transport settings stored in `plugin_email_smtp_settings` (one row per key).
 * `tls_mode`: `starttls` requires STARTTLS, `tls` connects over TLS (port 465), `none` sends in the
 * clear (a local relay only). `default_sender` is the envelope sender (MAIL FROM, where bounces go)
 * for every message; when null the message's own from address is used.
 */
const schema = z.object({
  host: z.string().min(1).max(253).default('localhost'),
  port: z.number().int().min(1).max(65535).default(587),
  tls_mode: z.enum(TLS_MODES).default('starttls'),
  tls_reject_unauthorized: z.boolean().default(true),
  username: z.string().max(256).default(''),
  pool_size: z.number().int().min(1).max(100).default(5),
  max_messages_per_connection: z.number().int().min(1).max(100_000).default(100),
  default_sender: z
    .string()
    .nullable()
    .default(null)
    .refine((v) => v === null || emailAddressProblem(v) === null, { message: 'must be an email address or null' }),
  connection_timeout_ms: timeout(5_000),
  greeting_timeout_ms: timeout(5_000),
  socket_timeout_ms: timeout(8_000),
  /** The whole exchange for one message, queueing in the pool included. */
  send_timeout_ms: timeout(8_000),
  health_timeout_ms: timeout(3_000),
});

export type SmtpSettings = z.infer<typeof schema>;
export const SMTP_SETTING_KEYS = Object.keys(schema.shape) as Array<keyof SmtpSettings>;

export class SmtpSettingsError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid SMTP settings in plugin_email_smtp_settings:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  }
}

/**
 * Reads stored rows into settings, with defaults for missing keys. A secret-looking key or a bad
 * value stops start-up with every problem named; an unknown key is returned so it can be reported.
 */
export function parseSmtpSettings(rows: Array<{ key: string; value: unknown }>): { settings: SmtpSettings; unknownKeys: string[] } {
  const problems: string[] = [];
  const values: Record<string, unknown> = {};
  const unknownKeys: string[] = [];
  for (const { key, value } of rows) {
    if (isSecretLookingKey(key)) problems.push(`${key}: looks like a secret; secrets come from the environment only`);
    else if ((SMTP_SETTING_KEYS as string[]).includes(key)) values[key] = value;
    else unknownKeys.push(key);
  }
  const result = schema.safeParse(values);
  if (!result.success) problems.push(...result.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`));
  if (problems.length) throw new SmtpSettingsError(problems);
  return { settings: result.data!, unknownKeys };
}

export const DEFAULT_SMTP_SETTINGS: SmtpSettings = parseSmtpSettings([]).settings;
