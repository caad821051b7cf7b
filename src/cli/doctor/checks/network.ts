/**
 * Doctor network checks: for the issuer, the ChatGPT base and the OpenAI base — DNS, TCP, TLS and
 * an HTTP request, each with a short timeout. With a proxy configured for the URL, DNS and TCP are
 * checked against the proxy and the HTTP request goes through it (the same client as every other
 * request), so TLS to the target is part of that request. The server's Date header gives the clock
 * skew.
 */
import { lookup } from 'node:dns/promises';
import net from 'node:net';
import tls from 'node:tls';
import { tlsCa } from '../../../core/net/ca-env.js';
import { isKolegaError } from '../../../core/errors.js';
import { httpRequest } from '../../../core/http.js';
import { proxyEnv, proxyFor, redactProxyUrl } from '../../../core/net/proxy-env.js';
import { check, type CheckResult } from './types.js';

/** One endpoint to probe. */
export interface NetTarget {
  /** e.g. `issuer`, `chatgpt`, `openai`. */
  id: string;
  title: string;
  url: string;
  /** A failure is `fail` when needed (a provider in use depends on it), else `warn`. */
  needed: boolean;
}

/** The outcome of probing one target, plus what the clock check needs. */
export interface NetOutcome {
  result: CheckResult;
  /** Server time minus local time, ms (from the Date header), when measured. */
  skewMs?: number;
}

function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let t: NodeJS.Timeout;
  return Promise.race([
    p.finally(() => clearTimeout(t)),
    new Promise<T>((_, reject) => {
      t = setTimeout(
        () => reject(Object.assign(new Error(`${what} timed out after ${ms} ms`), { code: 'ETIMEDOUT' })),
        ms,
      );
    }),
  ]);
}

function tcp(host: string, port: number, ms: number): Promise<void> {
  return withTimeout(
    new Promise<void>((resolve, reject) => {
      const s = net.connect({ host, port });
      s.once('connect', () => {
        s.destroy();
        resolve();
      });
      s.once('error', (err) => {
        s.destroy();
        reject(err);
      });
      s.setTimeout(ms, () => s.destroy(Object.assign(new Error('timeout'), { code: 'ETIMEDOUT' })));
    }),
    ms,
    `TCP ${host}:${port}`,
  );
}

async function tlsHandshake(host: string, port: number, ms: number, env: NodeJS.ProcessEnv): Promise<string> {
  // The same trusted CAs as every request (net/ca-env.ts); a bad CA file is its own doctor check.
  const ca = await tlsCa(env).catch(() => undefined);
  return withTimeout(
    new Promise<string>((resolve, reject) => {
      const s = tls.connect({ host, port, servername: net.isIP(host) ? undefined : host, ...(ca ? { ca } : {}) });
      s.once('secureConnect', () => {
        const proto = s.getProtocol() ?? 'TLS';
        s.destroy();
        resolve(proto);
      });
      s.once('error', (err) => {
        s.destroy();
        reject(err);
      });
    }),
    ms,
    `TLS ${host}:${port}`,
  );
}

const errText = (err: unknown): string => {
  const e = err as NodeJS.ErrnoException;
  if (isKolegaError(err)) return err.message;
  return e.code
    ? `${e.code}${e.message && !e.message.includes(e.code) ? ` (${e.message})` : ''}`
    : String(e.message ?? err);
};

const TLS_CERT_CODES = new Set([
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_HAS_EXPIRED',
  'ERR_TLS_CERT_ALTNAME_INVALID',
]);

/** Probes one target. Never throws. */
export async function probeTarget(target: NetTarget, env: NodeJS.ProcessEnv, timeoutMs: number): Promise<NetOutcome> {
  const id = `network.${target.id}`;
  const url = new URL(target.url);
  const proxy = proxyFor(target.url, env);
  const via = proxy ? new URL(proxy) : url;
  const host = via.hostname.replace(/^\[|\]$/g, '');
  const port = Number(via.port) || (via.protocol === 'https:' ? 443 : 80);
  const steps: string[] = [];
  const details: Record<string, unknown> = { url: target.url, proxy: proxy ? redactProxyUrl(proxy) : null };
  const fail = (what: string, err: unknown, fix: string): NetOutcome => {
    details.failed_step = what;
    const status = target.needed ? 'fail' : 'warn';
    const msg = `${target.url}${proxy ? ` via proxy ${redactProxyUrl(proxy)}` : ''}: ${[...steps, `${what} failed: ${errText(err)}`].join(', ')}`;
    return { result: check(id, target.title, 'network', status, msg, fix, details) };
  };
  const timed = async <T>(fn: () => Promise<T>): Promise<[T, number]> => {
    const t0 = performance.now();
    const v = await fn();
    return [v, Math.round(performance.now() - t0)];
  };
  const proxyWord = proxy ? 'proxy ' : '';
  try {
    if (net.isIP(host)) steps.push(`${proxyWord}DNS skipped (IP)`);
    else {
      const [addr, ms] = await timed(() => withTimeout(lookup(host), timeoutMs, `DNS ${host}`));
      steps.push(`${proxyWord}DNS ${addr.address} ${ms} ms`);
    }
  } catch (err) {
    return fail(
      `${proxyWord}DNS`,
      err,
      proxy ? 'check the proxy host name in HTTPS_PROXY/HTTP_PROXY' : 'check DNS, or the host name in the URL',
    );
  }
  try {
    const [, ms] = await timed(() => tcp(host, port, timeoutMs));
    steps.push(`${proxyWord}TCP ${ms} ms`);
  } catch (err) {
    return fail(
      `${proxyWord}TCP ${host}:${port}`,
      err,
      proxy
        ? 'is the proxy running? check HTTPS_PROXY/HTTP_PROXY, or add the host to NO_PROXY'
        : 'check the network, a firewall, or the base URL',
    );
  }
  if (!proxy && url.protocol === 'https:') {
    try {
      const [proto, ms] = await timed(() => tlsHandshake(host, port, timeoutMs, env));
      steps.push(`TLS ${proto} ${ms} ms`);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code ?? '';
      return fail(
        'TLS',
        err,
        TLS_CERT_CODES.has(code)
          ? 'the certificate is not trusted: set KOLEGA_CA_CERTIFICATE (or NODE_EXTRA_CA_CERTS) to your CA bundle (PEM)'
          : 'check for a TLS-intercepting proxy or firewall',
      );
    }
  }
  const started = Date.now();
  try {
    const [res, ms] = await timed(() =>
      httpRequest(target.url, {
        method: 'GET',
        headers: { accept: 'application/json' },
        idleTimeoutMs: timeoutMs,
        signal: AbortSignal.timeout(timeoutMs * 2),
        env,
      }),
    );
    const ended = Date.now();
    await res.dump();
    steps.push(`HTTP ${res.status} ${ms} ms`);
    details.http_status = res.status;
    const date = res.headers.date ? Date.parse(res.headers.date) : NaN;
    const skewMs = Number.isFinite(date) ? Math.round(date - (started + ended) / 2) : undefined;
    const msg = `${target.url}${proxy ? ` via proxy ${redactProxyUrl(proxy)}` : ''}: ${steps.join(', ')}`;
    if (res.status >= 500)
      return {
        result: check(
          id,
          target.title,
          'network',
          'warn',
          msg,
          'the server reported an error; try again later',
          details,
        ),
        skewMs,
      };
    if (proxy && res.status === 407)
      return {
        result: check(
          id,
          target.title,
          'network',
          target.needed ? 'fail' : 'warn',
          msg,
          'the proxy wants credentials: http://user:password@host:port in HTTPS_PROXY',
          details,
        ),
        skewMs,
      };
    return { result: check(id, target.title, 'network', 'ok', msg, undefined, details), skewMs };
  } catch (err) {
    const code = String(
      (err as { cause?: { code?: string } }).cause?.code ?? (err as NodeJS.ErrnoException).code ?? '',
    );
    const tlsFix = TLS_CERT_CODES.has(code) || /certificate/i.test(errText(err));
    return fail(
      'HTTP',
      err,
      tlsFix
        ? 'the certificate is not trusted: set KOLEGA_CA_CERTIFICATE (or NODE_EXTRA_CA_CERTS) to your CA bundle (PEM)'
        : proxy
          ? 'check the proxy (credentials, allowed hosts) or add the host to NO_PROXY'
          : 'check the network and the base URL',
    );
  }
}

/** The proxy configuration, password redacted; a malformed proxy URL fails. */
export function checkProxy(env: NodeJS.ProcessEnv): CheckResult {
  const p = proxyEnv(env);
  const details = {
    https_proxy: p.httpsProxy ? redactProxyUrl(p.httpsProxy) : null,
    http_proxy: p.httpProxy ? redactProxyUrl(p.httpProxy) : null,
    no_proxy: p.noProxy || null,
  };
  for (const [name, v] of [
    ['HTTPS_PROXY', p.httpsProxy],
    ['HTTP_PROXY', p.httpProxy],
  ] as const) {
    if (v === undefined) continue;
    try {
      const u = new URL(v);
      if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new Error('scheme');
    } catch {
      return check(
        'network.proxy',
        'proxy',
        'config',
        'fail',
        `${name} is not an http(s) URL: ${redactProxyUrl(v)}`,
        `set ${name}=http://host:port (user:password@ optional)`,
        details,
      );
    }
  }
  if (!p.httpsProxy && !p.httpProxy)
    return check(
      'network.proxy',
      'proxy',
      'config',
      'ok',
      'no proxy configured (direct connections)',
      undefined,
      details,
    );
  const parts = [
    details.https_proxy && `HTTPS ${details.https_proxy}`,
    details.http_proxy && `HTTP ${details.http_proxy}`,
    `NO_PROXY ${p.noProxy || '(empty)'}`,
  ].filter(Boolean);
  return check('network.proxy', 'proxy', 'config', 'ok', parts.join('; '), undefined, details);
}

/** Clock skew against the servers' Date headers (token expiry checks depend on the clock). */
export function checkClock(skews: number[]): CheckResult {
  if (skews.length === 0)
    return check(
      'clock',
      'clock skew',
      'config',
      'ok',
      'not measured (no server answered with a Date header)',
      undefined,
      { skew_seconds: null },
    );
  const worst = skews.reduce((a, b) => (Math.abs(b) > Math.abs(a) ? b : a));
  const s = Math.round(worst / 1000);
  const details = { skew_seconds: s };
  if (Math.abs(worst) > 120_000) {
    return check(
      'clock',
      'clock skew',
      'config',
      'warn',
      `the local clock is ${Math.abs(s)} s ${s > 0 ? 'behind' : 'ahead of'} the server`,
      'sync the clock (e.g. enable NTP: timedatectl set-ntp true)',
      details,
    );
  }
  return check(
    'clock',
    'clock skew',
    'config',
    'ok',
    `within ${Math.max(1, Math.abs(s))} s of the server`,
    undefined,
    details,
  );
}
