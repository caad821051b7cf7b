/**
 * Is bubblewrap usable? `bwrap --version` says whether it is installed; `bwrap --ro-bind / / true`
 * whether it can create a namespace here (it cannot in many containers, or when unprivileged user
 * namespaces are disabled). The tools' sandbox relies on the same facts.
 */
import { spawnSync } from 'node:child_process';

/** What the probe found. */
export interface BwrapProbe {
  installed: boolean;
  version?: string;
  /** True when a trivial sandbox ran. */
  usable: boolean;
  /** Why it is not usable (first stderr line), when it is not. */
  reason?: string;
}

/** Probes bubblewrap (two short child processes, 3 s limit each). */
export function probeBubblewrap(bin = 'bwrap'): BwrapProbe {
  const v = spawnSync(bin, ['--version'], { encoding: 'utf8', timeout: 3000 });
  if (v.error || v.status !== 0) {
    return { installed: false, usable: false, reason: v.error ? `${bin} not found` : (v.stderr || '').trim().split('\n')[0] || `exit ${v.status}` };
  }
  const version = v.stdout.trim().replace(/^bubblewrap\s+/, '');
  const t = spawnSync(bin, ['--ro-bind', '/', '/', 'true'], { encoding: 'utf8', timeout: 3000 });
  if (t.error || t.status !== 0) {
    const reason = t.error ? t.error.message : (t.stderr || '').trim().split('\n')[0] || `exit ${t.status}`;
    return { installed: true, version, usable: false, reason };
  }
  return { installed: true, version, usable: true };
}
