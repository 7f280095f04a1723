import type { PluginSettings } from '@plystra/plugin-auth-settings';

const LOCAL_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

export type RedirectCheck = { ok: true; url: string } | { ok: false; problem: string };

/**
 * A client's `redirect_url`: absolute, HTTPS (plain http only outside production and only for
 * localhost), no credentials or fragment, and its origin must be `public_app_url`'s,
 * `server_public_url`'s or one of `allowed_redirect_origins`. Anything else is refused, never
 * silently replaced.
 */
export function checkRedirectUrl(raw: string, s: PluginSettings, production: boolean): RedirectCheck {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return { ok: false, problem: 'redirect_url must be an absolute URL' };
  }
  const local = LOCAL_HOSTS.has(url.hostname);
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && local && !production)) {
    return { ok: false, problem: 'redirect_url must use https' };
  }
  if (url.username || url.password) return { ok: false, problem: 'redirect_url must not carry credentials' };
  if (url.hash) return { ok: false, problem: 'redirect_url must not have a fragment' };
  if (url.searchParams.has('token')) return { ok: false, problem: 'redirect_url must not carry a token parameter' };
  const allowed = new Set(s.allowedRedirectOrigins);
  for (const base of [s.publicAppUrl, s.serverPublicUrl]) if (base) allowed.add(new URL(base).origin);
  if (!allowed.has(url.origin)) return { ok: false, problem: `redirect_url's origin ${url.origin} is not allowed` };
  return { ok: true, url: url.toString() };
}

/** Where the emailed link points: redirect_url, else public_app_url or server_public_url + magic_link_path. */
export function magicLinkBase(s: PluginSettings, redirectUrl: string | null, fallbackOrigin: string | null): string | null {
  if (redirectUrl) return redirectUrl;
  const base = s.publicAppUrl || s.serverPublicUrl || fallbackOrigin;
  return base ? `${base.replace(/\/+$/, '')}${s.magicLinkPath}` : null;
}

export function withToken(base: string, token: string): string {
  const url = new URL(base);
  url.searchParams.set('token', token);
  return url.toString();
}

/**
 * Where the confirm page hands the tokens after a consume: the challenge's redirect_url, else the
 * application (`public_app_url`); null means the page shows them.
 */
export function handOffTarget(s: PluginSettings, challengeRedirect: string | null): string | null {
  return challengeRedirect ?? (s.publicAppUrl ? `${s.publicAppUrl}/` : null);
}

/** `alice@example.com` → `a…@example.com`. */
export function maskEmail(email: string): string {
  const at = email.lastIndexOf('@');
  if (at <= 0) return '…';
  return `${email[0]}…${email.slice(at)}`;
}
