/**
 * Proxy settings from the environment, decided once for the HTTP client and for messages:
 * `https_proxy`/`HTTPS_PROXY`, `http_proxy`/`HTTP_PROXY`, `no_proxy`/`NO_PROXY`. The lower-case
 * form wins when set, but an empty lower-case variable does not hide a set upper-case one
 * (an empty `https_proxy=` left by a script must not silently disable the proxy). Loopback is NOT bypassed implicitly (undici's EnvHttpProxyAgent does not
 * either): list it in NO_PROXY to go direct.
 */

import { KolegaError } from '../errors.js';

/** The effective proxy settings. */
export interface ProxyEnv {
  httpProxy?: string;
  httpsProxy?: string;
  /** The NO_PROXY list as given ('' when none). */
  noProxy: string;
}

function pick(env: NodeJS.ProcessEnv, upper: string): string | undefined {
  for (const name of [upper.toLowerCase(), upper]) {
    const v = env[name];
    if (v !== undefined && v.trim() !== '') return v.trim();
  }
  return undefined;
}

/** Reads the proxy variables (HTTPS falls back to HTTP_PROXY, as curl and undici do). */
export function proxyEnv(env: NodeJS.ProcessEnv): ProxyEnv {
  const httpProxy = pick(env, 'HTTP_PROXY');
  return { httpProxy, httpsProxy: pick(env, 'HTTPS_PROXY') ?? httpProxy, noProxy: pick(env, 'NO_PROXY') ?? '' };
}

/** True when `url` matches the NO_PROXY list (undici's rules: `*`, host or domain suffix, optional port). */
export function bypassesProxy(url: URL, noProxy: string): boolean {
  const list = noProxy
    .split(/[,\s]/)
    .map((e) => e.trim().toLowerCase())
    .filter((e) => e !== '');
  if (list.includes('*')) return true;
  const host = url.hostname.toLowerCase().replace(/^\[|\]$/g, '');
  const port = Number(url.port) || (url.protocol === 'https:' ? 443 : 80);
  for (const entry of list) {
    const m = /^(.*?)(?::(\d+))?$/.exec(entry.replace(/^\[|\](?=:|$)/g, ''))!;
    const name = m[1]!.replace(/^\*?\./, '.');
    if (m[2] && Number(m[2]) !== port) continue;
    if (
      name.startsWith('.') ? host.endsWith(name) || host === name.slice(1) : host === name || host.endsWith('.' + name)
    )
      return true;
  }
  return false;
}

/** The proxy URL a request to `url` goes through, or undefined when it goes direct. */
export function proxyFor(url: string, env: NodeJS.ProcessEnv): string | undefined {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return undefined;
  }
  const p = proxyEnv(env);
  const proxy = u.protocol === 'https:' ? p.httpsProxy : p.httpProxy;
  if (!proxy || bypassesProxy(u, p.noProxy)) return undefined;
  return proxy;
}

/** A proxy URL for display: the password (and a bare user's token) replaced by `***`. */
export function redactProxyUrl(proxy: string): string {
  try {
    const u = new URL(proxy);
    if (u.password) u.password = '***';
    return u.toString().replace(/\/$/, '');
  } catch {
    return proxy.replace(/\/\/([^:@/]*):[^@/]*@/, '//$1:***@');
  }
}

/**
 * Validates the proxy variables before any request: each set proxy must be an http(s) URL whose
 * user and password decode (percent-encoding).
 * @throws KolegaError(config, `bad_proxy`) naming the variable, the password redacted
 */
export function checkProxyEnv(env: NodeJS.ProcessEnv): void {
  for (const name of ['https_proxy', 'HTTPS_PROXY', 'http_proxy', 'HTTP_PROXY']) {
    const v = env[name]?.trim();
    if (!v) continue;
    let ok = false;
    try {
      const u = new URL(v);
      decodeURIComponent(u.username);
      decodeURIComponent(u.password);
      ok = (u.protocol === 'http:' || u.protocol === 'https:') && u.hostname !== '';
    } catch {
      ok = false;
    }
    if (!ok) {
      throw new KolegaError('config', 'bad_proxy', `${name} is not a valid proxy URL: ${redactProxyUrl(v)}`, {
        hint: `set ${name} to http://[user:password@]host:port (percent-encode special characters), or unset it`,
      });
    }
  }
}
