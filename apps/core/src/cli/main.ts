import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { runCli } from './cli';

/**
 * In development, the secrets `npm start` generated for this checkout (`.data/dev-secrets.json`)
 * stand in for unset ones, so a key made with `api-keys:create` authenticates against the stack
 * `npm start` runs. Production never reads the file.
 */
function withDevSecrets(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const file = resolve(__dirname, '../../../../..', '.data', 'dev-secrets.json');
  if ((env.SERVER_MODE ?? 'development').toLowerCase() === 'production' || !existsSync(file)) return env;
  const secrets = JSON.parse(readFileSync(file, 'utf8')) as { sessionSecret?: string; apiKeySecret?: string };
  return {
    ...env,
    PLYSTRA_SESSION_SECRET: env.PLYSTRA_SESSION_SECRET ?? env.SESSION_SECRET ?? secrets.sessionSecret,
    PLYSTRA_API_KEY_SECRET: env.PLYSTRA_API_KEY_SECRET ?? env.API_KEY_SECRET ?? secrets.apiKeySecret,
  };
}

runCli(process.argv.slice(2), { env: withDevSecrets(process.env), out: (line) => console.log(line), err: (line) => console.error(line) }).then(
  (code) => process.exit(code),
  (error) => {
    console.error(error);
    process.exit(1);
  },
);
