import { HttpException, HttpStatus, Inject, Injectable } from '@nestjs/common';
import { PlystraApiError, PlystraClient } from '@plystra/sdk';
import { EXAMPLE_CONFIG, type ExampleConfig } from './config';

/**
 * Sign-in by magic link, done by the Complete Auth plugin. The plugin emails a link to
 * `public_app_url` + `/auth/consume?token=…` (set `public_app_url` to this app's URL), and this
 * app exchanges the token for a Plystra session.
 */
@Injectable()
export class SignInService {
  constructor(@Inject(EXAMPLE_CONFIG) private readonly config: ExampleConfig) {}

  /** 202 whether or not the account exists (the plugin never tells). */
  sendLink(email: unknown) {
    return this.call((plystra) => plystra.completeAuth.magicLink({ email: email as string }));
  }

  /** The link is single use; a used, expired or unknown token is 401. */
  consume(token: unknown) {
    return this.call(async (plystra) => {
      const session = await plystra.completeAuth.consumeMagicLink({ token: token as string });
      return { access_token: session.access_token, refresh_token: session.refresh_token, expires_at: session.expires_at, user: session.user };
    });
  }

  /**
   * A fresh client per sign-in: the SDK keeps the tokens a sign-in returns in the client it ran on,
   * and one user's session must never land in a client another request uses.
   */
  private async call<T>(flow: (plystra: PlystraClient) => Promise<T>): Promise<T> {
    const plystra = new PlystraClient({ baseUrl: this.config.plystraUrl, completeAuthBaseUrl: this.config.plystraAuthUrl, timeoutMs: 5_000 });
    try {
      return await flow(plystra);
    } catch (error) {
      // The plugin's own answer (400 bad email, 401 bad link, 429 too many) goes back as it is.
      if (error instanceof PlystraApiError && error.status >= 400 && error.status < 500) {
        throw new HttpException({ error: { code: error.code, message: error.message } }, error.status);
      }
      throw new HttpException({ error: { code: 'AUTHENTICATION_UNAVAILABLE', message: 'Sign-in is unavailable; try again.' } }, HttpStatus.SERVICE_UNAVAILABLE);
    }
  }
}
