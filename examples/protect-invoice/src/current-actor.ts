import type { AuthzActor } from '@plystra/sdk';

/** The request as the guard sees it (Express). */
export interface AppRequest {
  headers: Record<string, string | string[] | undefined>;
  params: Record<string, string>;
  /** Set by your own authentication (passport, a session middleware…). */
  user?: { plystraActor?: AuthzActor };
}

/**
 * DEMO ONLY: the demo's two users, chosen with an `X-Demo-User` header so the example runs
 * without an identity provider. In a real app the actor comes from the authenticated user
 * (`req.user`), never from a header the client controls.
 */
const DEMO_ACTORS: Record<string, AuthzActor> = {
  alice: { user_id: 'user_alice', member_id: 'member_finance_reviewer', user_member_id: 'um_alice_finance_reviewer', space_id: 'space_acme' },
  bob: { user_id: 'user_bob', member_id: 'member_finance_reviewer', user_member_id: 'um_bob_finance_reviewer', space_id: 'space_acme' },
};

/** Who acts in this request; null answers 401 before Plystra is asked. */
export function currentActor(req: AppRequest): AuthzActor | null {
  if (req.user?.plystraActor) return req.user.plystraActor;
  const demoUser = req.headers['x-demo-user'];
  return typeof demoUser === 'string' ? (DEMO_ACTORS[demoUser] ?? null) : null;
}
