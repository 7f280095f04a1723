/** The example's settings, read and checked once at start-up (every problem reported together). */
export interface ExampleConfig {
  port: number;
  /** Plystra Core: authorization checks and session look-ups. */
  plystraUrl: string;
  /** The Complete Auth plugin: sign-in by magic link. */
  plystraAuthUrl: string;
  plystraApiKey: string;
}

export function loadConfig(env: NodeJS.ProcessEnv): ExampleConfig {
  const problems: string[] = [];
  const port = Number(env.PORT ?? 3000);
  if (!Number.isInteger(port) || port < 0 || port > 65535) problems.push('PORT must be a port number');
  const plystraUrl = env.PLYSTRA_URL ?? 'http://127.0.0.1:8080';
  if (!/^https?:\/\//.test(plystraUrl)) problems.push('PLYSTRA_URL must be an http(s) URL');
  const plystraAuthUrl = env.PLYSTRA_AUTH_URL ?? 'http://127.0.0.1:8790';
  if (!/^https?:\/\//.test(plystraAuthUrl)) problems.push('PLYSTRA_AUTH_URL must be an http(s) URL');
  const plystraApiKey = env.PLYSTRA_API_KEY ?? '';
  if (!plystraApiKey.startsWith('ply_ak_')) problems.push('PLYSTRA_API_KEY must be a Plystra API key (ply_ak_…) holding authz:check');
  if (problems.length) throw new Error(`invalid configuration:\n- ${problems.join('\n- ')}`);
  return { port, plystraUrl, plystraAuthUrl, plystraApiKey };
}

/** Injection token of the ExampleConfig. */
export const EXAMPLE_CONFIG = 'EXAMPLE_CONFIG';
