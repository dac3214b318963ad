// A real OpenID Connect provider (the certified `oidc-provider` package) for Credo's SSO tests.
// Usage: node server.mjs CONFIG.json — CONFIG gives the port, the clients and the accounts.
// It prints "ready <issuer>" once it answers. Test-only: never run it in production.
import { generateKeyPairSync } from 'node:crypto';
import { readFileSync } from 'node:fs';
import http from 'node:http';

import Provider from 'oidc-provider';

const config = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const issuer = `http://127.0.0.1:${config.port}`;
const accounts = config.accounts; // id -> claims
const lateClients = new Set(config.late_clients || []); // their tokens arrive after they expire

const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const jwk = { ...privateKey.export({ format: 'jwk' }), kid: 'test-key', use: 'sig', alg: 'RS256' };

const provider = new Provider(issuer, {
  clients: config.clients.map((c) => ({
    client_id: c.client_id,
    client_secret: c.client_secret,
    redirect_uris: [c.redirect_prefix],
    grant_types: ['authorization_code'],
    response_types: ['code'],
    token_endpoint_auth_method: 'client_secret_post',
  })),
  jwks: { keys: [jwk] },
  claims: {
    // How the person authenticated travels in the ID token, as Entra ID and most portals send it.
    openid: ['sub', 'sourcedId', 'acr', 'amr', 'auth_time'],
    email: ['email', 'email_verified'],
    profile: ['name', 'given_name', 'family_name'],
  },
  findAccount: async (ctx, id) => (accounts[id]
    ? { accountId: id, claims: async () => ({ sub: id, ...accounts[id] }) }
    : undefined),
  interactions: { url: (ctx, interaction) => `/interaction/${interaction.uid}` },
  features: { devInteractions: { enabled: false } },
  ttl: {
    IdToken: (ctx, token, client) => (lateClients.has(client.clientId) ? 1 : 3600),
    AccessToken: 3600,
    AuthorizationCode: 60,
    Interaction: 600,
    Session: 600,
    Grant: 600,
  },
  pkce: { required: () => true }, // Credo always sends PKCE
  cookies: { keys: ['test-cookie-key'] },
});

// Each client is registered with a prefix; Credo's callback path holds the provider's row id.
const client = Object.getOwnPropertyNames(provider.Client.prototype).includes('redirectUriAllowed');
if (!client) throw new Error('oidc-provider changed: no redirectUriAllowed');
const prefixes = Object.fromEntries(config.clients.map((c) => [c.client_id, c.redirect_prefix]));
provider.Client.prototype.redirectUriAllowed = function allowed(value) {
  return typeof value === 'string' && value.startsWith(prefixes[this.clientId]);
};

// Tokens of a "late" client reach the relying party after they expired (a slow network).
provider.use(async (ctx, next) => {
  await next();
  if (ctx.path === '/token' && lateClients.has(ctx.oidc?.client?.clientId)) {
    await new Promise((resolve) => { setTimeout(resolve, 2500); });
  }
});

function readForm(req) {
  return new Promise((resolve, reject) => {
    let body = '';
    req.on('data', (chunk) => { body += chunk; });
    req.on('end', () => resolve(Object.fromEntries(new URLSearchParams(body))));
    req.on('error', reject);
  });
}

const callback = provider.callback();
const server = http.createServer(async (req, res) => {
  const match = req.url.match(/^\/interaction\/([^/?]+)(\/login)?/);
  if (!match) { callback(req, res); return; }
  try {
    const details = await provider.interactionDetails(req, res);
    if (req.method === 'GET') {
      res.setHeader('content-type', 'text/html; charset=utf-8');
      res.end(`<!doctype html><title>Test IdP</title><form method="post" action="/interaction/${details.uid}/login">`
        + '<input name="login"><label><input type="checkbox" name="mfa" value="1">second factor</label>'
        + '<button>Sign in</button></form>');
      return;
    }
    const form = await readForm(req);
    if (!accounts[form.login]) {
      res.statusCode = 400; res.end('unknown account'); return;
    }
    const grant = new provider.Grant({ accountId: form.login, clientId: details.params.client_id });
    grant.addOIDCScope(details.params.scope);
    const grantId = await grant.save();
    const mfa = form.mfa === '1';
    await provider.interactionFinished(req, res, {
      login: { accountId: form.login, amr: mfa ? ['pwd', 'mfa'] : ['pwd'] },
      consent: { grantId },
    }, { mergeWithLastSubmission: false });
  } catch (error) {
    res.statusCode = 500; res.end(String(error));
  }
});
server.listen(config.port, '127.0.0.1', () => { console.log(`ready ${issuer}`); });
