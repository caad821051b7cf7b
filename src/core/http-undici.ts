/**
 * The proxy transport of `httpRequest` (./http.ts): undici's `request` through one shared
 * `EnvHttpProxyAgent` (HTTPS_PROXY/HTTP_PROXY/NO_PROXY). Loaded only when a proxy is configured.
 */
import { EnvHttpProxyAgent, request, type Dispatcher } from 'undici';
import { readText, wrapBody, type HttpRequestOptions, type HttpResponse, type ProxySettings } from './http.js';

let dispatcher: Dispatcher | undefined;
let dispatcherKey = '';

function getDispatcher(proxy: ProxySettings): Dispatcher {
  const key = JSON.stringify(proxy);
  if (!dispatcher || key !== dispatcherKey) {
    dispatcher = new EnvHttpProxyAgent(proxy);
    dispatcherKey = key;
  }
  return dispatcher;
}

/**
 * Sends one request through the proxy agent.
 * @returns the response once headers arrived; @throws undici's raw errors (the caller maps them)
 */
export async function undiciRequest(url: string, opts: HttpRequestOptions, proxy: ProxySettings): Promise<HttpResponse> {
  const res = await request(url, {
    method: opts.method,
    headers: opts.headers,
    body: opts.body,
    signal: opts.signal,
    dispatcher: getDispatcher(proxy),
    headersTimeout: opts.idleTimeoutMs,
    bodyTimeout: opts.idleTimeoutMs,
  });
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(res.headers)) {
    if (v !== undefined) headers[k.toLowerCase()] = Array.isArray(v) ? v.join(', ') : v;
  }
  const body = res.body;
  return {
    status: res.statusCode,
    headers,
    body: wrapBody(body, url, opts.signal),
    text: () => readText(wrapBody(body, url, opts.signal)),
    async dump() {
      await body.dump().catch(() => undefined);
    },
  };
}
