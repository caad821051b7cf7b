/**
 * A throw-away test CA and a server certificate for 127.0.0.1/localhost, made with the openssl CLI
 * at test time (nothing secret is committed). Used to show that an HTTPS fake is reachable only
 * when NODE_EXTRA_CA_CERTS names the CA.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/** PEM material of one test PKI. */
export interface TestPki {
  /** Path of the CA certificate (for NODE_EXTRA_CA_CERTS). */
  caFile: string;
  /** Server key and certificate chain, PEM. */
  key: string;
  cert: string;
}

/** Creates a CA and a server certificate (EC P-256, 2 days) in `dir`. @throws when openssl is missing */
export function makeTestPki(dir: string): TestPki {
  const f = (n: string) => path.join(dir, n);
  const ossl = (...args: string[]) => execFileSync('openssl', args, { stdio: ['ignore', 'pipe', 'pipe'] });
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  ossl(
    'req',
    '-x509',
    ...ec,
    '-keyout',
    f('ca.key'),
    '-out',
    f('ca.pem'),
    '-days',
    '2',
    '-subj',
    '/CN=kolega test CA',
    '-addext',
    'basicConstraints=critical,CA:TRUE',
    '-addext',
    'keyUsage=critical,keyCertSign,cRLSign',
  );
  ossl('req', ...ec, '-keyout', f('server.key'), '-out', f('server.csr'), '-subj', '/CN=127.0.0.1');
  writeFileSync(
    f('ext.cnf'),
    'subjectAltName=IP:127.0.0.1,DNS:localhost\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\nkeyUsage=digitalSignature\n',
  );
  ossl(
    'x509',
    '-req',
    '-in',
    f('server.csr'),
    '-CA',
    f('ca.pem'),
    '-CAkey',
    f('ca.key'),
    '-CAcreateserial',
    '-out',
    f('server.pem'),
    '-days',
    '2',
    '-extfile',
    f('ext.cnf'),
  );
  return {
    caFile: f('ca.pem'),
    key: readFileSync(f('server.key'), 'utf8'),
    cert: readFileSync(f('server.pem'), 'utf8'),
  };
}

/** A running TLS front. */
export interface TlsFront {
  /** `https://127.0.0.1:PORT` */
  url: string;
  close(): Promise<void>;
}

/**
 * An HTTPS server on 127.0.0.1 that forwards every request to the plain-HTTP `target` (e.g. the
 * fake issuer) and relays the answer unchanged: the fake then speaks HTTPS with the test CA.
 */
export async function startTlsFront(target: string, pki: TestPki): Promise<TlsFront> {
  const https = await import('node:https');
  const http = await import('node:http');
  const to = new URL(target);
  const server = https.createServer({ key: pki.key, cert: pki.cert }, (req, res) => {
    const upstream = http.request(
      {
        host: to.hostname,
        port: to.port,
        method: req.method,
        path: req.url,
        headers: { ...req.headers, host: to.host },
      },
      (up) => {
        res.writeHead(up.statusCode ?? 502, up.headers);
        up.pipe(res);
      },
    );
    upstream.on('error', () => res.destroy());
    req.pipe(upstream);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as import('node:net').AddressInfo).port;
  return {
    url: `https://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
