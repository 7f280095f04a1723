import { TokenHasher } from '@plystra/session';
import { ChallengeSecrets, EMAIL_CODE_SHAPE, newEmailCode } from './challenge-secrets';

describe('challenge secrets', () => {
  const secrets = new ChallengeSecrets(new TokenHasher('primary-secret-0123456789abcdef0123', ['previous-secret-0123456789abcdef0123']));

  it('draws six-digit codes uniformly, leading zeros kept', () => {
    const counts = new Array(10).fill(0);
    const N = 20_000;
    let leadingZero = 0;
    for (let i = 0; i < N; i++) {
      const code = newEmailCode();
      expect(code).toMatch(EMAIL_CODE_SHAPE);
      counts[Number(code[5])]++;
      if (code[0] === '0') leadingZero++;
    }
    // Each last digit ~10% and a leading zero ~10% of the time (5 sigma bounds).
    for (const c of counts) expect(Math.abs(c - N / 10)).toBeLessThan(5 * Math.sqrt(N * 0.09));
    expect(Math.abs(leadingZero - N / 10)).toBeLessThan(5 * Math.sqrt(N * 0.09));
  });

  it('binds a code hash to its address: the same digits for another email never match', () => {
    expect(secrets.codeHash('a@example.com', '123456')).not.toBe(secrets.codeHash('b@example.com', '123456'));
    expect(secrets.codeHash('a@example.com', '123456')).not.toBe(secrets.codeHash('a@example.com', '123457'));
    expect(secrets.codeHashCandidates('b@example.com', '123456')).not.toContain(secrets.codeHash('a@example.com', '123456'));
  });

  it('matches hashes made with a previous secret during a rotation', () => {
    const before = new ChallengeSecrets(new TokenHasher('previous-secret-0123456789abcdef0123'));
    const token = before.newMagicToken();
    expect(token).toMatch(/^ply_ml_[0-9a-f]{64}$/);
    expect(secrets.magicTokenCandidates(token)).toContain(before.magicTokenHash(token));
    expect(secrets.codeHashCandidates('a@example.com', '000001')).toContain(before.codeHash('a@example.com', '000001'));
    expect(secrets.magicTokenCandidates('ply_ml_short')).toBeNull();
    expect(secrets.magicTokenCandidates(['ply_ml_' + 'a'.repeat(64)])).toBeNull();
  });
});
