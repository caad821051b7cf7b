/**
 * `npm ci` prints no install-script advisory (npm 11.16 and later list every dependency whose
 * install script `allowScripts` in package.json does not cover: https://docs.npmjs.com/cli/v11/commands/npm-approve-scripts).
 * Every package the lockfile marks `hasInstallScript` must be approved there, and kolega's runtime
 * dependencies must have none (the README tells users to install the tarball with --ignore-scripts).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../../helpers/cli.js';

interface LockEntry {
  version?: string;
  dev?: boolean;
  hasInstallScript?: boolean;
}

const pkg = JSON.parse(readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')) as {
  allowScripts?: Record<string, boolean>;
};
const lock = JSON.parse(readFileSync(path.join(REPO_ROOT, 'package-lock.json'), 'utf8')) as {
  packages: Record<string, LockEntry>;
};
const withScripts = Object.entries(lock.packages)
  .filter(([key, e]) => key !== '' && e.hasInstallScript)
  .map(([key, e]) => ({ name: key.slice(key.lastIndexOf('node_modules/') + 'node_modules/'.length), ...e }));

describe('install scripts', () => {
  it('every dependency with an install script is approved in allowScripts (by name or name@version)', () => {
    const allow = pkg.allowScripts ?? {};
    const missing = withScripts.filter(
      (p) => allow[p.name] === undefined && allow[`${p.name}@${p.version}`] === undefined,
    );
    expect(missing.map((p) => `${p.name}@${p.version}`)).toEqual([]);
  });

  it('no runtime dependency has an install script', () => {
    expect(withScripts.filter((p) => !p.dev).map((p) => p.name)).toEqual([]);
  });
});
