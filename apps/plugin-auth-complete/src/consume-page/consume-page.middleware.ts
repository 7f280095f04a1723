import { Injectable, type NestMiddleware } from '@nestjs/common';
import { requestPathOf, requestQueryOf } from '@plystra/http';
import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { ChallengeRepository } from '../challenges/challenge.repository';
import { ChallengeSecrets } from '../challenges/challenge-secrets';
import { maskEmail } from '../passwordless/magic-link-url';
import { SettingsStore } from '../settings/settings.store';
import { consumePageHtml } from './consume-page.html';

export const CONSUME_API_PATH = '/api/v1/auth/magic-link/consume';

/**
 * Serves `GET {magic_link_path}` (a live setting, so matched here rather than routed). Reading the
 * link's challenge is a SELECT: opening the URL — as every mail scanner does — changes nothing.
 */
@Injectable()
export class ConsumePageMiddleware implements NestMiddleware {
  constructor(
    private readonly settings: SettingsStore,
    private readonly repository: ChallengeRepository,
    private readonly secrets: ChallengeSecrets,
  ) {}

  /** Given the Node request and response on Express and Fastify alike. */
  async use(req: IncomingMessage, res: ServerResponse, next: () => void): Promise<void> {
    if ((req.method !== 'GET' && req.method !== 'HEAD') || requestPathOf(req) !== this.settings.current.magicLinkPath) return next();
    const hashes = this.secrets.magicTokenCandidates(requestQueryOf(req).token);
    const link = hashes ? await this.repository.peekMagicLink(hashes) : null;
    const nonce = randomBytes(16).toString('base64');
    res.statusCode = 200;
    res.setHeader('Content-Type', 'text/html; charset=utf-8');
    res.setHeader(
      'Content-Security-Policy',
      `default-src 'none'; script-src 'nonce-${nonce}'; style-src 'nonce-${nonce}'; connect-src 'self'; img-src 'none'; form-action 'none'; base-uri 'none'; frame-ancestors 'none'`,
    );
    res.setHeader('X-Robots-Tag', 'noindex, nofollow');
    const html = consumePageHtml({ nonce, maskedEmail: link?.usable ? maskEmail(link.email) : null, consumePath: CONSUME_API_PATH });
    res.setHeader('Content-Length', String(Buffer.byteLength(html)));
    res.end(html);
  }
}
