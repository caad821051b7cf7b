/**
 * One Responses request: POST `{base}/responses`, map a non-2xx status to a typed error (with one
 * credential recovery on 401, protocol.md d.4), then feed the SSE events to an assembler until a
 * terminal event (protocol.md f.3: stop reading at `response.completed`).
 */
import { KolegaError } from '../errors.js';
import { httpRequest } from '../http.js';
import type { Provider } from '../providers/types.js';
import { ResponseAssembler, type ResponseOutcome } from './assemble.js';
import { errorFromHttp } from './failures.js';
import { buildRequestBody, type RequestSpec } from './request.js';
import { parseSseStream } from './sse.js';

/** Transport options of one request. */
export interface StreamOptions {
  signal: AbortSignal;
  /** No byte for this long (headers or body) fails the request, in ms. */
  idleTimeoutMs: number;
  debug?: (line: string) => void;
}

/**
 * Sends one request and streams its events into `assembler`.
 * @returns the completed response's outcome
 * @throws KolegaError: auth (401/403 after recovery), quota (429), upstream (other statuses,
 *   response.failed/incomplete, malformed stream), network (transport, idle timeout),
 *   interrupted (signal). `retryable` tells the caller whether a replay may succeed.
 */
export async function streamResponse(
  provider: Provider,
  spec: RequestSpec,
  assembler: ResponseAssembler,
  opts: StreamOptions,
): Promise<ResponseOutcome> {
  const url = `${provider.baseUrl}/responses`;
  const body = JSON.stringify(buildRequestBody(spec));
  let recovered = false;
  for (;;) {
    const headers: Record<string, string> = {
      ...provider.staticHeaders,
      ...(await provider.auth.headers()),
      'content-type': 'application/json',
      accept: 'text/event-stream',
      'session-id': spec.sessionId,
    };
    const res = await httpRequest(url, { method: 'POST', headers, body, signal: opts.signal, idleTimeoutMs: opts.idleTimeoutMs, debug: opts.debug });
    if (res.status === 401 && !recovered) {
      await res.dump();
      recovered = true;
      if (await provider.auth.recoverUnauthorized()) {
        opts.debug?.('401: credentials refreshed, re-sending once');
        continue;
      }
      throw errorFromHttp(401, res.headers, '');
    }
    if (res.status < 200 || res.status >= 300) {
      const text = await res.text().catch(() => '');
      throw errorFromHttp(res.status, res.headers, text);
    }
    const iterator = parseSseStream(res.body);
    try {
      for await (const ev of iterator) {
        if (opts.debug && ev.type !== 'response.output_text.delta') opts.debug(`event ${ev.type}`);
        assembler.push(ev);
        if (assembler.done) break;
      }
    } finally {
      // Stop reading at the terminal event; free the socket even when the server keeps it open.
      await res.dump();
    }
    if (opts.signal.aborted) {
      const reason: unknown = opts.signal.reason;
      throw reason instanceof KolegaError ? reason : new KolegaError('interrupted', 'interrupted', 'interrupted');
    }
    return assembler.finish();
  }
}
