import { createHash, timingSafeEqual } from 'node:crypto';
import { type CanActivate, type ExecutionContext, Inject, Injectable } from '@nestjs/common';
import { EmailRefusalCodes } from '@plystra/email-contract';
import { ApiError, headerOf } from '@plystra/http';
import { EMAIL_SMTP_CONFIG } from '../config/email-smtp-config.module';
import type { EmailSmtpConfig } from '../config/email-smtp.config';

const digest = (value: string) => createHash('sha256').update(value, 'utf8').digest();

/** `Authorization: Bearer <capability token>`, compared in constant time on SHA-256 digests. */
@Injectable()
export class CapabilityTokenGuard implements CanActivate {
  private readonly expected: Buffer;

  constructor(@Inject(EMAIL_SMTP_CONFIG) config: EmailSmtpConfig) {
    this.expected = digest(config.capabilityToken);
  }

  canActivate(context: ExecutionContext): boolean {
    const header = headerOf(context.switchToHttp().getRequest(), 'authorization') ?? '';
    const match = /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(header);
    if (match && timingSafeEqual(digest(match[1]), this.expected)) return true;
    throw new ApiError(401, EmailRefusalCodes.AUTHENTICATION_REQUIRED, 'A valid capability token is required (Authorization: Bearer <token>).', null, {}, {
      'WWW-Authenticate': 'Bearer realm="email.transactional"',
    });
  }
}
