/**
 * A real HTTP(S) forward proxy on 127.0.0.1 (the `proxy` package: CONNECT tunnels and plain
 * forwarding), optionally requiring Basic proxy auth, that logs every request it handles.
 */
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { createProxy } from 'proxy';

/** One request the proxy saw. */
export interface ProxyLogEntry {
  method: string;
  /** `host:port` for CONNECT, the absolute URL otherwise. */
  target: string;
  /** The Proxy-Authorization header, decoded (`user:password`), when sent. */
  credentials?: string;
}

/** A running proxy. */
export interface TestProxy {
  /** `http://127.0.0.1:PORT` */
  url: string;
  port: number;
  log: ProxyLogEntry[];
  close(): Promise<void>;
}

function decode(header: string | undefined): string | undefined {
  if (!header?.startsWith('Basic ')) return undefined;
  return Buffer.from(header.slice(6), 'base64').toString('utf8');
}

/** Starts the proxy; with `credentials` (`user:password`), other requests get 407. */
export async function startProxy(opts: { credentials?: string } = {}): Promise<TestProxy> {
  const log: ProxyLogEntry[] = [];
  const server = http.createServer();
  const sockets = new Set<Socket>();
  server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  // Our listeners are registered first, so they log before the proxy acts.
  server.on('connect', (req: http.IncomingMessage) =>
    log.push({ method: 'CONNECT', target: req.url ?? '', credentials: decode(req.headers['proxy-authorization']) }),
  );
  server.on('request', (req: http.IncomingMessage) =>
    log.push({
      method: req.method ?? '',
      target: req.url ?? '',
      credentials: decode(req.headers['proxy-authorization']),
    }),
  );
  const proxy = createProxy(server);
  if (opts.credentials !== undefined)
    proxy.authenticate = (req) => decode(req.headers['proxy-authorization']) === opts.credentials;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    log,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
