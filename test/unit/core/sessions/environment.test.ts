/** The environment context and AGENTS.md discovery (src/core/sessions/environment.ts, project-docs.ts). */
import { mkdirSync, readlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { environmentContext, localDateAndZone } from '../../../../src/core/sessions/environment.js';
import { findProjectDocs, PROJECT_DOC_MAX_BYTES } from '../../../../src/core/sessions/project-docs.js';
import { tempDir } from '../../../helpers/cli.js';

const base = { cwd: '/home/user/project', addDirs: [], date: '2026-12-02', timezone: 'Etc/UTC', shellName: 'bash' };

describe('environmentContext', () => {
  it('the form of capture E: cwd, shell, date, time zone, then the filesystem on one line', () => {
    expect(environmentContext({ ...base, sandbox: 'full-access', shell: true })).toBe(
      '<environment_context>\n  <cwd>/home/user/project</cwd>\n  <shell>bash</shell>\n  <current_date>2026-12-02</current_date>\n  <timezone>Etc/UTC</timezone>\n' +
        '  <filesystem><workspace_roots><root>/home/user/project</root></workspace_roots><permission_profile type="disabled"><file_system type="unrestricted" /></permission_profile></filesystem>\n</environment_context>',
    );
  });

  it('read-only without a shell: read access to the roots only; workspace-write with the shell: read :root, write the roots and :slash_tmp', () => {
    const ro = environmentContext({ ...base, addDirs: ['/data'], sandbox: 'read-only', shell: false });
    expect(ro).toContain('<workspace_roots><root>/home/user/project</root><root>/data</root></workspace_roots>');
    expect(ro).toContain(
      '<file_system type="restricted"><entry access="read"><path>/home/user/project</path></entry><entry access="read"><path>/data</path></entry></file_system>',
    );
    const ww = environmentContext({ ...base, sandbox: 'workspace-write', shell: true });
    expect(ww).toContain(
      '<entry access="read"><special>:root</special></entry><entry access="write"><path>/home/user/project</path></entry><entry access="write"><special>:slash_tmp</special></entry>',
    );
  });

  it('escapes markup in paths', () => {
    expect(environmentContext({ ...base, cwd: '/a<b>&c', sandbox: 'full-access', shell: false })).toContain(
      '<cwd>/a&lt;b&gt;&amp;c</cwd>',
    );
  });

  it('localDateAndZone: local YYYY-MM-DD and an IANA zone', () => {
    const { date, timezone } = localDateAndZone(new Date(2026, 0, 5, 10));
    expect(date).toBe('2026-01-05');
    expect(timezone).toMatch(/\S/);
  });

  it('localDateAndZone: without TZ the /etc/localtime link names the zone (as Codex reports it); with TZ, ICU does', () => {
    const saved = process.env.TZ;
    try {
      delete process.env.TZ;
      let link: string | undefined;
      try {
        link = readlinkSync('/etc/localtime');
      } catch {
        link = undefined;
      }
      const zone = localDateAndZone().timezone;
      if (link?.includes('zoneinfo/')) expect(zone).toBe(link.slice(link.indexOf('zoneinfo/') + 9));
      else expect(zone).toBe(Intl.DateTimeFormat().resolvedOptions().timeZone);
      process.env.TZ = 'UTC';
      expect(localDateAndZone().timezone).toBe(Intl.DateTimeFormat().resolvedOptions().timeZone);
    } finally {
      if (saved === undefined) delete process.env.TZ;
      else process.env.TZ = saved;
    }
  });
});

describe('findProjectDocs', () => {
  it('KOLEGA_HOME first, then git root down to the workspace; empty files skipped; joined by a blank line', () => {
    const t = tempDir();
    try {
      const home = path.join(t.dir, 'home');
      const repo = path.join(t.dir, 'repo');
      const ws = path.join(repo, 'a', 'b');
      mkdirSync(home);
      mkdirSync(path.join(repo, '.git'), { recursive: true });
      mkdirSync(ws, { recursive: true });
      writeFileSync(path.join(t.dir, 'AGENTS.md'), 'above the git root: never read\n');
      writeFileSync(path.join(home, 'AGENTS.md'), 'H');
      writeFileSync(path.join(repo, 'AGENTS.md'), 'R');
      writeFileSync(path.join(repo, 'a', 'AGENTS.md'), '  \n');
      writeFileSync(path.join(ws, 'AGENTS.md'), 'W');
      const docs = findProjectDocs(home, ws);
      expect(docs.files).toEqual([
        path.join(home, 'AGENTS.md'),
        path.join(repo, 'AGENTS.md'),
        path.join(ws, 'AGENTS.md'),
      ]);
      expect(docs.text).toBe('H\n\nR\n\nW');
      expect(docs.truncated).toBe(false);
      // outside git: only the workspace itself
      expect(findProjectDocs(path.join(t.dir, 'nohome'), path.join(t.dir)).files).toEqual([
        path.join(t.dir, 'AGENTS.md'),
      ]);
    } finally {
      t.cleanup();
    }
  });

  it('cuts at 32 KiB without splitting a character', () => {
    const t = tempDir();
    try {
      writeFileSync(path.join(t.dir, 'AGENTS.md'), 'é'.repeat(PROJECT_DOC_MAX_BYTES));
      const docs = findProjectDocs(path.join(t.dir, 'h'), t.dir);
      expect(docs.truncated).toBe(true);
      expect(Buffer.byteLength(docs.text)).toBe(PROJECT_DOC_MAX_BYTES);
      expect(docs.text).not.toContain('\ufffd');
    } finally {
      t.cleanup();
    }
  });
});
