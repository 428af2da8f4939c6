// A real OpenID Connect provider (oidc-provider, OpenID-certified) standing in
// for FranceConnect v2 in the tests, on loopback only. Configured from the
// environment:
//   PORT, ISSUER (default http://127.0.0.1:PORT), CLIENT_ID, CLIENT_SECRET,
//   REDIRECT_URIS and POST_LOGOUT_REDIRECT_URIS (comma-separated),
//   ALG (RS256 | ES256: how ID tokens and userinfo are signed),
//   MODE (normal | other_key | expired | wrong_nonce: see misbehave below),
//   KEYS_FILE (optional: the signing keys are read from it when it exists,
//   else generated and written there, so a restart keeps them; without it,
//   or after deleting it, each start has new keys and new kids).
// Prints "ready" once it listens.
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import * as jose from 'jose';
import Provider from 'oidc-provider';

const ALGS = ['RS256', 'ES256'];
const MODES = ['normal', 'other_key', 'expired', 'wrong_nonce'];
// FranceConnect (not FranceConnect+) vouches for an identity at eIDAS level low.
const ACR = 'eidas1';

const env = process.env;
const port = Number(env.PORT);
const issuer = env.ISSUER || `http://127.0.0.1:${port}`;
const alg = env.ALG || 'RS256';
const mode = env.MODE || 'normal';
const list = (value) => (value || '').split(',').map((item) => item.trim()).filter(Boolean);

for (const [name, ok] of [
  ['PORT', port > 0], ['CLIENT_ID', env.CLIENT_ID], ['CLIENT_SECRET', env.CLIENT_SECRET],
  ['REDIRECT_URIS', list(env.REDIRECT_URIS).length], ['ALG', ALGS.includes(alg)], ['MODE', MODES.includes(mode)],
]) {
  if (!ok) {
    console.error(`${name} is missing or invalid (ALG: ${ALGS.join('|')}, MODE: ${MODES.join('|')})`);
    process.exit(2);
  }
}

async function newSigningKey(algorithm) {
  const { privateKey } = await jose.generateKeyPair(algorithm, { extractable: true });
  const jwk = await jose.exportJWK(privateKey);
  return { ...jwk, kid: randomBytes(12).toString('base64url'), alg: algorithm, use: 'sig' };
}

// Both kinds of key are published, as FranceConnect does, so a relying party
// has to pick the key by its kid.
async function signingKeys() {
  if (env.KEYS_FILE && existsSync(env.KEYS_FILE)) {
    return JSON.parse(readFileSync(env.KEYS_FILE, 'utf8'));
  }
  const jwks = { keys: await Promise.all(ALGS.map(newSigningKey)) };
  if (env.KEYS_FILE) {
    writeFileSync(env.KEYS_FILE, JSON.stringify(jwks), { mode: 0o600 });
  }
  return jwks;
}

// --- Accounts: the fixture's, or made up from any other login name. ---------

const fixtures = JSON.parse(readFileSync(new URL('./accounts.json', import.meta.url), 'utf8'));
const accounts = new Map();

// Opaque and stable per login name across starts, shaped like FranceConnect's
// subjects (64 hex digits and a version suffix).
function subjectOf(login) {
  return `${createHash('sha256').update(`franceconnect-test:${login}`).digest('hex')}v1`;
}

function madeUpClaims(login) {
  const [first, ...rest] = login.split(/[^\p{L}\p{N}]+/u).filter(Boolean);
  const given = first ? first[0].toUpperCase() + first.slice(1).toLowerCase() : 'Camille';
  return {
    given_name: given,
    family_name: rest.length ? rest.join(' ').toUpperCase() : 'TEST',
    preferred_username: '',
    email: `${login.toLowerCase()}@franceconnect.test`,
    birthdate: '1990-01-01',
    gender: 'female',
    birthplace: '75056',
    birthcountry: '99100',
  };
}

function accountFor(login) {
  const sub = subjectOf(login);
  accounts.set(sub, { sub, ...(fixtures[login] ?? madeUpClaims(login)) });
  return sub;
}

// --- Pages: a plain form any HTTP client can submit, no script needed. ------

const escape = (text) => String(text).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function page(title, body) {
  return `<!DOCTYPE html><html lang="fr"><head><meta charset="utf-8"><title>${escape(title)}</title></head><body>${body}</body></html>`;
}

function loginPage(uid, clientId, message = '') {
  return page('FranceConnect (fournisseur de test)', `
<h1>Connexion FranceConnect de test</h1>
<p>Service demandeur : ${escape(clientId)}</p>
${message && `<p role="alert">${escape(message)}</p>`}
<form method="post" action="/interaction/${escape(uid)}/login">
  <label for="login">Identifiant</label>
  <input id="login" name="login" autocomplete="off" required autofocus>
  <button type="submit">Se connecter</button>
</form>`);
}

// Logout never asks for a confirmation: the form oidc-provider hands over is
// submitted at once with logout=yes (a browser by script, the Python helper by
// reading the form), like FranceConnect sending the user straight back.
async function logoutSource(ctx, form) {
  const confirmed = form.replace('</form>', '<input type="hidden" name="logout" value="yes"/><noscript><button type="submit">Se déconnecter</button></noscript></form>');
  ctx.body = page('Déconnexion', `${confirmed}<script>document.forms[0].submit()</script>`);
}

async function postLogoutSuccessSource(ctx) {
  ctx.body = page('Déconnecté', '<p>Vous êtes déconnecté de FranceConnect.</p>');
}

async function formBody(req) {
  let raw = '';
  for await (const chunk of req) raw += chunk;
  return new URLSearchParams(raw);
}

// --- The provider. ----------------------------------------------------------

const minutes = (n) => () => n * 60;
// FranceConnect's scopes are mostly one claim each, plus a few bundles.
const claims = {
  openid: ['sub'],
  given_name: ['given_name'],
  family_name: ['family_name'],
  preferred_username: ['preferred_username'],
  email: ['email'],
  birthdate: ['birthdate'],
  gender: ['gender'],
  birthplace: ['birthplace'],
  birthcountry: ['birthcountry'],
  profile: ['given_name', 'family_name', 'preferred_username', 'birthdate', 'gender'],
  birth: ['birthplace', 'birthcountry'],
  identite_pivot: ['given_name', 'family_name', 'birthdate', 'gender', 'birthplace', 'birthcountry'],
  acr: null,
};

const jwks = await signingKeys();
const provider = new Provider(issuer, {
  clients: [{
    client_id: env.CLIENT_ID,
    client_secret: env.CLIENT_SECRET,
    redirect_uris: list(env.REDIRECT_URIS),
    post_logout_redirect_uris: list(env.POST_LOGOUT_REDIRECT_URIS),
    grant_types: ['authorization_code'],
    response_types: ['code'],
    // FranceConnect authenticates relying parties by client_secret_post only.
    token_endpoint_auth_method: 'client_secret_post',
    id_token_signed_response_alg: alg,
    userinfo_signed_response_alg: alg,
  }],
  jwks,
  acrValues: [ACR],
  claims,
  scopes: ['openid'],
  responseTypes: ['code'],
  enabledJWA: { idTokenSigningAlgValues: ALGS, userinfoSigningAlgValues: ALGS },
  features: {
    devInteractions: { enabled: false },
    jwtUserinfo: { enabled: true },
    rpInitiatedLogout: { enabled: true, logoutSource, postLogoutSuccessSource },
    // What FranceConnect does not offer, so a relying party cannot lean on it.
    pushedAuthorizationRequests: { enabled: false },
    dPoP: { enabled: false },
    resourceIndicators: { enabled: false },
  },
  clientAuthMethods: ['client_secret_post'],
  clientBasedCORS: () => false,
  ttl: {
    AuthorizationCode: minutes(0.5),
    AccessToken: minutes(1),
    IdToken: minutes(1),
    Interaction: minutes(10),
    Session: minutes(60),
    Grant: minutes(60),
  },
  cookies: { keys: [randomBytes(32).toString('base64url')] },
  findAccount: (ctx, sub) => {
    const account = accounts.get(sub);
    return account && { accountId: sub, claims: async () => account };
  },
});
// Plain http on loopback needs no switch in oidc-provider 9: it accepts an
// http issuer and http redirect URIs for code-flow web clients, and marks its
// cookies Secure only on https requests, so browsers send them back over http.
// Nothing here listens beyond 127.0.0.1.

// FranceConnect refuses an authorization request without state and nonce of
// at least 32 characters or without acr_values=eidas1; oidc-provider would
// accept it, so this checks first (a 400 page, as FranceConnect shows an error).
provider.use(async (ctx, next) => {
  if (ctx.path === '/auth') {
    const { state = '', nonce = '', acr_values: acrValues = '' } = ctx.query;
    const faults = [
      state.length < 32 && 'state',
      nonce.length < 32 && 'nonce',
      !acrValues.split(' ').includes(ACR) && 'acr_values',
    ].filter(Boolean);
    if (faults.length) {
      ctx.status = 400;
      ctx.body = page('Erreur', `<p>invalid_request: ${escape(faults.join(', '))} (state et nonce d'au moins 32 caractères, acr_values=${ACR})</p>`);
      return;
    }
  }
  await next();
});

// The interaction: a login form, then consent to everything asked, at once.
provider.use(async (ctx, next) => {
  const route = /^\/interaction\/[^/]+(\/login)?$/.exec(ctx.path);
  if (!route) {
    await next();
    return;
  }
  const interaction = await provider.interactionDetails(ctx.req, ctx.res);
  const { params, prompt, uid } = interaction;
  let accountId = interaction.session?.accountId;
  if (prompt.name === 'login') {
    if (!(ctx.method === 'POST' && route[1])) {
      ctx.type = 'html';
      ctx.body = loginPage(uid, params.client_id);
      return;
    }
    const login = ((await formBody(ctx.req)).get('login') || '').trim();
    if (!login) {
      ctx.status = 400;
      ctx.type = 'html';
      ctx.body = loginPage(uid, params.client_id, 'Saisissez un identifiant.');
      return;
    }
    accountId = accountFor(login);
  }
  const grant = new provider.Grant({ accountId, clientId: params.client_id });
  grant.addOIDCScope(params.scope);
  const result = {
    ...(prompt.name === 'login' ? { login: { accountId, acr: ACR } } : {}),
    consent: { grantId: await grant.save() },
  };
  ctx.status = 303;
  ctx.redirect(await provider.interactionResult(ctx.req, ctx.res, result, { mergeWithLastSubmission: false }));
});

// The misbehaviours a relying party must refuse. oidc-provider only issues
// correct ID tokens, so the token endpoint's answer is rewritten on its way
// out: same claims, re-signed with jose (oidc-provider's own JOSE library).
//   other_key:   signed by a key that is not in the JWKS (and an unknown kid)
//   expired:     exp (and iat) an hour or more in the past, published key
//   wrong_nonce: a nonce other than the one sent, published key
const published = jwks.keys.find((key) => key.alg === alg);
const stray = await newSigningKey(alg);

async function misbehave(idToken) {
  const header = jose.decodeProtectedHeader(idToken);
  const payload = jose.decodeJwt(idToken);
  const now = Math.floor(Date.now() / 1000);
  const [key, changes] = {
    other_key: [stray, {}],
    expired: [published, { iat: now - 7200, exp: now - 3600 }],
    wrong_nonce: [published, { nonce: randomBytes(32).toString('base64url') }],
  }[mode];
  return new jose.SignJWT({ ...payload, ...changes })
    .setProtectedHeader({ ...header, kid: key.kid })
    .sign(await jose.importJWK(key, alg));
}

if (mode !== 'normal') {
  provider.use(async (ctx, next) => {
    await next();
    if (ctx.oidc?.route === 'token' && ctx.body?.id_token) {
      ctx.body.id_token = await misbehave(ctx.body.id_token);
    }
  });
}

provider.listen(port, '127.0.0.1', () => console.log('ready'));
