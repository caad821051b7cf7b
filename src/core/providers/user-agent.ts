/** The User-Agent kolega sends: `kolega/<version> (<os> <release>; <arch>) node/<version>`. */
import os from 'node:os';
import { kolegaVersion } from '../version.js';

/** Builds the User-Agent header value; non-printable characters become `_`. */
export function userAgent(): string {
  const ua = `kolega/${kolegaVersion()} (${os.type()} ${os.release()}; ${os.arch()}) node/${process.versions.node}`;
  return ua.replace(/[^\x20-\x7e]/g, '_');
}
