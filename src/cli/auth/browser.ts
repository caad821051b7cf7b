/**
 * Opening the authorize URL in a browser, best effort (a machine without a
 * browser must still be able to sign in with the printed URL): skipped with
 * --no-browser, in CI, over SSH, and on Linux without DISPLAY/WAYLAND_DISPLAY — unless BROWSER names
 * a program, which is then used. A missing, failing or hanging opener never crashes or blocks the
 * sign-in: the child is detached and unreferenced, and its errors become one warning.
 */
import { spawn } from 'node:child_process';

/** Why no browser is opened, or undefined when one should be. */
export function browserSkipReason(
  env: NodeJS.ProcessEnv,
  wanted: boolean,
  platform = process.platform,
): string | undefined {
  if (!wanted) return '--no-browser';
  if (env.BROWSER !== undefined && env.BROWSER.trim() !== '') return undefined;
  if (env.CI !== undefined && env.CI !== '' && env.CI !== 'false' && env.CI !== '0') return 'CI';
  if (env.SSH_CONNECTION || env.SSH_TTY || env.SSH_CLIENT) return 'SSH session';
  if (platform === 'linux' && !env.DISPLAY && !env.WAYLAND_DISPLAY) return 'no display';
  return undefined;
}

/**
 * Starts a browser on `url` without waiting for it.
 * @param warn receives one line when the opener fails
 */
export function openBrowser(url: string, env: NodeJS.ProcessEnv, warn: (line: string) => void): void {
  let warned = false;
  const fail = (why: string) => {
    if (warned) return;
    warned = true;
    warn(`kolega: could not open a browser (${why}); open the URL above yourself`);
  };
  const browser = env.BROWSER?.trim();
  if (browser) {
    try {
      const [cmd, ...args] = browser.split(/\s+/);
      const child = spawn(cmd!, [...args, url], { stdio: 'ignore', detached: true, env });
      child.on('error', (e) => fail(e.message));
      child.on('exit', (code) => {
        if (code !== 0 && code !== null) fail(`${cmd} exited with status ${code}`);
      });
      child.unref();
    } catch (e) {
      fail((e as Error).message);
    }
    return;
  }
  import('open')
    .then(({ default: open }) => open(url, { wait: false }))
    .then((child) => {
      child.on('error', (e) => fail(e.message));
      child.on('exit', (code) => {
        if (code !== 0 && code !== null) fail(`the opener exited with status ${code}`);
      });
      child.unref();
    })
    .catch((e: unknown) => fail((e as Error)?.message ?? String(e)));
}
