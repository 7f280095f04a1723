import { ServiceUnavailableException } from '@nestjs/common';
import { type AuthzActor, PlystraAuthError, PlystraClient } from '@plystra/sdk';

/** The request as the guard sees it (Express). */
export interface AppRequest {
  headers: Record<string, string | string[] | undefined>;
  params: Record<string, string>;
}

/**
 * Who acts in this request: the owner of the Plystra session sent as `Authorization: Bearer …`
 * (the access token the magic-link sign-in returned). Core resolves it (`GET /actor/context`) and
 * refuses expired, revoked or forged tokens. null makes the guard answer 401 without any check.
 */
export function currentActor(plystraUrl: string) {
  return async (req: AppRequest): Promise<AuthzActor | null> => {
    const header = req.headers.authorization;
    const accessToken = typeof header === 'string' ? /^Bearer ([^\s]+)$/i.exec(header)?.[1] : undefined;
    if (!accessToken) return null;
    try {
      // A client per request: it carries this user's token, never the app's API key.
      const session = await new PlystraClient({ baseUrl: plystraUrl, accessToken, timeoutMs: 3_000 }).actor.context();
      return session.actor;
    } catch (error) {
      if (error instanceof PlystraAuthError) return null;
      throw new ServiceUnavailableException({ error: { code: 'AUTHENTICATION_UNAVAILABLE', message: 'Plystra could not check the session.' } });
    }
  };
}
