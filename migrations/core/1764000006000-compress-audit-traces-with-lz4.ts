import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Audit traces (a few KB of JSON each) are compressed as they are stored. With lz4, where the
 * server is built with it, the insert behind every audited check costs measurably less
 * PostgreSQL CPU than with the default pglz, for about the same size. A server built without lz4
 * keeps pglz. Rows already stored keep their compression; new rows use the new one.
 */
export class CompressAuditTracesWithLz41764000006000 implements MigrationInterface {
  name = 'CompressAuditTracesWithLz41764000006000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      DO $$
      BEGIN
        ALTER TABLE audit_logs ALTER COLUMN trace SET COMPRESSION lz4;
      EXCEPTION WHEN feature_not_supported THEN
        RAISE NOTICE 'this PostgreSQL is built without lz4: audit traces stay compressed with pglz';
      END $$`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE audit_logs ALTER COLUMN trace SET COMPRESSION default`);
  }
}
