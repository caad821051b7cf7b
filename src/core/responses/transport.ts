/**
 * The seam between the turn loop and the wire: one request of a turn in, its outcome out, over
 * HTTP SSE (./client.ts) or the ChatGPT backend's Responses WebSocket (./websocket.ts). The turn
 * loop is the same for both; only how a request travels differs.
 *
 * Modes (`--transport`, the `transport` setting): `http` never upgrades; `websocket` uses the
 * WebSocket only (a refused upgrade is an error); `auto` (the default) tries the WebSocket on the
 * ChatGPT backend, as Codex does, and when the upgrade is refused (426) or anything fails before
 * the connection's first frame it sends that request, and every later one of the run, over HTTP
 * without showing an error. Each attempt fetches its credentials once and the fallback reuses
 * them (a second fetch could refresh the tokens a second time). The public API always uses HTTP.
 */
import { KolegaError } from '../errors.js';
import type { Provider } from '../providers/types.js';
import type { ResponseAssembler } from './assemble.js';
import { streamResponse, type StreamOptions, type StreamResult } from './client.js';
import type { RequestSpec } from './request.js';
import type { WebSocketSession } from './websocket.js';

/** How requests travel. */
export type TransportMode = 'auto' | 'websocket' | 'http';
/** Every mode, for flags, settings and messages. */
export const TRANSPORT_MODES: readonly TransportMode[] = ['auto', 'websocket', 'http'];

/** True for a valid mode name. */
export function isTransportMode(v: unknown): v is TransportMode {
  return typeof v === 'string' && (TRANSPORT_MODES as readonly string[]).includes(v);
}

/** One request of a turn. */
export interface TransportRequest {
  spec: RequestSpec;
  /**
   * Length of the prefix of `spec.input` that the turn's previous completed response already holds
   * (its own input plus its output, as replayed); undefined for a turn's first request. A chained
   * transport sends only the items after it; others ignore it.
   */
  chainFrom?: number;
}

/** Sends the requests of a run. */
export interface ResponsesTransport {
  /**
   * Sends one request and streams its events into `assembler`.
   * @throws the KolegaErrors of ./client.ts `streamResponse` (auth, quota, upstream, network,
   *   interrupted), with `retryable` set as there.
   */
  send(req: TransportRequest, assembler: ResponseAssembler, opts: StreamOptions): Promise<StreamResult>;
  /** The transport requests currently go over (`websocket` turns into `http` after a fallback). */
  readonly current: 'http' | 'websocket';
  /** Bytes of each request body or frame sent, in order (diagnostics and the bench). */
  readonly uploads: number[];
  /** Frees the connection, if any. */
  close(): void;
}

/**
 * Opens the transport of one turn: `openTransport` below, or a stand-in that answers in-process
 * (the turn loop's tests drive `runTurn` through one without any socket).
 */
export type TransportOpener = (
  provider: Provider,
  mode: TransportMode | undefined,
  debug?: (line: string) => void,
) => ResponsesTransport;

/**
 * The transport for `provider` in `mode`.
 * @throws KolegaError(usage, `websocket_unsupported`) for `websocket` on a provider without one
 */
export function openTransport(
  provider: Provider,
  mode: TransportMode = 'auto',
  debug?: (line: string) => void,
): ResponsesTransport {
  if (mode === 'websocket' && !provider.chatgptBackend) {
    throw new KolegaError(
      'usage',
      'websocket_unsupported',
      '--transport websocket works with the ChatGPT backend only',
      {
        hint: 'use --transport http or auto with an API key',
      },
    );
  }
  const useWs = mode !== 'http' && provider.chatgptBackend;
  let session: WebSocketSession | undefined;
  let fellBack = !useWs;
  const uploads: number[] = [];
  return {
    uploads,
    get current() {
      return fellBack ? 'http' : 'websocket';
    },
    async send(req, assembler, opts) {
      // This attempt's credentials, fetched at most once whichever way the request goes.
      let credentials: Promise<Record<string, string>> | undefined;
      const authHeaders = () => (credentials ??= provider.auth.headers());
      if (!fellBack) {
        const ws = await import('./websocket.js');
        session ??= new ws.WebSocketSession(provider, debug);
        try {
          return await session.send(req, assembler, opts, authHeaders);
        } catch (err) {
          if (!(err instanceof ws.WebSocketUnavailable)) throw err;
          if (mode === 'websocket') throw err.error;
          debug?.(`websocket unavailable (${err.message}); HTTP from now on`);
          session.close();
          fellBack = true;
        } finally {
          uploads.push(...session.sentBytes.splice(0));
        }
      }
      const body = { value: 0 };
      try {
        return await streamResponse(provider, req.spec, assembler, {
          ...opts,
          authHeaders,
          onBodyBytes: (n) => (body.value = n),
        });
      } finally {
        if (body.value > 0) uploads.push(body.value);
      }
    },
    close() {
      session?.close();
    },
  };
}
