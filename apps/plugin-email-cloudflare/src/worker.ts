import type { ExecutionContext } from 'cloudflare:workers';
import { EMAIL_MAX_REQUEST_BYTES, EMAIL_SEND_PATH, EmailRefusalCodes, parseEmailSendRequest, refusalFor } from '@plystra/email-contract';
import { CloudflareEmailSender, type ConfiguredEnv, type WorkerEnv } from './cloudflare-email.sender';
import { Refusal, digestsEqual, json, readBody, refusalResponse, requestIdOf, sha256 } from './worker-http';

export { IdempotencyLedger } from './idempotency-ledger';

function configurationProblems(env: WorkerEnv): string[] {
  return [
    !env.EMAIL_CAPABILITY_TOKEN && 'EMAIL_CAPABILITY_TOKEN is not set',
    !env.SEND_EMAIL && 'the SEND_EMAIL (send_email) binding is missing',
    !env.IDEMPOTENCY && 'the IDEMPOTENCY (Durable Object) binding is missing',
  ].filter((problem): problem is string => !!problem);
}

function isConfigured(env: WorkerEnv): env is ConfiguredEnv {
  return configurationProblems(env).length === 0;
}

async function authenticate(request: Request, token: string): Promise<void> {
  const match = /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(request.headers.get('authorization') ?? '');
  const [given, expected] = await Promise.all([sha256(match?.[1] ?? ''), sha256(token)]);
  if (!match || !digestsEqual(given, expected)) {
    throw new Refusal(401, EmailRefusalCodes.AUTHENTICATION_REQUIRED, 'A valid capability token is required (Authorization: Bearer <token>).', null, {
      'WWW-Authenticate': 'Bearer realm="email.transactional"',
    });
  }
}

async function parseJson(request: Request): Promise<unknown> {
  const text = await readBody(request, EMAIL_MAX_REQUEST_BYTES);
  if (!/^application\/([\w.+-]+\+)?json\b/i.test(request.headers.get('content-type') ?? '')) {
    throw new Refusal(400, EmailRefusalCodes.VALIDATION_FAILED, 'The request body must be JSON (Content-Type: application/json).');
  }
  try {
    return JSON.parse(text);
  } catch {
    throw new Refusal(400, EmailRefusalCodes.VALIDATION_FAILED, 'The request body is not valid JSON.');
  }
}

async function route(request: Request, env: WorkerEnv, ctx: ExecutionContext, requestId: string): Promise<Response> {
  const { pathname } = new URL(request.url);
  if (pathname === '/health') {
    if (request.method !== 'GET') throw new Refusal(405, EmailRefusalCodes.METHOD_NOT_ALLOWED, `${request.method} is not allowed on /health.`);
    if (!isConfigured(env)) throw new Refusal(503, 'NOT_READY', `Not ready: ${configurationProblems(env).join('; ')}.`);
    return json(200, { data: { status: 'ok' }, request_id: requestId, meta: { request_id: requestId } }, requestId);
  }
  if (pathname !== EMAIL_SEND_PATH) throw new Refusal(404, EmailRefusalCodes.NOT_FOUND, `No route matches ${request.method} ${pathname}.`);
  if (request.method !== 'POST') throw new Refusal(405, EmailRefusalCodes.METHOD_NOT_ALLOWED, `${request.method} is not allowed on ${pathname}.`, null, { Allow: 'POST' });
  if (!isConfigured(env)) throw new Refusal(503, 'EMAIL_DELIVERY_NOT_CONFIGURED', `The provider is not configured: ${configurationProblems(env).join('; ')}.`);
  await authenticate(request, env.EMAIL_CAPABILITY_TOKEN);
  const parsed = parseEmailSendRequest(await parseJson(request));
  if (!parsed.ok) {
    const refusal = refusalFor(parsed.problems);
    throw new Refusal(refusal.status, refusal.code, refusal.message, refusal.details);
  }
  const sender = new CloudflareEmailSender(env, ctx);
  return json(200, await sender.send(parsed.request), requestId);
}

/**
 * The `email.transactional` v0.0.1 provider as a Cloudflare Worker: `POST /contract/v1/email/send`
 * delivered through the `send_email` binding, with the same validation as every provider.
 */
export default {
  async fetch(request: Request, env: WorkerEnv, ctx: ExecutionContext): Promise<Response> {
    const requestId = requestIdOf(request.headers.get('x-request-id'));
    try {
      return await route(request, env, ctx, requestId);
    } catch (error) {
      if (error instanceof Refusal) return refusalResponse(error, requestId);
      return refusalResponse(new Refusal(503, 'NOT_READY', 'The provider could not complete the request; try again shortly.'), requestId);
    }
  },
};
