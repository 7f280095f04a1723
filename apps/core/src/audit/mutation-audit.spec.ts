import { findSecretLookingKey } from '@plystra/db';
import type { Principal } from '../access/principal';
import { mutationAuditRow } from './mutation-audit';

const ctx = { requestId: 'req_1', ip: '127.0.0.1', userAgent: 'jest', startedAt: 0 };
const input = { action: 'group.created', resourceType: 'group', resourceId: 'group_1', spaceId: 'space_1', details: { id: 'group_1' } };

describe('mutationAuditRow', () => {
  it('builds a trace the audit writer accepts, for API keys and sessions alike', () => {
    const key: Principal = {
      type: 'api_key',
      apiKey: { id: 'ak_1', name: 'k', level: 'space', space_id: 'space_1', group_id: null, permission_keys: ['*'], created_by_user_id: 'user_1', created_by_member_id: null },
      held: [],
    };
    const session: Principal = {
      type: 'session',
      session: { id: 'sess_1', user_id: 'user_2', user_email: 'u@example.com', active_space_id: 'space_1', active_member_id: 'member_1', active_user_member_id: 'um_1', expires_at: new Date() },
      grants: [],
      superAdmin: false,
      held: [],
    };
    const byKey = mutationAuditRow(input, key, ctx);
    const bySession = mutationAuditRow(input, session, ctx);
    expect(findSecretLookingKey(byKey.trace)).toBeNull();
    expect(findSecretLookingKey(bySession.trace)).toBeNull();
    expect(byKey.trace).toMatchObject({ caller: { type: 'api_key', key: 'ak_1' }, actor: { user_id: 'user_1', space_id: 'space_1' } });
    expect(bySession).toMatchObject({ actor_user_id: 'user_2', actor_member_id: 'member_1', space_id: 'space_1', decision: 'allow' });
  });
});
