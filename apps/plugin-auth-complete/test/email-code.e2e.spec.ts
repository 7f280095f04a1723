import { insertUser } from '@plystra/db/testing';
import { TEST_PASSWORD, concurrently, createUser, startPlugin, type PluginTestApp } from './plugin-test-app';

const CODE_FAILED = 'The code is invalid or has expired.';

describe('email codes (HTTP, real PostgreSQL)', () => {
  let plugin: PluginTestApp;
  const send = (email: string) => plugin.http.post('/api/v1/auth/email-code').send({ email });
  const verify = (email: string, code: string) => plugin.http.post('/api/v1/auth/email-code/verify').send({ email, code });
  const wrong = (code: string) => String((Number(code) + 1) % 1_000_000).padStart(6, '0');

  beforeAll(async () => {
    plugin = await startPlugin();
  });
  beforeEach(async () => {
    await plugin.db.dataSource.query(`DELETE FROM auth_rate_limits`);
    await plugin.setSettings({ public_registration_enabled: false, email_code_ttl: '10m', login_failure_limit: 8 });
  });
  afterAll(() => plugin.close());

  it('sends a six-digit code (202) and the right code signs in and sets email_verified_at', async () => {
    const user = await createUser(plugin.db, 'carol@example.com');
    const sent = await send('Carol@Example.com').expect(202);
    expect(sent.body.data).toEqual({ accepted: true, expires_at: expect.any(String), delivery_method: 'email_code', email_delivery_mode: 'log' });
    expect(new Date(sent.body.data.expires_at).getTime() - Date.now()).toBeGreaterThan(9 * 60_000);
    const code = plugin.lastCode('carol@example.com');
    expect(code).toMatch(/^[0-9]{6}$/);
    const [challenge] = await plugin.db.dataSource.query(`SELECT * FROM plugin_auth_challenges WHERE email = 'carol@example.com'`);
    expect(challenge).toMatchObject({ purpose: 'auth.email_code', status: 'pending', attempts: 0, max_attempts: 5, user_id: user.userId });
    expect(challenge.id).toMatch(/^authchal_[0-9a-f]{16}$/);
    expect(JSON.stringify(challenge)).not.toContain(code);

    const res = await verify('carol@example.com', code).expect(200);
    expect(res.body.data).toMatchObject({ verified: true, token_type: 'Bearer', user: { id: user.userId, email: 'carol@example.com', status: 'active' } });
    expect(res.body.data.access_token).toMatch(/^ply_at_[0-9a-f]{64}$/);
    expect(res.body.data.actor).toEqual({ user_id: user.userId, member_id: user.memberId, user_member_id: user.userMemberId, space_id: 'space_default' });
    const [row] = await plugin.db.dataSource.query(`SELECT email_verified_at FROM users WHERE id = $1`, [user.userId]);
    expect(row.email_verified_at).toBeInstanceOf(Date);
    const [after] = await plugin.db.dataSource.query(`SELECT status, attempts, consumed_at FROM plugin_auth_challenges WHERE id = $1`, [challenge.id]);
    expect(after).toMatchObject({ status: 'consumed', attempts: 1 });
    // Single use.
    const again = await verify('carol@example.com', code).expect(401);
    expect(again.body.error).toMatchObject({ code: 'AUTHENTICATION_REQUIRED', message: CODE_FAILED });
    const actions = await plugin.db.dataSource.query(`SELECT action FROM audit_logs WHERE actor_user_id = $1 ORDER BY created_at, action`, [user.userId]);
    expect(actions.map((a: { action: string }) => a.action)).toEqual(expect.arrayContaining(['auth.email_code.sent', 'auth.email_code.verified']));
  });

  it('locks the challenge after 5 wrong codes; the right code then fails', async () => {
    const user = await createUser(plugin.db, 'dave@example.com');
    await send('dave@example.com').expect(202);
    const code = plugin.lastCode('dave@example.com');
    for (let i = 0; i < 5; i++) {
      const res = await verify('dave@example.com', wrong(code)).expect(401);
      expect(res.body.error.message).toBe(CODE_FAILED);
    }
    const [challenge] = await plugin.db.dataSource.query(`SELECT status, attempts FROM plugin_auth_challenges WHERE email = 'dave@example.com'`);
    expect(challenge).toEqual({ status: 'locked', attempts: 5 });
    const right = await verify('dave@example.com', code).expect(401);
    expect(right.body.error.message).toBe(CODE_FAILED);
    const [{ count }] = await plugin.db.dataSource.query(`SELECT count(*)::int AS count FROM sessions WHERE user_id = $1`, [user.userId]);
    expect(count).toBe(0);
    const locked = await plugin.db.dataSource.query(`SELECT trace FROM audit_logs WHERE action = 'auth.email_code.locked' AND actor_user_id = $1`, [user.userId]);
    expect(locked).toHaveLength(1);
    expect(JSON.stringify(locked)).not.toContain(code);
  });

  it('refuses an expired code', async () => {
    await createUser(plugin.db, 'erin@example.com');
    await plugin.setSettings({ email_code_ttl: '1s' });
    await send('erin@example.com').expect(202);
    const code = plugin.lastCode('erin@example.com');
    await new Promise((resolve) => setTimeout(resolve, 1100));
    const res = await verify('erin@example.com', code).expect(401);
    expect(res.body.error.message).toBe(CODE_FAILED);
  });

  it('never accepts a code issued for one address for another, and a new send supersedes the old code', async () => {
    await createUser(plugin.db, 'frank@example.com');
    await createUser(plugin.db, 'grace@example.com');
    await send('frank@example.com').expect(202);
    await send('grace@example.com').expect(202);
    const frankCode = plugin.lastCode('frank@example.com');
    const graceCode = plugin.lastCode('grace@example.com');
    if (frankCode !== graceCode) await verify('grace@example.com', frankCode).expect(401);
    await send('frank@example.com').expect(202);
    const newer = plugin.lastCode('frank@example.com');
    if (newer !== frankCode) await verify('frank@example.com', frankCode).expect(401);
    const statuses = await plugin.db.dataSource.query(`SELECT status FROM plugin_auth_challenges WHERE email = 'frank@example.com' ORDER BY created_at`);
    expect(statuses.map((s: { status: string }) => s.status)).toEqual(['superseded', 'pending']);
    await verify('frank@example.com', newer).expect(200);
    await verify('grace@example.com', graceCode).expect(200);
  });

  it('answers the fourth send in a window with 429 and Retry-After, for known and unknown addresses alike', async () => {
    await createUser(plugin.db, 'heidi@example.com');
    for (const email of ['heidi@example.com', 'nobody-heidi@example.com']) {
      for (let i = 0; i < 3; i++) await send(email).expect(202);
      const limited = await send(email).expect(429);
      expect(limited.body.error.code).toBe('AUTH_RATE_LIMITED');
      expect(Number(limited.headers['retry-after'])).toBeGreaterThan(800);
      expect(limited.body.error.details.retry_after_seconds).toBe(Number(limited.headers['retry-after']));
    }
    expect(plugin.emailsTo('heidi@example.com')).toHaveLength(3);
    expect(plugin.emailsTo('nobody-heidi@example.com')).toHaveLength(0);
  });

  it('has a per-IP ceiling on sends across addresses (10 × the per-address limit)', async () => {
    await plugin.setSettings({ email_send_max_attempts: 1 });
    try {
      const statuses: number[] = [];
      for (let i = 0; i < 11; i++) statuses.push((await send(`spray${i}@example.com`)).status);
      expect(statuses).toEqual([...new Array(10).fill(202), 429]);
    } finally {
      await plugin.setSettings({ email_send_max_attempts: 3 });
    }
  });

  it('does not reset the guess budget by re-sending: send limit × attempts guesses per email per window', async () => {
    await createUser(plugin.db, 'ivan@example.com');
    await plugin.setSettings({ login_failure_limit: 1000 }); // isolate the guess budget from the (email, IP) login lock
    let guesses = 0;
    for (let round = 0; round < 3; round++) {
      await send('ivan@example.com').expect(202);
      const code = plugin.lastCode('ivan@example.com');
      for (let i = 0; i < 5; i++) {
        await verify('ivan@example.com', wrong(code)).expect(401);
        guesses++;
      }
    }
    expect(guesses).toBe(15);
    await send('ivan@example.com').expect(429);
    // The budget is spent: even a guess at a brand-new challenge is refused before it is compared.
    const [{ n }] = await plugin.db.dataSource.query(`SELECT sum(attempts)::int AS n FROM plugin_auth_challenges WHERE email = 'ivan@example.com'`);
    expect(n).toBe(15);
    const refused = await verify('ivan@example.com', '123456').expect(429);
    expect(refused.body.error.code).toBe('AUTH_RATE_LIMITED');
    const [{ n: after }] = await plugin.db.dataSource.query(`SELECT sum(attempts)::int AS n FROM plugin_auth_challenges WHERE email = 'ivan@example.com'`);
    expect(after).toBe(15);
  });

  it('counts failed verifies towards the (email, IP) login lock shared with password login', async () => {
    await createUser(plugin.db, 'judy@example.com');
    await send('judy@example.com').expect(202);
    const code = plugin.lastCode('judy@example.com');
    for (let i = 0; i < 5; i++) await verify('judy@example.com', wrong(code)).expect(401);
    for (let i = 0; i < 2; i++) await plugin.http.post('/api/v1/auth/login').send({ email: 'judy@example.com', password: `wrong-password-${i}` }).expect(401);
    // The eighth failure (5 codes + 2 passwords + this one) locks the pair.
    const eighth = await plugin.http.post('/api/v1/auth/login').send({ email: 'judy@example.com', password: 'wrong-password-x' }).expect(429);
    expect(eighth.body.error.code).toBe('AUTH_RATE_LIMITED');
    await plugin.http.post('/api/v1/auth/login').send({ email: 'judy@example.com', password: TEST_PASSWORD }).expect(429);
  });

  it('answers identically for existing and unknown addresses, and sends nothing to unknown ones while registration is off', async () => {
    await createUser(plugin.db, 'kate@example.com');
    const known = await send('kate@example.com').expect(202);
    const unknown = await send('nobody-kate@example.com').expect(202);
    const strip = (body: { data: Record<string, unknown> }) => ({ ...body.data, expires_at: typeof body.data.expires_at });
    expect(strip(unknown.body)).toEqual(strip(known.body));
    expect(Object.keys(unknown.body).sort()).toEqual(Object.keys(known.body).sort());
    expect(unknown.headers['content-type']).toBe(known.headers['content-type']);
    expect(plugin.emailsTo('nobody-kate@example.com')).toEqual([]);
    const rows = await plugin.db.dataSource.query(`SELECT id FROM plugin_auth_challenges WHERE email = 'nobody-kate@example.com'`);
    expect(rows).toEqual([]);
    // Verify answers the same way too.
    const a = await verify('kate@example.com', '000000');
    const b = await verify('nobody-kate@example.com', '000000');
    expect([a.status, a.body.error]).toEqual([b.status, { ...b.body.error, request_id: a.body.error.request_id }]);
  });

  it('with public registration on, emails unknown addresses and creates the account on verify (no admin grant)', async () => {
    await plugin.setSettings({ public_registration_enabled: true });
    await send('newbie@example.com').expect(202);
    const code = plugin.lastCode('newbie@example.com');
    const [before] = await plugin.db.dataSource.query(`SELECT count(*)::int AS count FROM users WHERE email = 'newbie@example.com'`);
    expect(before.count).toBe(0);
    const res = await verify('newbie@example.com', code).expect(200);
    const userId = res.body.data.user.id;
    const [user] = await plugin.db.dataSource.query(`SELECT password_hash, email_verified_at FROM users WHERE id = $1`, [userId]);
    expect(user.password_hash).toBeNull();
    expect(user.email_verified_at).toBeInstanceOf(Date);
    const bindings = await plugin.db.dataSource.query(`SELECT space_id, relation_type, is_primary FROM user_members WHERE user_id = $1`, [userId]);
    expect(bindings).toEqual([{ space_id: 'space_default', relation_type: 'self', is_primary: true }]);
    expect(await plugin.db.dataSource.query(`SELECT id FROM admin_grants WHERE user_id = $1`, [userId])).toEqual([]);
    const actions = await plugin.db.dataSource.query(`SELECT action FROM audit_logs WHERE actor_user_id = $1`, [userId]);
    expect(actions.map((a: { action: string }) => a.action).sort()).toEqual(['auth.email_code.verified', 'auth.register']);
  });

  it('lets exactly one of 20 concurrent verifies with the right code through', async () => {
    const user = await createUser(plugin.db, 'leo@example.com');
    await send('leo@example.com').expect(202);
    const code = plugin.lastCode('leo@example.com');
    const results = await concurrently(20, () => verify('leo@example.com', code));
    expect(results.filter((r) => r.status === 200)).toHaveLength(1);
    expect(results.filter((r) => r.status !== 200).every((r) => r.status === 401 || r.status === 429)).toBe(true);
    const [{ count }] = await plugin.db.dataSource.query(`SELECT count(*)::int AS count FROM sessions WHERE user_id = $1`, [user.userId]);
    expect(count).toBe(1);
  });

  it('answers 403 ACTIVE_MEMBER_REQUIRED without a session for an account with no usable binding, and 401 for a disabled one', async () => {
    const bare = await insertUser(plugin.db.dataSource, { email: 'unbound@example.com' });
    await send('unbound@example.com').expect(202);
    const res = await verify('unbound@example.com', plugin.lastCode('unbound@example.com')).expect(403);
    expect(res.body.error.code).toBe('ACTIVE_MEMBER_REQUIRED');
    expect(await plugin.db.dataSource.query(`SELECT id FROM sessions WHERE user_id = $1`, [bare.id])).toEqual([]);

    const user = await createUser(plugin.db, 'gone@example.com');
    await send('gone@example.com').expect(202);
    await plugin.db.dataSource.query(`UPDATE users SET status = 'disabled' WHERE id = $1`, [user.userId]);
    const disabled = await verify('gone@example.com', plugin.lastCode('gone@example.com')).expect(401);
    expect(disabled.body.error).toMatchObject({ code: 'AUTHENTICATION_REQUIRED', message: CODE_FAILED });
    expect(await plugin.db.dataSource.query(`SELECT id FROM sessions WHERE user_id = $1`, [user.userId])).toEqual([]);
  });

  it('keeps codes out of every log line but the log-mode delivery line, and out of the audit trail', async () => {
    const codes = plugin.logs
      .map((line) => JSON.parse(line))
      .filter((entry) => entry.email_delivery === 'log')
      .map((entry) => /sign-in code is (\d{6})\./.exec(entry.text)![1]);
    expect(codes.length).toBeGreaterThan(10);
    const otherLines = plugin.logs.filter((line) => !line.includes('"email_delivery":"log"'));
    for (const code of codes) for (const line of otherLines) expect(line).not.toMatch(new RegExp(`(?<![0-9])${code}(?![0-9])`));
    const audit = JSON.stringify(await plugin.db.dataSource.query(`SELECT trace FROM audit_logs`));
    for (const code of codes) expect(audit).not.toMatch(new RegExp(`(?<![0-9])${code}(?![0-9])`));
    expect(audit).not.toContain(TEST_PASSWORD);
  });
});
