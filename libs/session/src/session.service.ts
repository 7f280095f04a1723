import { BatchedStatement, PreparedStatement } from '@plystra/db';
import type { DataSource, EntityManager } from 'typeorm';
import type { Actor } from './actor';
import { ACCESS_TOKEN_PREFIX, REFRESH_TOKEN_PREFIX, SESSION_ID_PREFIX, TokenHasher, hasTokenShape, newOpaqueToken } from './tokens';

export interface SessionSettings {
  accessTtlSeconds: number;
  refreshTtlSeconds: number;
  /** A rotated refresh token presented within this window is a benign race, not reuse. */
  refreshReuseGraceSeconds: number;
  /**
   * Optional idle limit (ASVS 3.3.2): a refresh more than this long after the session's last
   * refresh (or its creation) is refused and the session revoked. Null (the default): off, the
   * 30-day absolute refresh expiry alone applies.
   */
  idleTimeoutSeconds?: number | null;
}

export const DEFAULT_SESSION_SETTINGS: SessionSettings = {
  accessTtlSeconds: 15 * 60,
  refreshTtlSeconds: 30 * 24 * 3600,
  refreshReuseGraceSeconds: 10,
  idleTimeoutSeconds: null,
};

/** The most sessions `listForUser` returns (newest first); the list is capped, not paginated. */
export const SESSION_LIST_CAP = 100;

/** One of a user's active sessions as the user may see it: never a token or a hash. */
export interface SessionSummary {
  id: string;
  created_at: string;
  refreshed_at: string | null;
  expires_at: string;
  refresh_expires_at: string;
  ip: string | null;
  user_agent: string | null;
  current: boolean;
}

export interface IssuedTokens {
  session_id: string;
  access_token: string;
  refresh_token: string;
  token_type: 'Bearer';
  expires_at: string;
  refresh_expires_at: string;
}

export interface SessionRow {
  id: string;
  user_id: string;
  user_email: string;
  active_space_id: string | null;
  active_member_id: string | null;
  active_user_member_id: string | null;
  expires_at: Date;
}

export type AccessCheck = { status: 'valid'; session: SessionRow } | { status: 'expired' } | { status: 'invalid' };

export type RotationResult =
  | { status: 'rotated'; tokens: IssuedTokens; session: { id: string; user_id: string } }
  /** A rotated token within the grace window: refused, nothing else happens. */
  | { status: 'reused_within_grace' }
  /** A rotated token after the grace window: the whole session was revoked. */
  | { status: 'reuse_revoked'; session: { id: string; user_id: string; active_space_id: string | null; active_member_id: string | null; active_user_member_id: string | null } }
  | { status: 'invalid' };

export interface ClientInfo {
  ip: string | null;
  userAgent: string | null;
}

type Db = DataSource | EntityManager;

const iso = (value: Date | string) => new Date(value).toISOString();

/** Each concurrent bearer's session, if any, by the token's candidate hashes (a BatchedStatement: one row per call). */
const ACCESS_LOOKUP_SQL = `SELECT q.ord, found.*
   FROM jsonb_to_recordset($1::jsonb) AS q(ord integer, hashes text[])
   LEFT JOIN LATERAL (
     SELECT s.id, s.user_id, u.email AS user_email, s.active_space_id, s.active_member_id, s.active_user_member_id, s.expires_at,
            s.expires_at <= now() AS expired
       FROM sessions s JOIN users u ON u.id = s.user_id
      WHERE s.access_token_hash = ANY(q.hashes) AND s.revoked_at IS NULL AND u.status = 'active' AND u.deleted_at IS NULL
      LIMIT 1) AS found ON true`;

/** A new session, and the user's `last_login_at`, in one statement. */
const CREATE_SQL = `WITH signed_in AS (UPDATE users SET last_login_at = now() WHERE id = $2)
   INSERT INTO sessions (id, user_id, active_space_id, active_member_id, active_user_member_id, access_token_hash,
                         refresh_token_hash, expires_at, refresh_expires_at, ip, user_agent)
   VALUES ($1, $2, $3, $4, $5, $6, $7, now() + make_interval(secs => $8), now() + make_interval(secs => $9), $10, $11)
   RETURNING expires_at, refresh_expires_at`;

/**
 * Opaque sessions shared by Core and the auth plugin: only HMAC hashes of the tokens are stored,
 * so a session minted by either service is accepted, refreshed and revoked by the other.
 */
export class SessionService {
  /** Runs on every bearer request: concurrent bearers share one named statement. */
  private readonly accessLookup: BatchedStatement<(SessionRow & { expired: boolean }) | { id: null }>;
  /** Runs on every sign-in. */
  private readonly createStatement: PreparedStatement<{ expires_at: Date; refresh_expires_at: Date }>;

  constructor(
    private readonly dataSource: DataSource,
    private readonly hasher: TokenHasher,
    private readonly settings: SessionSettings = DEFAULT_SESSION_SETTINGS,
  ) {
    this.accessLookup = new BatchedStatement(dataSource, 'plystra_session_access_lookup', ACCESS_LOOKUP_SQL);
    this.createStatement = new PreparedStatement(dataSource, 'plystra_session_create', CREATE_SQL);
  }

  /** Opens a session for a user who has just signed in, and stamps their `last_login_at`, in one statement. */
  async create(userId: string, actor: Actor | null, client: ClientInfo, db: Db = this.dataSource): Promise<IssuedTokens> {
    const id = newOpaqueToken(SESSION_ID_PREFIX);
    const access = newOpaqueToken(ACCESS_TOKEN_PREFIX);
    const refresh = newOpaqueToken(REFRESH_TOKEN_PREFIX);
    const [row] = await this.createStatement.rowsOn(db, [id, userId, actor?.space_id ?? null, actor?.member_id ?? null, actor?.user_member_id ?? null,
      this.hasher.hash(access), this.hasher.hash(refresh), this.settings.accessTtlSeconds, this.settings.refreshTtlSeconds, client.ip, client.userAgent]);
    return { session_id: id, access_token: access, refresh_token: refresh, token_type: 'Bearer', expires_at: iso(row.expires_at), refresh_expires_at: iso(row.refresh_expires_at) };
  }

  /** A bearer is valid when its session is not revoked, not expired, and its user is active. */
  async authenticate(accessToken: string): Promise<AccessCheck> {
    if (!hasTokenShape(accessToken, ACCESS_TOKEN_PREFIX)) return { status: 'invalid' };
    const row = await this.accessLookup.row({ hashes: this.hasher.candidates(accessToken) });
    if (row.id === null) return { status: 'invalid' };
    if (row.expired) return { status: 'expired' };
    const { expired: _expired, ...session } = row;
    return { status: 'valid', session };
  }

  /**
   * Rotates both tokens in one conditional UPDATE: of any number of concurrent refreshes with the
   * same token, exactly one wins, and the old access token dies at once. The refresh expiry is
   * absolute and never extended.
   */
  async rotate(refreshToken: string): Promise<RotationResult> {
    if (!hasTokenShape(refreshToken, REFRESH_TOKEN_PREFIX)) return { status: 'invalid' };
    const hashes = this.hasher.candidates(refreshToken);
    const access = newOpaqueToken(ACCESS_TOKEN_PREFIX);
    const refresh = newOpaqueToken(REFRESH_TOKEN_PREFIX);
    const idle = this.idleTimeout();
    const [rows] = await this.dataSource.query(
      `UPDATE sessions s
          SET access_token_hash = $2, refresh_token_hash = $3, previous_refresh_token_hash = s.refresh_token_hash,
              refreshed_at = now(), expires_at = LEAST(now() + make_interval(secs => $4), s.refresh_expires_at)
         FROM users u
        WHERE s.refresh_token_hash = ANY($1) AND s.revoked_at IS NULL AND s.refresh_expires_at > now()
          AND ($5::int IS NULL OR COALESCE(s.refreshed_at, s.created_at) > now() - make_interval(secs => $5::int))
          AND u.id = s.user_id AND u.status = 'active' AND u.deleted_at IS NULL
        RETURNING s.id, s.user_id, s.expires_at, s.refresh_expires_at`,
      [hashes, this.hasher.hash(access), this.hasher.hash(refresh), this.settings.accessTtlSeconds, idle],
    );
    const row = rows[0];
    if (row) {
      return {
        status: 'rotated',
        session: { id: row.id, user_id: row.user_id },
        tokens: { session_id: row.id, access_token: access, refresh_token: refresh, token_type: 'Bearer', expires_at: iso(row.expires_at), refresh_expires_at: iso(row.refresh_expires_at) },
      };
    }
    if (idle !== null) {
      // The current token of a session idle for too long: the session ends here (its access token too).
      const [idled] = await this.dataSource.query(
        `UPDATE sessions SET revoked_at = now(), revoked_reason = 'idle_timeout'
          WHERE refresh_token_hash = ANY($1) AND revoked_at IS NULL AND COALESCE(refreshed_at, created_at) <= now() - make_interval(secs => $2::int)
          RETURNING id`,
        [hashes, idle],
      );
      if (idled[0]) return { status: 'invalid' };
    }
    // Not current: was it the token this session held before its last rotation?
    const [revoked] = await this.dataSource.query(
      `UPDATE sessions SET revoked_at = now(), revoked_reason = 'refresh_token_reuse'
        WHERE previous_refresh_token_hash = ANY($1) AND revoked_at IS NULL
          AND refreshed_at < now() - make_interval(secs => $2)
        RETURNING id, user_id, active_space_id, active_member_id, active_user_member_id`,
      [hashes, this.settings.refreshReuseGraceSeconds],
    );
    if (revoked[0]) return { status: 'reuse_revoked', session: revoked[0] };
    return (await this.isRecentlyRotated(hashes)) ? { status: 'reused_within_grace' } : { status: 'invalid' };
  }

  private idleTimeout(): number | null {
    const idle = this.settings.idleTimeoutSeconds;
    return idle && idle > 0 ? Math.round(idle) : null;
  }

  /**
   * The user's active sessions (not revoked, refresh not expired, not idle beyond the limit),
   * newest first, at most SESSION_LIST_CAP. Never a token or a hash.
   */
  async listForUser(userId: string, currentSessionId: string | null): Promise<SessionSummary[]> {
    const rows: Array<{ id: string; created_at: Date; refreshed_at: Date | null; expires_at: Date; refresh_expires_at: Date; ip: string | null; user_agent: string | null }> =
      await this.dataSource.query(
        `SELECT id, created_at, refreshed_at, expires_at, refresh_expires_at, ip, user_agent
           FROM sessions
          WHERE user_id = $1 AND revoked_at IS NULL AND refresh_expires_at > now()
            AND ($2::int IS NULL OR expires_at > now() OR COALESCE(refreshed_at, created_at) > now() - make_interval(secs => $2::int))
          ORDER BY created_at DESC, id DESC
          LIMIT $3`,
        [userId, this.idleTimeout(), SESSION_LIST_CAP],
      );
    return rows.map((r) => ({
      id: r.id,
      created_at: iso(r.created_at),
      refreshed_at: r.refreshed_at ? iso(r.refreshed_at) : null,
      expires_at: iso(r.expires_at),
      refresh_expires_at: iso(r.refresh_expires_at),
      ip: r.ip,
      user_agent: r.user_agent,
      current: r.id === currentSessionId,
    }));
  }

  /** Revokes one session of this user; null when the id is not one of the user's active sessions. */
  async revokeForUser(userId: string, sessionId: string, reason: string, db: Db = this.dataSource): Promise<{ id: string; user_id: string } | null> {
    const [rows] = await db.query(
      `UPDATE sessions SET revoked_at = now(), revoked_reason = $3
        WHERE id = $1 AND user_id = $2 AND revoked_at IS NULL AND refresh_expires_at > now()
        RETURNING id, user_id`,
      [sessionId, userId, reason],
    );
    return rows[0] ?? null;
  }

  /** Revokes every session of the user except `keepSessionId`; returns how many. */
  async revokeOthersForUser(userId: string, keepSessionId: string, reason: string, db: Db = this.dataSource): Promise<number> {
    const [, count] = await db.query(
      `UPDATE sessions SET revoked_at = now(), revoked_reason = $3 WHERE user_id = $1 AND id <> $2 AND revoked_at IS NULL`,
      [userId, keepSessionId, reason],
    );
    return Number(count ?? 0);
  }

  private async isRecentlyRotated(hashes: string[]): Promise<boolean> {
    const rows = await this.dataSource.query(`SELECT 1 FROM sessions WHERE previous_refresh_token_hash = ANY($1) AND revoked_at IS NULL`, [hashes]);
    return rows.length > 0;
  }

  /** Revokes the session an access or refresh token belongs to; returns it when one matched. */
  async revokeByToken(token: string, reason = 'logout'): Promise<{ id: string; user_id: string } | null> {
    if (!hasTokenShape(token, ACCESS_TOKEN_PREFIX) && !hasTokenShape(token, REFRESH_TOKEN_PREFIX)) return null;
    const hashes = this.hasher.candidates(token);
    const [rows] = await this.dataSource.query(
      `UPDATE sessions SET revoked_at = now(), revoked_reason = $2
        WHERE (access_token_hash = ANY($1) OR refresh_token_hash = ANY($1)) AND revoked_at IS NULL
        RETURNING id, user_id`,
      [hashes, reason],
    );
    return rows[0] ?? null;
  }

  async revokeAllForUser(userId: string, reason: string, db: Db = this.dataSource): Promise<number> {
    const [, count] = await db.query(`UPDATE sessions SET revoked_at = now(), revoked_reason = $2 WHERE user_id = $1 AND revoked_at IS NULL`, [userId, reason]);
    return Number(count ?? 0);
  }

  async setActor(sessionId: string, actor: Actor): Promise<void> {
    await this.dataSource.query(
      `UPDATE sessions SET active_space_id = $2, active_member_id = $3, active_user_member_id = $4 WHERE id = $1`,
      [sessionId, actor.space_id, actor.member_id, actor.user_member_id],
    );
  }
}
