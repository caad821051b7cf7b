/**
 * The loopback server of the browser sign-in (docs/protocol.md §a.3, a.4): binds 127.0.0.1 (and ::1 when
 * the machine has IPv6, so `localhost` cannot reach another program) on the first free port of a
 * list, and turns a valid `/auth/callback` into a pending code. It accepts connections before the
 * caller prints the URL. A wrong `state` gets 400 and the server keeps waiting. `/cancel` is not
 * honoured: it would let any local page or program abort the sign-in; a stale kolega listener
 * dies with its process, and a busy 1455 falls back to 1457.
 */
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { KolegaError } from '../errors.js';
import { CALLBACK_PATH } from './constants.js';
import { judgeCallback } from './callback.js';
import { loopbackRedirectUri } from './issuer.js';
import { errorPage, successPage } from './pages.js';

/** A received code and the means to answer the browser that brought it. */
export interface PendingCode {
  code: string;
  /** True when a browser is waiting for the answer (false for a pasted URL). */
  viaBrowser: boolean;
  /** Sends the browser to /success (ok) or shows an error page. */
  respond(outcome: { ok: true } | { ok: false; error: KolegaError }): void;
}

/** A running loopback server. */
export interface LoopbackServer {
  port: number;
  /** `http://localhost:{port}/auth/callback` */
  redirectUri: string;
  /** Ports that were busy before `port` was bound (for a notice). */
  busyPorts: number[];
  /** Ports the operating system refused before `port` was bound (EACCES/EPERM), for a notice. */
  refusedPorts: { port: number; code: string }[];
  /** Settles with the first valid code, or rejects for `error=...` / a missing code. */
  code: Promise<PendingCode>;
  /** Resolves when the success page has been served (or never). */
  successServed: Promise<void>;
  /** Stops listening and drops open connections; idempotent. */
  close(): Promise<void>;
}

/** Options of `startLoopbackServer`. */
export interface LoopbackOptions {
  /** Ports to try in order (e.g. [1455, 1457]). */
  ports: readonly number[];
  /** The `state` every callback must carry. */
  state: string;
  debug?: (line: string) => void;
}

function listen(server: http.Server, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (err: Error) => {
      server.off('listening', onListening);
      reject(err);
    };
    const onListening = () => {
      server.off('error', onError);
      resolve();
    };
    server.once('error', onError);
    server.once('listening', onListening);
    server.listen({ port, host, exclusive: true });
  });
}

function closeServer(server: http.Server): Promise<void> {
  return new Promise((resolve) => {
    if (!server.listening) return resolve();
    server.close(() => resolve());
  });
}

/**
 * Binds the first free port of `opts.ports` and serves the callback.
 * @throws KolegaError(auth, `ports_busy`) naming every port when none is free;
 *   KolegaError(auth, `loopback_failed`) for other bind errors.
 */
export async function startLoopbackServer(opts: LoopbackOptions): Promise<LoopbackServer> {
  const sockets = new Set<Socket>();
  let settle!: { resolve: (p: PendingCode) => void; reject: (e: KolegaError) => void };
  const code = new Promise<PendingCode>((resolve, reject) => (settle = { resolve, reject }));
  code.catch(() => undefined); // observed by the caller; never an unhandled rejection
  let markSuccess!: () => void;
  const successServed = new Promise<void>((r) => (markSuccess = r));
  let settled = false;

  const handler = (req: http.IncomingMessage, res: http.ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const send = (status: number, type: string, body: string, extra: Record<string, string> = {}) => {
      res
        .writeHead(status, { 'content-type': type, 'cache-control': 'no-store', connection: 'close', ...extra })
        .end(body);
    };
    if (req.method !== 'GET') return send(405, 'text/plain; charset=utf-8', 'Method Not Allowed');
    if (url.pathname === '/success') {
      send(200, 'text/html; charset=utf-8', successPage());
      markSuccess();
      return;
    }
    if (url.pathname !== CALLBACK_PATH) return send(404, 'text/plain; charset=utf-8', 'Not Found');
    const verdict = judgeCallback(url.searchParams, opts.state);
    if (verdict.kind === 'state_mismatch') {
      opts.debug?.('loopback: callback with a wrong or missing state ignored (400)');
      return send(400, 'text/plain; charset=utf-8', 'State mismatch');
    }
    if (settled) return send(409, 'text/plain; charset=utf-8', 'This sign-in has already been handled.');
    settled = true;
    if (verdict.kind === 'error') {
      send(200, 'text/html; charset=utf-8', errorPage(verdict.error.message, verdict.error.hint));
      settle.reject(verdict.error);
      return;
    }
    settle.resolve({
      code: verdict.code,
      viaBrowser: true,
      respond(outcome) {
        if (res.writableEnded) return;
        if (outcome.ok) send(302, 'text/plain; charset=utf-8', 'Signed in; redirecting', { location: '/success' });
        else send(200, 'text/html; charset=utf-8', errorPage(outcome.error.message, outcome.error.hint));
      },
    });
  };

  const track = (server: http.Server) => {
    server.on('connection', (s: Socket) => {
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
    });
    return server;
  };

  const busy: number[] = [];
  const refused: { port: number; code: string }[] = [];
  /** Files a bind failure under busy or refused; @returns false for any other error. */
  const classify = (port: number, err: unknown): boolean => {
    const c = (err as NodeJS.ErrnoException).code;
    if (c === 'EADDRINUSE') busy.push(port);
    else if (c !== undefined && REFUSED_CODES.has(c)) refused.push({ port, code: c });
    else return false;
    return true;
  };
  for (const port of opts.ports) {
    const v4 = track(http.createServer(handler));
    try {
      await listen(v4, port, '127.0.0.1');
    } catch (err) {
      if (classify(port, err)) continue;
      throw new KolegaError(
        'auth',
        'loopback_failed',
        `cannot listen on 127.0.0.1:${port}: ${(err as Error).message}`,
        { cause: err },
      );
    }
    const bound = (v4.address() as AddressInfo).port;
    // `localhost` may resolve to ::1 in the browser: hold that port too, or treat it as busy.
    const v6 = track(http.createServer(handler));
    let v6Listening = false;
    try {
      await listen(v6, bound, '::1');
      v6Listening = true;
    } catch (err) {
      const c = (err as NodeJS.ErrnoException).code;
      if (c === 'EADDRINUSE' || (c !== undefined && REFUSED_CODES.has(c))) {
        await closeServer(v4);
        classify(port, err);
        continue;
      }
      // EADDRNOTAVAIL / EAFNOSUPPORT: no IPv6 loopback here, 127.0.0.1 is enough.
    }
    const servers = v6Listening ? [v4, v6] : [v4];
    let closed: Promise<void> | undefined;
    return {
      port: bound,
      redirectUri: loopbackRedirectUri(bound),
      busyPorts: busy,
      refusedPorts: refused,
      code,
      successServed,
      close() {
        closed ??= (async () => {
          for (const s of sockets) s.destroy();
          await Promise.all(servers.map(closeServer));
        })();
        return closed;
      },
    };
  }
  throw portsUnavailable(busy, refused);
}

/** Bind errors by which the operating system refuses a port (a reserved or excluded range, a policy). */
const REFUSED_CODES: ReadonlySet<string> = new Set(['EACCES', 'EPERM']);

/**
 * The error when no callback port could be bound: refused ports are reported as refused (not "in
 * use"), each with its errno code.
 * @returns KolegaError(auth, `ports_refused` when any port was refused, else `ports_busy`)
 */
function portsUnavailable(busy: number[], refused: { port: number; code: string }[]): KolegaError {
  const parts: string[] = [];
  if (refused.length > 0) {
    const list = refused.map((r) => `127.0.0.1:${r.port} (${r.code})`).join(' and ');
    parts.push(`the operating system refused ${list}, e.g. a reserved or excluded port range or a security policy`);
  }
  if (busy.length > 0) {
    const list = busy.map((p) => `127.0.0.1:${p}`).join(' and ');
    parts.push(`${list} ${busy.length > 1 ? 'are' : 'is'} in use by another program`);
  }
  const hint =
    refused.length > 0
      ? 'pick a port the system allows with --port N, or sign in without a callback: kolega auth login chatgpt --device-auth'
      : 'close the program using the port, pick another with --port N, or sign in without a callback: kolega auth login chatgpt --device-auth';
  return new KolegaError(
    'auth',
    refused.length > 0 ? 'ports_refused' : 'ports_busy',
    `cannot start the sign-in callback server: ${parts.join('; ')}`,
    { hint },
  );
}
