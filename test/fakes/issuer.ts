/**
 * A strict local fake of the OpenAI OAuth issuer (docs/protocol.md §a, §b, §d) on 127.0.0.1:
 * - `GET /oauth/authorize` validates every a.2 parameter (400 with the reason otherwise) and
 *   redirects to the redirect_uri with `code`, `state` (and an extra `scope`, as the real one);
 *   modes for `access_denied`, `missing_entitlement` and a `free` plan;
 * - `POST /oauth/token`: `authorization_code` (form-encoded only; verifies the PKCE verifier against
 *   the challenge, the redirect_uri and the client id; codes are single-use) and `refresh_token`
 *   (form or JSON; refresh tokens rotate and are single-use: reuse -> 401 `refresh_token_reused`);
 *   latency and scripted faults (5xx, invalid_grant, resets, ...), and answers held after the token
 *   was rotated or the code spent (`holdNext`), to interrupt kolega mid-flight;
 * - `POST /oauth/revoke` (JSON, d.6); the device endpoints of section b (pending, declined, disabled).
 * Tokens are unsigned JWTs with `exp` and the `https://api.openai.com/auth` claim. `isValidAccessToken`
 * tells the backend fake which bearer tokens to accept (issued here and unexpired).
 */
import http from 'node:http';
import { createHash, randomBytes } from 'node:crypto';
import type { AddressInfo, Socket } from 'node:net';
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';

const CLIENT_ID = 'app_EMoamEEZ73f0CkXaXp7hrann';
const SCOPES = 'openid profile email offline_access api.connectors.read api.connectors.invoke';
const AUTH_CLAIM = 'https://api.openai.com/auth';

/** A scripted answer of the token endpoint (consumed one per refresh request). */
export type TokenFault =
  | { status: number; body: unknown; delayMs?: number }
  /** Destroy the socket without answering. */
  | { reset: true; delayMs?: number }
  /** Answer normally, after a delay. */
  | { delayMs: number };

/** Options of the fake issuer. */
export interface FakeIssuerOptions {
  /** Loopback ports accepted in redirect_uri (default [1455, 1457], like the real allow-list). */
  allowedPorts?: number[];
  /** Lifetime of issued access tokens, in seconds (default 3600). */
  accessTtlSeconds?: number;
  plan?: string;
  accountId?: string;
  email?: string;
  /** How `/oauth/authorize` answers. */
  authorizeMode?: 'ok' | 'access_denied' | 'missing_entitlement';
  /** Delay before every token-endpoint answer, in ms. */
  tokenLatencyMs?: number;
  /** Faults for refresh requests, consumed in order. */
  refreshFaults?: TokenFault[];
  /** Faults for authorization_code exchanges (sign-in), consumed in order. */
  exchangeFaults?: TokenFault[];
  /** Device flow behaviour. */
  device?: { mode?: 'ok' | 'disabled' | 'declined'; pendingPolls?: number; interval?: string };
}

/** A request the issuer received (bodies parsed; secrets kept for assertions). */
export interface IssuerRequest {
  method: string;
  path: string;
  contentType: string;
  query: URLSearchParams;
  body: Record<string, string>;
  status?: number;
}

/** A held token-endpoint answer (see FakeIssuer.holdNext). */
export interface Hold {
  /** Resolves, with the tokens being held back, when a request has been acted on. */
  reached: Promise<IssuedTokens>;
  /** Sends the held answer. */
  release(): void;
}

/** Tokens as issued. */
export interface IssuedTokens {
  id_token: string;
  access_token: string;
  refresh_token: string;
}

/** A running fake issuer. */
export interface FakeIssuer {
  /** `http://127.0.0.1:PORT` — the value for KOLEGA_AUTH_ISSUER. */
  url: string;
  requests: IssuerRequest[];
  /** Number of refresh POSTs (any outcome). */
  readonly refreshCount: number;
  /** Number of authorization_code POSTs. */
  readonly exchangeCount: number;
  /** True when `token` was issued here and has not expired. */
  isValidAccessToken(token: string): boolean;
  /** The URL clients use when the issuer sits behind a front (fakes/tls.ts): the device redirect_uri is built from it. */
  setPublicUrl(publicUrl: string): void;
  /** Issues a session directly (as if a login happened); `expired` gives an access token already past `exp`. */
  issue(opts?: { expired?: boolean; plan?: string }): IssuedTokens;
  /** Writes a session into `home/credentials.json` (0600); @returns the tokens. */
  writeSession(home: string, opts?: { expired?: boolean; refreshToken?: string | null }): IssuedTokens;
  /**
   * Holds the answer to the next `grant` POST after the issuer has acted on it (a refresh token
   * rotated, so the old one is dead; an authorization code spent and tokens issued) until
   * `release()`, like a slow network on the way back. `reached` resolves once a request is held.
   */
  holdNext(grant: 'refresh_token' | 'authorization_code'): Hold;
  /** Every secret this issuer handed out (tokens, codes), for leak checks. */
  secrets(): string[];
  options: FakeIssuerOptions;
  close(): Promise<void>;
}

function b64(v: unknown): string {
  return Buffer.from(JSON.stringify(v)).toString('base64url');
}

function jwt(payload: Record<string, unknown>): string {
  return `${b64({ alg: 'none', typ: 'JWT' })}.${b64(payload)}.${randomBytes(8).toString('base64url')}`;
}

const s256 = (v: string) => createHash('sha256').update(v, 'ascii').digest('base64url');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Starts the fake issuer on 127.0.0.1 with an ephemeral port. */
export async function startFakeIssuer(options: FakeIssuerOptions = {}): Promise<FakeIssuer> {
  const opts = options;
  const requests: IssuerRequest[] = [];
  const codes = new Map<string, { challenge: string; redirectUri: string; used: boolean; plan: string }>();
  const refreshTokens = new Map<string, { used: boolean; revoked: boolean; plan: string }>();
  const accessTokens = new Map<string, number>(); // token -> exp (s)
  const secrets: string[] = [];
  const devices = new Map<string, { userCode: string; polls: number }>();
  const counters = { refresh: 0, exchange: 0 };
  const sockets = new Set<Socket>();
  const holds = new Map<string, { reached: (t: IssuedTokens) => void; released: Promise<void>; release: () => void }>();
  const allHolds: (() => void)[] = [];
  let url = '';
  let publicUrl = '';
  /** Waits while a hold is armed for `grant` (consuming it). */
  const holdPoint = async (grant: string, tokens: IssuedTokens) => {
    const h = holds.get(grant);
    if (!h) return;
    holds.delete(grant);
    h.reached(tokens);
    await h.released;
  };

  const issue = (plan = opts.plan ?? 'plus', expired = false): IssuedTokens => {
    const now = Math.floor(Date.now() / 1000);
    const exp = expired ? now - 60 : now + (opts.accessTtlSeconds ?? 3600);
    const auth = {
      chatgpt_account_id: opts.accountId ?? 'acct-fake-1',
      chatgpt_plan_type: plan,
      chatgpt_user_id: 'user-fake-1',
    };
    const access = jwt({
      iss: url,
      aud: ['https://api.openai.com/v1'],
      client_id: CLIENT_ID,
      exp,
      iat: now,
      jti: randomBytes(6).toString('hex'),
      [AUTH_CLAIM]: auth,
    });
    const id = jwt({
      iss: url,
      aud: [CLIENT_ID],
      email: opts.email ?? 'plus.user@example.com',
      exp: now + 3600,
      iat: now,
      [AUTH_CLAIM]: auth,
    });
    const rt = `rt_${randomBytes(24).toString('base64url')}`;
    accessTokens.set(access, exp);
    refreshTokens.set(rt, { used: false, revoked: false, plan });
    secrets.push(access, id, rt);
    return { id_token: id, access_token: access, refresh_token: rt };
  };

  const json = (res: http.ServerResponse, rec: IssuerRequest, status: number, body: unknown) => {
    rec.status = status;
    res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
  };
  const text = (
    res: http.ServerResponse,
    rec: IssuerRequest,
    status: number,
    body: string,
    headers: Record<string, string> = {},
  ) => {
    rec.status = status;
    res.writeHead(status, { 'content-type': 'text/plain', ...headers }).end(body);
  };

  function authorize(q: URLSearchParams, rawQuery: string, res: http.ServerResponse, rec: IssuerRequest): void {
    const ports = opts.allowedPorts ?? [1455, 1457];
    const allowed = ports.map((p) => `http://localhost:${p}/auth/callback`);
    const problems: string[] = [];
    const expect = (k: string, v: string) => q.get(k) !== v && problems.push(`${k} must be ${v} (got ${q.get(k)})`);
    expect('response_type', 'code');
    expect('client_id', CLIENT_ID);
    expect('scope', SCOPES);
    expect('code_challenge_method', 'S256');
    expect('id_token_add_organizations', 'true');
    expect('codex_cli_simplified_flow', 'true');
    if (!q.get('originator')) problems.push('originator missing');
    if (!allowed.includes(q.get('redirect_uri') ?? ''))
      problems.push(`redirect_uri not allowed: ${q.get('redirect_uri')}`);
    if (!/^[A-Za-z0-9_-]{43}$/.test(q.get('code_challenge') ?? ''))
      problems.push('code_challenge must be 43 base64url chars');
    if (!/^[A-Za-z0-9_-]{43}$/.test(q.get('state') ?? '')) problems.push('state must be 43 base64url chars');
    if (rawQuery.includes('+')) problems.push('values must be %20-encoded, never +');
    const order = [
      'response_type',
      'client_id',
      'redirect_uri',
      'scope',
      'code_challenge',
      'code_challenge_method',
      'id_token_add_organizations',
      'codex_cli_simplified_flow',
      'state',
      'originator',
    ];
    if ([...q.keys()].slice(0, order.length).join(',') !== order.join(','))
      problems.push(`parameters out of order: ${[...q.keys()].join(',')}`);
    if (problems.length) return text(res, rec, 400, `invalid authorize request: ${problems.join('; ')}`);
    const target = new URL(q.get('redirect_uri')!);
    target.searchParams.set('state', q.get('state')!);
    if (opts.authorizeMode === 'access_denied' || opts.authorizeMode === 'missing_entitlement') {
      target.searchParams.set('error', 'access_denied');
      target.searchParams.set(
        'error_description',
        opts.authorizeMode === 'missing_entitlement' ? 'missing_codex_entitlement' : 'The user denied access',
      );
    } else {
      const code = `ac_${randomBytes(16).toString('base64url')}`;
      codes.set(code, {
        challenge: q.get('code_challenge')!,
        redirectUri: q.get('redirect_uri')!,
        used: false,
        plan: opts.plan ?? 'plus',
      });
      secrets.push(code);
      target.searchParams.set('code', code);
      target.searchParams.set('scope', SCOPES);
    }
    text(res, rec, 302, 'redirecting', { location: target.toString() });
  }

  async function token(rec: IssuerRequest, res: http.ServerResponse, socket: Socket): Promise<void> {
    const b = rec.body;
    const grant = b.grant_type;
    if (grant === 'refresh_token') {
      counters.refresh++;
      const fault = opts.refreshFaults?.shift();
      if (fault?.delayMs) await sleep(fault.delayMs);
      if (opts.tokenLatencyMs) await sleep(opts.tokenLatencyMs);
      if (fault && 'reset' in fault) {
        rec.status = 0;
        socket.destroy();
        return;
      }
      if (fault && 'status' in fault) return json(res, rec, fault.status, fault.body);
      if (b.client_id !== CLIENT_ID) return json(res, rec, 401, { error: 'invalid_client' });
      const rt = refreshTokens.get(b.refresh_token ?? '');
      if (!b.refresh_token)
        return json(res, rec, 400, { error: 'invalid_request', error_description: 'refresh_token is empty' });
      if (!rt) return json(res, rec, 400, { error: 'invalid_grant' });
      if (rt.revoked)
        return json(res, rec, 401, {
          error: { code: 'refresh_token_invalidated', message: '(fake) refresh token revoked' },
        });
      if (rt.used)
        return json(res, rec, 401, {
          error: {
            message: '(fake) refresh token already used',
            type: 'invalid_request_error',
            code: 'refresh_token_reused',
          },
        });
      rt.used = true;
      const rotated = issue(rt.plan);
      await holdPoint('refresh_token', rotated);
      return json(res, rec, 200, { ...rotated, expires_in: opts.accessTtlSeconds ?? 3600, token_type: 'Bearer' });
    }
    if (grant === 'authorization_code') {
      counters.exchange++;
      const fault = opts.exchangeFaults?.shift();
      if (fault?.delayMs) await sleep(fault.delayMs);
      if (opts.tokenLatencyMs) await sleep(opts.tokenLatencyMs);
      if (fault && 'reset' in fault) {
        rec.status = 0;
        socket.destroy();
        return;
      }
      if (fault && 'status' in fault) return json(res, rec, fault.status, fault.body);
      if (!rec.contentType.startsWith('application/x-www-form-urlencoded'))
        return json(res, rec, 400, { error: 'invalid_request', error_description: 'form-encoded body required' });
      if (b.client_id !== CLIENT_ID) return json(res, rec, 401, { error: 'invalid_client' });
      const c = codes.get(b.code ?? '');
      if (!c || c.used)
        return json(res, rec, 400, { error: 'invalid_grant', error_description: 'code unknown or already used' });
      c.used = true;
      if (b.redirect_uri !== c.redirectUri)
        return json(res, rec, 400, { error: 'invalid_grant', error_description: 'redirect_uri mismatch' });
      if (!b.code_verifier || s256(b.code_verifier) !== c.challenge)
        return json(res, rec, 400, { error: 'invalid_grant', error_description: 'PKCE verification failed' });
      const issued = issue(c.plan);
      await holdPoint('authorization_code', issued);
      return json(res, rec, 200, { ...issued, expires_in: opts.accessTtlSeconds ?? 3600, token_type: 'Bearer' });
    }
    json(res, rec, 400, { error: 'unsupported_grant_type' });
  }

  function device(rec: IssuerRequest, res: http.ServerResponse): void {
    const d = opts.device ?? {};
    if (rec.path.endsWith('/usercode')) {
      if (d.mode === 'disabled') return json(res, rec, 404, { error: 'not_found' });
      if (rec.body.client_id !== CLIENT_ID) return json(res, rec, 400, { error: 'invalid_client' });
      const id = `dev_${randomBytes(8).toString('hex')}`;
      const userCode = `${randomBytes(2).toString('hex').toUpperCase()}-${randomBytes(2).toString('hex').toUpperCase()}`;
      devices.set(id, { userCode, polls: 0 });
      return json(res, rec, 200, { device_auth_id: id, user_code: userCode, interval: d.interval ?? '1' });
    }
    const dev = devices.get(rec.body.device_auth_id ?? '');
    if (!dev || dev.userCode !== rec.body.user_code) return json(res, rec, 400, { error: 'invalid_request' });
    dev.polls++;
    if (d.mode === 'declined')
      return json(res, rec, 401, { error: 'authorization_declined', error_description: 'Denied' });
    if (dev.polls <= (d.pendingPolls ?? 0))
      return json(res, rec, dev.polls % 2 ? 403 : 404, { error: 'authorization_pending' });
    const verifier = randomBytes(64).toString('base64url');
    const code = `ac_${randomBytes(16).toString('base64url')}`;
    codes.set(code, {
      challenge: s256(verifier),
      redirectUri: `${publicUrl || url}/deviceauth/callback`,
      used: false,
      plan: opts.plan ?? 'plus',
    });
    secrets.push(code, verifier);
    json(res, rec, 200, { authorization_code: code, code_challenge: s256(verifier), code_verifier: verifier });
  }

  const server = http.createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const raw = Buffer.concat(chunks).toString('utf8');
    const u = new URL(req.url ?? '/', 'http://x');
    const contentType = req.headers['content-type'] ?? '';
    let body: Record<string, string> = {};
    if (contentType.startsWith('application/json')) {
      try {
        body = JSON.parse(raw || '{}') as Record<string, string>;
      } catch {
        body = {};
      }
    } else if (raw) body = Object.fromEntries(new URLSearchParams(raw));
    const rec: IssuerRequest = { method: req.method ?? '', path: u.pathname, contentType, query: u.searchParams, body };
    requests.push(rec);
    const rawQuery = (req.url ?? '').split('?')[1] ?? '';
    if (req.method === 'GET' && u.pathname === '/oauth/authorize') return authorize(u.searchParams, rawQuery, res, rec);
    if (req.method === 'POST' && u.pathname === '/oauth/token') return token(rec, res, req.socket);
    if (req.method === 'POST' && u.pathname === '/oauth/revoke') {
      const rt = refreshTokens.get(body.token ?? '');
      if (rt) rt.revoked = true;
      return json(res, rec, 200, {});
    }
    if (req.method === 'POST' && u.pathname.startsWith('/api/accounts/deviceauth/')) return device(rec, res);
    text(res, rec, 404, 'Not Found');
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    url,
    requests,
    setPublicUrl(u: string) {
      publicUrl = u;
    },
    options: opts,
    get refreshCount() {
      return counters.refresh;
    },
    get exchangeCount() {
      return counters.exchange;
    },
    isValidAccessToken(t: string) {
      const exp = accessTokens.get(t);
      return exp !== undefined && exp * 1000 > Date.now();
    },
    issue: (o = {}) => issue(o.plan, o.expired),
    writeSession(home: string, o: { expired?: boolean; refreshToken?: string | null } = {}) {
      const t = issue(undefined, o.expired);
      mkdirSync(home, { recursive: true, mode: 0o700 });
      const file = path.join(home, 'credentials.json');
      const chatgpt: Record<string, unknown> = {
        id_token: t.id_token,
        access_token: t.access_token,
        account_id: opts.accountId ?? 'acct-fake-1',
        last_refresh: new Date().toISOString(),
      };
      if (o.refreshToken !== null) chatgpt.refresh_token = o.refreshToken ?? t.refresh_token;
      writeFileSync(file, JSON.stringify({ version: 1, chatgpt }, null, 2), { mode: 0o600 });
      chmodSync(file, 0o600);
      return t;
    },
    holdNext(grant) {
      let reached!: (t: IssuedTokens) => void;
      let release!: () => void;
      const reachedP = new Promise<IssuedTokens>((r) => (reached = r));
      const released = new Promise<void>((r) => (release = r));
      holds.set(grant, { reached, released, release });
      allHolds.push(release);
      return { reached: reachedP, release };
    },
    secrets: () => [...secrets],
    close: () =>
      new Promise<void>((resolve) => {
        for (const release of allHolds) release();
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
