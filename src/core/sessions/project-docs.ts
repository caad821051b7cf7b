/**
 * AGENTS.md discovery (README "AGENTS.md and the environment context"): the one in KOLEGA_HOME first, then the `AGENTS.md` of
 * every directory from the git root (the nearest ancestor holding `.git`; the workspace itself
 * outside git) down to the workspace, at most PROJECT_DOC_MAX_BYTES together (Codex's default
 * `project_doc_max_bytes`, github.com/openai/codex/blob/main/docs/config.md). Files are joined with a
 * blank line; the text goes into the request as Codex 0.171 places it (./compose.ts).
 */
import { existsSync, readFileSync, realpathSync, statSync } from 'node:fs';
import path from 'node:path';

/** Most bytes of AGENTS.md text sent, all files together. */
export const PROJECT_DOC_MAX_BYTES = 32 * 1024;

/** What was found. */
export interface ProjectDocs {
  /** The files used, in order (absolute paths). */
  files: string[];
  /** Their contents joined, cut at PROJECT_DOC_MAX_BYTES; '' when none. */
  text: string;
  /** True when the text was cut. */
  truncated: boolean;
}

/** The git root above `dir` (the nearest directory holding `.git`), or undefined outside git. */
export function gitRoot(dir: string): string | undefined {
  for (let d = dir; ; d = path.dirname(d)) {
    if (existsSync(path.join(d, '.git'))) return d;
    if (path.dirname(d) === d) return undefined;
  }
}

/** Directories from `top` down to `dir` (both included); `top` must be `dir` or an ancestor. */
function chain(top: string, dir: string): string[] {
  const out: string[] = [];
  for (let d = dir; ; d = path.dirname(d)) {
    out.unshift(d);
    if (d === top || path.dirname(d) === d) return out;
  }
}

function isInside(child: string, parent: string): boolean {
  const rel = path.relative(parent, child);
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
}

/**
 * Reads one candidate. A FIFO or device would block or never end, so only regular files are read;
 * a project's AGENTS.md that resolves into a secret (a symlink to the credentials file, ~/.ssh, ...)
 * is never read, since its text goes to the model and into the session file.
 */
function readDoc(file: string, masks: readonly string[], allowed: string | undefined): string | undefined {
  try {
    const real = realpathSync(file);
    if (real !== allowed && masks.some((m) => isInside(real, m))) return undefined;
    if (!statSync(real).isFile()) return undefined;
    const text = readFileSync(real, 'utf8');
    return text.trim() === '' ? undefined : text;
  } catch {
    return undefined;
  }
}

/** Cuts `text` to at most `max` UTF-8 bytes without splitting a character. */
function cutUtf8(text: string, max: number): string {
  const buf = Buffer.from(text, 'utf8');
  if (buf.length <= max) return text;
  let end = max;
  while (end > 0 && (buf[end]! & 0xc0) === 0x80) end--;
  return buf.subarray(0, end).toString('utf8');
}

/**
 * Finds and reads the AGENTS.md files for workspace `root` (absolute). Unreadable or empty files,
 * and files that are not regular or resolve inside `masks` (real absolute paths of secrets, see
 * ../tools/masked-paths.ts; `home`'s own AGENTS.md excepted), are skipped; never throws.
 */
export function findProjectDocs(home: string, root: string, masks: readonly string[] = []): ProjectDocs {
  const own = path.join(home, 'AGENTS.md');
  let allowed: string | undefined;
  try {
    allowed = path.join(realpathSync(home), 'AGENTS.md');
  } catch {
    allowed = undefined;
  }
  const candidates = [own, ...chain(gitRoot(root) ?? root, root).map((d) => path.join(d, 'AGENTS.md'))];
  const files: string[] = [];
  const parts: string[] = [];
  for (const file of [...new Set(candidates)]) {
    const text = readDoc(file, masks, allowed);
    if (text === undefined) continue;
    files.push(file);
    parts.push(text);
  }
  const joined = parts.join('\n\n');
  const text = cutUtf8(joined, PROJECT_DOC_MAX_BYTES);
  return { files, text, truncated: text.length < joined.length };
}
