// A real OpenID Connect provider on loopback for the portal's tests (oidc-provider), speaking as ID-porten does:
// the ID token carries `pid` (the national identity number), `acr` (idporten-loa-substantial or idporten-loa-high)
// and `amr` (BankID, MinID, ...). The same provider stands in for the host's staff provider (Entra ID style:
// `email`, `amr` ["pwd", "mfa"]). There is no password: a test-only form names the person, the level and the
// method, and the browser (or a test over HTTP) fills it in.
//
// Settings come from the environment: PORT, CLIENTS (a JSON list of
// {client_id, client_secret, redirect_uris}). It prints "listening <issuer>" once it answers.
import { generateKeyPairSync } from 'node:crypto';
import http from 'node:http';

import Provider from 'oidc-provider';

const port = Number(process.env.PORT || 0);
const issuer = `http://127.0.0.1:${port}`;
const clients = JSON.parse(process.env.CLIENTS || '[]').map((client) => ({
  token_endpoint_auth_method: 'client_secret_post',
  grant_types: ['authorization_code'],
  response_types: ['code'],
  require_auth_time: true, // ID-porten always says when the person authenticated
  ...client,
}));
const signingKey = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ format: 'jwk' });

function escape(text) {
  return String(text).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

const provider = new Provider(issuer, {
  clients,
  jwks: { keys: [{ ...signingKey, kid: 'test-key', use: 'sig', alg: 'RS256' }] },
  cookies: { keys: ['a-key-for-tests-only'] },
  acrValues: ['idporten-loa-substantial', 'idporten-loa-high'],
  // amr rides with the openid scope, so the ID token carries it as ID-porten's does.
  claims: { openid: ['sub', 'amr'], profile: ['pid', 'name', 'email', 'preferred_username'] },
  // ID-porten puts pid in the ID token itself.
  conformIdTokenClaims: false,
  pkce: { required: () => true },
  features: { devInteractions: { enabled: false } },
  ttl: { IdToken: 3600, AccessToken: 3600, AuthorizationCode: 60, Interaction: 600, Session: 3600, Grant: 3600 },
  interactions: { url: (ctx, interaction) => `/interaction/${interaction.uid}` },
  async findAccount(ctx, id) {
    const person = JSON.parse(Buffer.from(id, 'base64url').toString());
    return {
      accountId: id,
      async claims() {
        return {
          sub: `pseudonym-${Buffer.from(person.pid || person.email).toString('hex').slice(0, 24)}`,
          ...(person.pid ? { pid: person.pid } : {}),
          ...(person.email ? { email: person.email, preferred_username: person.email } : {}),
          name: person.name || 'Test Person',
        };
      },
    };
  },
  // Consent is not asked: the client gets the scopes it asked for (as ID-porten does for registered clients).
  async loadExistingGrant(ctx) {
    const grantId = ctx.oidc.result?.consent?.grantId || ctx.oidc.session.grantIdFor(ctx.oidc.client.clientId);
    if (grantId) {
      const grant = await ctx.oidc.provider.Grant.find(grantId);
      if (grant) return grant;
    }
    const grant = new ctx.oidc.provider.Grant({
      clientId: ctx.oidc.client.clientId,
      accountId: ctx.oidc.session.accountId,
    });
    grant.addOIDCScope('openid profile');
    grant.addOIDCClaims(['pid', 'name', 'email', 'preferred_username']);
    await grant.save();
    return grant;
  },
});
provider.proxy = false;

function readForm(req) {
  return new Promise((resolve, reject) => {
    let body = '';
    req.on('data', (chunk) => { body += chunk; });
    req.on('end', () => resolve(Object.fromEntries(new URLSearchParams(body))));
    req.on('error', reject);
  });
}

function page(res, status, html) {
  res.writeHead(status, { 'content-type': 'text/html; charset=utf-8' });
  res.end(`<!doctype html><html lang="en"><head><title>Test sign-in</title></head><body>${html}</body></html>`);
}

async function interaction(req, res) {
  const details = await provider.interactionDetails(req, res);
  const uid = details.uid;
  if (req.method === 'GET') {
    const asked = details.params.acr_values || '';
    return page(res, 200, `
      <main><h1>Test sign-in (not ID-porten)</h1>
      <p>Client: ${escape(details.params.client_id)}. Level asked for: <span id="asked">${escape(asked)}</span></p>
      <form method="post" action="/interaction/${escape(uid)}">
        <label>National identity number (pid) <input name="pid" autocomplete="off"></label>
        <label>Email <input name="email" autocomplete="off"></label>
        <label>Name <input name="name" value="Test Person"></label>
        <label>Level <select name="acr">
          <option value="idporten-loa-high">idporten-loa-high</option>
          <option value="idporten-loa-substantial">idporten-loa-substantial</option>
        </select></label>
        <label>Method (amr) <input name="amr" value="BankID"></label>
        <button type="submit" name="action" value="login">Sign in</button>
        <button type="submit" name="action" value="abort">Cancel</button>
      </form></main>`);
  }
  const form = await readForm(req);
  if (form.action === 'abort') {
    return provider.interactionFinished(req, res, {
      error: 'access_denied', error_description: 'The person cancelled',
    }, { mergeWithLastSubmission: false });
  }
  const accountId = Buffer.from(JSON.stringify({ pid: form.pid || '', email: form.email || '', name: form.name }))
    .toString('base64url');
  return provider.interactionFinished(req, res, {
    login: {
      accountId,
      acr: form.acr,
      amr: (form.amr || '').split(/[\s,]+/).filter(Boolean),
      remember: false,
      ts: Math.floor(Date.now() / 1000),
    },
  }, { mergeWithLastSubmission: false });
}

const callback = provider.callback();
const server = http.createServer((req, res) => {
  if (req.url.startsWith('/interaction/')) {
    interaction(req, res).catch((error) => page(res, 400, `<p>${escape(error.message)}</p>`));
    return;
  }
  callback(req, res);
});
server.listen(port, '127.0.0.1', () => {
  process.stdout.write(`listening ${issuer}\n`);
});
for (const signal of ['SIGTERM', 'SIGINT']) {
  process.on(signal, () => server.close(() => process.exit(0)));
}
