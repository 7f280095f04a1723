import { ExpressAdapter } from '@nestjs/platform-express';

/**
 * Everything Express-specific in the services: the adapter as the edge needs it (no
 * X-Powered-By, no ETag) and the router lookup behind 405.
 */
export function createExpressAdapter(): ExpressAdapter {
  const adapter = new ExpressAdapter();
  adapter.getInstance().disable('x-powered-by');
  adapter.getInstance().set('etag', false);
  return adapter;
}

interface ExpressLayer {
  route?: { methods: Record<string, boolean> };
  match(path: string): boolean;
}

/** Whether a route other than for `method` matches `path` (the request was then a wrong method, not an unknown route). */
export function expressOtherMethodMatches(instance: unknown, method: string, path: string): boolean {
  const stack = (instance as { router?: { stack: ExpressLayer[] } } | undefined)?.router?.stack ?? [];
  const wanted = method.toLowerCase();
  return stack.some((layer) => layer.route && !layer.route.methods[wanted] && safeMatch(layer, path));
}

function safeMatch(layer: ExpressLayer, path: string): boolean {
  try {
    return layer.match(path);
  } catch {
    return false;
  }
}
