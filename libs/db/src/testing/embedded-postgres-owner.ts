import { startEmbeddedPostgres } from '../embedded-postgres';

/**
 * A process that owns an embedded cluster until SIGINT/SIGTERM, as `npm start` does. Tests run it
 * from dist/ to check clean shutdown and recovery after `kill -9`.
 * Usage: node embedded-postgres-owner.js <data dir> <port>
 */
async function main(): Promise<void> {
  const [dataDir, port] = process.argv.slice(2);
  const handle = await startEmbeddedPostgres({ dataDir, port: Number(port) });
  const stop = async () => {
    await handle.stop();
    process.exit(0);
  };
  process.once('SIGINT', () => void stop());
  process.once('SIGTERM', () => void stop());
  process.stdout.write('ready\n');
}

if (require.main === module) {
  main().catch((error) => {
    console.error(error);
    process.exit(1);
  });
}
