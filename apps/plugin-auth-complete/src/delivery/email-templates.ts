export interface EmailContent {
  subject: string;
  text: string;
  html: string;
}

const escapeHtml = (value: string) =>
  value.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

function minutes(seconds: number): string {
  if (seconds < 60) return `${Math.round(seconds)} seconds`;
  const m = Math.round(seconds / 60);
  return m === 1 ? '1 minute' : `${m} minutes`;
}

export function emailCodeMessage(code: string, ttlSeconds: number): EmailContent {
  const expiry = minutes(ttlSeconds);
  return {
    subject: 'Your sign-in code',
    text: `Your sign-in code is ${code}.\n\nIt expires in ${expiry} and works once. If you did not ask to sign in, you can ignore this email.\n`,
    html: `<p>Your sign-in code is <strong style="font-size:1.4em;letter-spacing:0.15em">${escapeHtml(code)}</strong>.</p>` +
      `<p>It expires in ${expiry} and works once. If you did not ask to sign in, you can ignore this email.</p>`,
  };
}

export function magicLinkMessage(url: string, ttlSeconds: number): EmailContent {
  const expiry = minutes(ttlSeconds);
  return {
    subject: 'Your sign-in link',
    text: `Open this link to sign in:\n\n${url}\n\nIt expires in ${expiry} and works once. If you did not ask to sign in, you can ignore this email.\n`,
    html: `<p><a href="${escapeHtml(url)}">Sign in</a></p><p>Or open this address: ${escapeHtml(url)}</p>` +
      `<p>It expires in ${expiry} and works once. If you did not ask to sign in, you can ignore this email.</p>`,
  };
}
