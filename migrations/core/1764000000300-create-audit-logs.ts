import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The append-only audit log. Append-only is enforced here, in the database: a trigger rejects
 * every UPDATE, DELETE and TRUNCATE, whoever issues it (the application's own role included).
 * Actor and space columns carry no foreign keys, so a row outlives what it describes.
 */
export class CreateAuditLogs1764000000300 implements MigrationInterface {
  name = 'CreateAuditLogs1764000000300';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE audit_logs (
        id text PRIMARY KEY CHECK (id <> ''),
        space_id text,
        actor_user_id text,
        actor_member_id text,
        actor_user_member_id text,
        action text NOT NULL,
        resource_type text NOT NULL,
        resource_id text NOT NULL,
        decision text NOT NULL CHECK (decision IN ('allow', 'deny')),
        deny_code text,
        trace jsonb NOT NULL DEFAULT '{}',
        request_id text,
        ip_address text,
        user_agent text,
        created_at timestamptz NOT NULL DEFAULT clock_timestamp()
      );
      CREATE INDEX audit_logs_created_idx ON audit_logs (created_at DESC, id DESC);
      CREATE INDEX audit_logs_space_created_idx ON audit_logs (space_id, created_at DESC, id DESC);
      CREATE INDEX audit_logs_actor_user_idx ON audit_logs (actor_user_id, created_at DESC);
      CREATE INDEX audit_logs_actor_member_idx ON audit_logs (actor_member_id, created_at DESC);
      CREATE INDEX audit_logs_actor_user_member_idx ON audit_logs (actor_user_member_id, created_at DESC);
      CREATE INDEX audit_logs_resource_idx ON audit_logs (resource_type, resource_id, created_at DESC);
      CREATE INDEX audit_logs_decision_idx ON audit_logs (decision, created_at DESC);
      CREATE INDEX audit_logs_deny_code_idx ON audit_logs (deny_code, created_at DESC) WHERE deny_code IS NOT NULL;
      CREATE INDEX audit_logs_request_idx ON audit_logs (request_id) WHERE request_id IS NOT NULL;

      CREATE FUNCTION plystra_audit_logs_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION 'audit_logs is append-only: % is not allowed', TG_OP
          USING ERRCODE = 'insufficient_privilege';
      END $$;
      CREATE TRIGGER audit_logs_no_update_delete BEFORE UPDATE OR DELETE ON audit_logs
        FOR EACH ROW EXECUTE FUNCTION plystra_audit_logs_append_only();
      CREATE TRIGGER audit_logs_no_truncate BEFORE TRUNCATE ON audit_logs
        FOR EACH STATEMENT EXECUTE FUNCTION plystra_audit_logs_append_only();
      COMMENT ON TABLE audit_logs IS 'Append-only: triggers reject UPDATE, DELETE and TRUNCATE.';
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE audit_logs; DROP FUNCTION plystra_audit_logs_append_only();`);
  }
}
