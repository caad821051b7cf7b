/** kolega's version, read once from package.json (two levels up from both src/core and dist/core). */
import { readFileSync } from 'node:fs';

let cached: string | undefined;

/** The package version, e.g. `0.1.0`. */
export function kolegaVersion(): string {
  if (cached === undefined) {
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
    cached = pkg.version;
  }
  return cached;
}
