import { ApiModule } from './api-module';
import type { Service } from './transport';
import type {
  ChallengeAccepted, CompleteAuthRegisterRequest, EmailCodeRequest, EmailCodeVerifyRequest, LoginBundle, LoginRequest,
  MagicLinkConsumeRequest, MagicLinkRequest, PluginHealth,
} from './types';

/**
 * The Complete Auth plugin's flows (complete-auth.md §1), on `completeAuthBaseUrl`. Every flow
 * that signs in stores the tokens in the same client and reports them through onTokenChange:
 * the plugin mints ordinary Core sessions, so the same client then calls Core with them (and
 * refreshes them on Core).
 */
export class CompleteAuthApi extends ApiModule {
  protected override readonly service: Service = 'completeAuth';

  /** Public registration (only when the operator enabled it): signs in at once. */
  async register(request: CompleteAuthRegisterRequest): Promise<LoginBundle> {
    return this.signIn(await this.httpPost<LoginBundle>('/auth/register', request, 'none'));
  }

  async login(credentials: LoginRequest): Promise<LoginBundle> {
    return this.signIn(await this.httpPost<LoginBundle>('/auth/login', { email: credentials.email, password: credentials.password }, 'none'));
  }

  /** Sends a six-digit code. The answer is the same whether or not the account exists. */
  emailCode(request: EmailCodeRequest): Promise<ChallengeAccepted> {
    return this.httpPost('/auth/email-code', request, 'none');
  }

  /** Wrong, expired, used or locked codes all answer 401 AUTHENTICATION_REQUIRED (PlystraAuthError). */
  async verifyEmailCode(request: EmailCodeVerifyRequest): Promise<LoginBundle & { verified: true }> {
    return this.signIn(await this.httpPost<LoginBundle & { verified: true }>('/auth/email-code/verify', request, 'none'));
  }

  /** Sends a sign-in link. The answer is the same whether or not the account exists. */
  magicLink(request: MagicLinkRequest): Promise<ChallengeAccepted> {
    return this.httpPost('/auth/magic-link', request, 'none');
  }

  /** `token` is the link's `?token=` value (`ply_ml_…`). Single use. */
  async consumeMagicLink(request: MagicLinkConsumeRequest | string): Promise<LoginBundle> {
    const body = typeof request === 'string' ? { token: request } : request;
    return this.signIn(await this.httpPost<LoginBundle>('/auth/magic-link/consume', body, 'none'));
  }

  /** `GET /health` of the plugin (503 NOT_READY with the checks in `details` when not ready). */
  async health(): Promise<PluginHealth> {
    return (await this.transport.request<PluginHealth>({ method: 'GET', path: '/health', root: true, auth: 'none', service: 'completeAuth' })).data;
  }

  private async signIn<T extends LoginBundle>(bundle: T): Promise<T> {
    await this.transport.storeTokens(bundle);
    return bundle;
  }
}
