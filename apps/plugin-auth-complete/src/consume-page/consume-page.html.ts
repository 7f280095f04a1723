const escapeHtml = (value: string) =>
  value.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

export interface ConsumePageModel {
  nonce: string;
  /** `a…@example.com`, or null when the link cannot be used. */
  maskedEmail: string | null;
  consumePath: string;
}

/**
 * The magic-link confirm page. Inert on load: no script runs anything until the button is
 * clicked, so a mail scanner that fetches (even renders) the link consumes nothing. The click
 * POSTs the token; on success the tokens go to the redirect target in the URL fragment (never the
 * query, so they reach no server log) or are shown on the page.
 */
export function consumePageHtml(model: ConsumePageModel): string {
  const body = model.maskedEmail
    ? `<h1>Sign in</h1>
  <p>Sign in as <strong id="who">${escapeHtml(model.maskedEmail)}</strong>?</p>
  <button id="confirm" type="button">Sign in as ${escapeHtml(model.maskedEmail)}</button>
  <p id="status" role="status"></p>
  <section id="result" hidden>
    <p>Signed in. Your session tokens:</p>
    <dl>
      <dt>Access token</dt><dd><output id="access_token"></output></dd>
      <dt>Refresh token</dt><dd><output id="refresh_token"></output></dd>
      <dt>Expires at</dt><dd><output id="expires_at"></output></dd>
    </dl>
  </section>`
    : `<h1>Sign in</h1>
  <p id="status" role="status">This sign-in link is invalid, expired or already used. Ask for a new one.</p>`;
  const script = model.maskedEmail
    ? `<script nonce="${model.nonce}">
(function () {
  var button = document.getElementById('confirm');
  var status = document.getElementById('status');
  var consumePath = ${JSON.stringify(model.consumePath)};
  function samePage(target) {
    try { var u = new URL(target, location.href); return u.origin === location.origin && u.pathname === location.pathname; } catch (e) { return true; }
  }
  button.addEventListener('click', function () {
    var token = new URLSearchParams(location.search).get('token') || '';
    button.disabled = true;
    status.textContent = 'Signing in…';
    fetch(consumePath, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ token: token }), credentials: 'omit', cache: 'no-store' })
      .then(function (res) { return res.json().then(function (body) { return { ok: res.ok, body: body }; }); })
      .then(function (answer) {
        if (!answer.ok) {
          status.textContent = (answer.body && answer.body.error && answer.body.error.message) || 'Sign-in failed.';
          return;
        }
        var d = answer.body.data;
        history.replaceState(null, '', location.pathname);
        var fragment = new URLSearchParams({ access_token: d.access_token, refresh_token: d.refresh_token, token_type: d.token_type, expires_at: d.expires_at, refresh_expires_at: d.refresh_expires_at }).toString();
        if (d.redirect_url && !samePage(d.redirect_url)) {
          location.replace(d.redirect_url.split('#')[0] + '#' + fragment);
          return;
        }
        status.textContent = 'Signed in.';
        button.hidden = true;
        document.getElementById('access_token').textContent = d.access_token;
        document.getElementById('refresh_token').textContent = d.refresh_token;
        document.getElementById('expires_at').textContent = d.expires_at;
        document.getElementById('result').hidden = false;
      })
      .catch(function () { status.textContent = 'Sign-in failed; try again.'; button.disabled = false; });
  });
})();
</script>`
    : '';
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<meta name="robots" content="noindex, nofollow">
<title>Sign in</title>
<style nonce="${model.nonce}">
body { font-family: system-ui, sans-serif; max-width: 32rem; margin: 4rem auto; padding: 0 1rem; color: #1a1a1a; }
button { font-size: 1rem; padding: 0.6rem 1.2rem; cursor: pointer; }
dd { word-break: break-all; font-family: monospace; }
</style>
</head>
<body>
  ${body}
${script}
</body>
</html>
`;
}
