/**
 * The environment context kolega tells the model once, at the start of a session, in the form
 * Codex 0.171 sends (docs/protocol.md "AGENTS.md and environment context", capture E): cwd, shell,
 * current date and time zone, and the filesystem permissions. The permissions describe what
 * kolega's own tools may do (README "Tools and the sandbox"), in Codex's vocabulary; network
 * access is not part of it (Codex puts it elsewhere, in text of its own).
 */
import { existsSync, readlinkSync } from 'node:fs';
import type { SandboxLevel } from '../tools/types.js';

/** What the context says. */
export interface EnvironmentFacts {
  /** Workspace root (absolute). */
  cwd: string;
  /** Extra roots tools may use (`--add-dir`). */
  addDirs: string[];
  sandbox: SandboxLevel;
  /** The shell tool is offered (it can read outside the workspace and write /tmp). */
  shell: boolean;
  /** Local date `YYYY-MM-DD`. */
  date: string;
  /** IANA time zone, e.g. `Etc/UTC`. */
  timezone: string;
  /** Shell name (`bash`, or `sh` where there is no bash). */
  shellName: string;
}

/** Escapes text for an XML element or attribute. */
function xml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

const entry = (access: 'read' | 'write', kind: 'path' | 'special', value: string) =>
  `<entry access="${access}"><${kind}>${xml(value)}</${kind}></entry>`;

/** The `<permission_profile>` element for the sandbox level. */
function permissionProfile(f: EnvironmentFacts): string {
  if (f.sandbox === 'full-access')
    return '<permission_profile type="disabled"><file_system type="unrestricted" /></permission_profile>';
  const roots = [f.cwd, ...f.addDirs];
  const entries: string[] = [];
  // The shell (bubblewrap) sees the whole filesystem read-only; the file tools only the roots.
  if (f.shell) entries.push(entry('read', 'special', ':root'));
  else for (const r of roots) entries.push(entry('read', 'path', r));
  if (f.sandbox === 'workspace-write') {
    for (const r of roots) entries.push(entry('write', 'path', r));
    if (f.shell) entries.push(entry('write', 'special', ':slash_tmp'));
  }
  return `<permission_profile type="managed"><file_system type="restricted">${entries.join('')}</file_system></permission_profile>`;
}

/** The `<environment_context>` text. */
export function environmentContext(f: EnvironmentFacts): string {
  const roots = [f.cwd, ...f.addDirs].map((r) => `<root>${xml(r)}</root>`).join('');
  return (
    '<environment_context>\n' +
    `  <cwd>${xml(f.cwd)}</cwd>\n` +
    `  <shell>${xml(f.shellName)}</shell>\n` +
    `  <current_date>${f.date}</current_date>\n` +
    `  <timezone>${xml(f.timezone)}</timezone>\n` +
    `  <filesystem><workspace_roots>${roots}</workspace_roots>${permissionProfile(f)}</filesystem>\n` +
    '</environment_context>'
  );
}

/** Today's local date as `YYYY-MM-DD` and the process's IANA time zone. */
export function localDateAndZone(now: Date = new Date()): { date: string; timezone: string } {
  const p = (n: number) => String(n).padStart(2, '0');
  const date = `${now.getFullYear()}-${p(now.getMonth() + 1)}-${p(now.getDate())}`;
  return { date, timezone: systemTimeZone() };
}

/**
 * The IANA zone name: the target of the `/etc/localtime` link when `TZ` is unset (what Codex
 * sends, e.g. `Etc/UTC` in docs/protocol.md "AGENTS.md and environment context", and cheap),
 * else ICU's answer, whose first use loads time-zone data (tens of ms before the first request).
 */
function systemTimeZone(): string {
  if (process.env.TZ === undefined) {
    try {
      const link = readlinkSync('/etc/localtime');
      const at = link.indexOf('zoneinfo/');
      if (at >= 0 && /^[A-Za-z0-9_+-]+(\/[A-Za-z0-9_+-]+)*$/.test(link.slice(at + 9))) return link.slice(at + 9);
    } catch {
      // No link (a copied file, or not Linux): ask ICU.
    }
  }
  return Intl.DateTimeFormat().resolvedOptions().timeZone || 'Etc/UTC';
}

/** The shell the `shell` tool runs commands with (see ../tools/shell.ts). */
export function shellName(): string {
  return existsSync('/bin/bash') ? 'bash' : 'sh';
}
