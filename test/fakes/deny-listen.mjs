/**
 * A preload for the spawned CLI (`NODE_OPTIONS=--import <this file>`, tests only) that makes the
 * operating system "refuse" some ports: `listen()` on a port listed in KOLEGA_TEST_DENY_PORTS
 * (comma-separated) fails with KOLEGA_TEST_DENY_CODE (default EACCES), the way Linux refuses a port
 * below ip_unprivileged_port_start or an SELinux policy does, and Windows refuses a port in an
 * excluded range (`netsh int ipv4 show excludedportrange`). The error is emitted asynchronously
 * like a real bind failure. Every other listen() is untouched.
 */
import net from 'node:net';

const deny = new Set(
  (process.env.KOLEGA_TEST_DENY_PORTS ?? '')
    .split(',')
    .filter((p) => p.trim() !== '')
    .map(Number),
);
const code = process.env.KOLEGA_TEST_DENY_CODE ?? 'EACCES';
const errno = code === 'EPERM' ? -1 : -13;
const original = net.Server.prototype.listen;

net.Server.prototype.listen = function listen(...args) {
  const first = args[0];
  const port = first !== null && typeof first === 'object' ? first.port : first;
  const host =
    first !== null && typeof first === 'object' ? first.host : typeof args[1] === 'string' ? args[1] : undefined;
  if (deny.has(Number(port))) {
    const address = host ?? '0.0.0.0';
    const err = Object.assign(new Error(`listen ${code}: permission denied ${address}:${port}`), {
      code,
      errno,
      syscall: 'listen',
      address,
      port: Number(port),
    });
    process.nextTick(() => this.emit('error', err));
    return this;
  }
  return original.apply(this, args);
};
