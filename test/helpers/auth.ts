/**
 * Helpers for the sign-in tests: wait for a line on a child's stderr, play the browser (follow the
 * authorize redirect to the loopback callback, then to /success), find free ports, probe ports.
 */
import type { ChildProcess } from 'node:child_process';
import net from 'node:net';

/** Collected output of a spawned CLI, live. */
export interface LiveOutput {
  stdout: string;
  stderr: string;
}

/** Starts collecting a child's output. */
export function live(child: ChildProcess): LiveOutput {
  const out: LiveOutput = { stdout: '', stderr: '' };
  child.stdout!.setEncoding('utf8').on('data', (d: string) => (out.stdout += d));
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (out.stderr += d));
  return out;
}

/** Resolves with the first match of `re` in `out.stderr`; rejects after `timeoutMs`. */
export async function waitForStderr(out: LiveOutput, re: RegExp, timeoutMs = 15_000): Promise<RegExpMatchArray> {
  const started = Date.now();
  for (;;) {
    const m = out.stderr.match(re);
    if (m) return m;
    if (Date.now() - started > timeoutMs) throw new Error(`timed out waiting for ${re} in stderr:\n${out.stderr}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** The authorize URL printed on stderr (one whole line). */
export async function waitForAuthorizeUrl(out: LiveOutput): Promise<string> {
  const m = await waitForStderr(out, /^(http:\/\/127\.0\.0\.1:\d+\/oauth\/authorize\?[^\s]+)$/m);
  return m[1]!;
}

/** Waits for a child to exit. */
export function exited(
  child: ChildProcess,
  timeoutMs = 20_000,
): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null)
      return resolve({ code: child.exitCode, signal: child.signalCode });
    const t = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('close', (code, signal) => {
      clearTimeout(t);
      resolve({ code, signal });
    });
  });
}

/** `localhost` as 127.0.0.1, so the test browser does not depend on name resolution. */
export function toIPv4(url: string): string {
  return url.replace('://localhost:', '://127.0.0.1:');
}

/** What the test browser saw. */
export interface BrowserVisit {
  /** Location the issuer redirected to (the loopback callback). */
  callbackUrl: string;
  callbackStatus: number;
  callbackLocation: string | null;
  callbackBody: string;
  successStatus?: number;
  successBody?: string;
}

/** Plays the browser: authorize -> callback (-> /success when redirected there). */
export async function playBrowser(authorizeUrl: string, mutateCallback?: (u: URL) => void): Promise<BrowserVisit> {
  const a = await fetch(authorizeUrl, { redirect: 'manual' });
  const location = a.headers.get('location');
  if (a.status !== 302 || !location) throw new Error(`authorize answered ${a.status}: ${await a.text()}`);
  const cb = new URL(location);
  mutateCallback?.(cb);
  const c = await fetch(toIPv4(cb.toString()), { redirect: 'manual' });
  const visit: BrowserVisit = {
    callbackUrl: cb.toString(),
    callbackStatus: c.status,
    callbackLocation: c.headers.get('location'),
    callbackBody: await c.text(),
  };
  if (c.status === 302 && visit.callbackLocation) {
    const s = await fetch(new URL(visit.callbackLocation, toIPv4(cb.toString())));
    visit.successStatus = s.status;
    visit.successBody = await s.text();
  }
  return visit;
}

/** A port that was free a moment ago on 127.0.0.1. */
export async function freePort(): Promise<number> {
  const srv = net.createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const port = (srv.address() as net.AddressInfo).port;
  await new Promise<void>((r) => srv.close(() => r()));
  return port;
}

/** True when something accepts TCP connections on 127.0.0.1:`port`. */
export function portAccepts(port: number, host = '127.0.0.1'): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect({ port, host });
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
}

/** Holds `port` on `host` with a dummy server; @returns a closer (or undefined when the bind failed). */
export async function holdPort(port: number, host = '127.0.0.1'): Promise<(() => Promise<void>) | undefined> {
  const srv = net.createServer((s) => s.end('HTTP/1.1 503 busy\r\nconnection: close\r\n\r\n'));
  try {
    await new Promise<void>((resolve, reject) => {
      srv.once('error', reject);
      srv.listen(port, host, resolve);
    });
  } catch {
    return undefined;
  }
  return () => new Promise<void>((r) => srv.close(() => r()));
}
