/**
 * Citation check (`npm run check:citations`): every comment in the code cites only what a reader of
 * the repository can open — a file in the repository (docs/protocol.md, docs/design.md, README.md,
 * test/fixtures/...), a public URL — or states its reason itself. Flagged in comments:
 *   - a `*.md` document that is not in the repository (`protocol.md` without `docs/`, `style.md`, ...);
 *   - paths into a sibling checkout (`../shared/...`, `shared/fixtures/...`) and `peer-failures`;
 *   - issue numbers (`issue 7`): the tracker is not part of the repository;
 *   - outside the tests, bug-case ids (`B25`, `B38b`); test names and test comments may keep them;
 *   - `docs/protocol.md §x` whose section label `x` is not a heading of docs/protocol.md, and
 *     `docs/<name>.md "Title"` whose title does not occur in that document.
 * Exits 1 and lists `file:line: reason` for each finding.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

/** One comment that cites something a reader cannot open. */
export interface Finding {
  /** Path relative to the repository root, `/`-separated. */
  file: string;
  /** 1-based line of the offending text. */
  line: number;
  reason: string;
}

/** What the checker knows about the repository it checks. */
export interface RepoFacts {
  /** True when `relPath` (relative to the repository root) exists. */
  exists(relPath: string): boolean;
  /** The text of a document under docs/ (e.g. `docs/protocol.md`), or undefined when absent. */
  doc(relPath: string): string | undefined;
}

/** Folders whose code is checked, relative to the repository root. */
const CHECKED_DIRS = ['src', 'test', 'bench', 'scripts', 'bin'];
/** Folders never checked: data, not code. */
const SKIPPED_DIRS = new Set(['node_modules', 'dist', 'fixtures']);
const CODE_FILE = /\.(ts|mts|js|mjs|cjs)$/;
/** The checker and its test quote the very citations they refuse, as examples. */
const EXEMPT = new Set(['scripts/check-citations.ts', 'test/unit/guardrails/citations.test.ts']);

/** The comments of a TypeScript/JavaScript source, each with its start offset. */
export function comments(text: string, fileName = 'file.ts'): { pos: number; text: string }[] {
  const kind = /\.(js|mjs|cjs)$/.test(fileName) || !/\.\w+$/.test(fileName) ? ts.ScriptKind.JS : ts.ScriptKind.TS;
  const source = ts.createSourceFile(fileName, text, ts.ScriptTarget.Latest, true, kind);
  const seen = new Map<number, string>();
  const collect = (ranges: ts.CommentRange[] | undefined) => {
    for (const r of ranges ?? []) seen.set(r.pos, text.slice(r.pos, r.end));
  };
  const visit = (node: ts.Node) => {
    collect(ts.getLeadingCommentRanges(text, node.getFullStart()));
    collect(ts.getTrailingCommentRanges(text, node.getEnd()));
    node.forEachChild(visit);
  };
  visit(source);
  collect(ts.getLeadingCommentRanges(text, source.endOfFileToken.getFullStart()));
  return [...seen.entries()].sort((a, b) => a[0] - b[0]).map(([pos, t]) => ({ pos, text: t }));
}

/** Section labels of docs/protocol.md: `a`, `a.1`, ... from headings such as `### a.1 Sequence`. */
export function sectionLabels(doc: string): Set<string> {
  const labels = new Set<string>();
  for (const m of doc.matchAll(/^#{2,4} ([a-z])(\.\d+)?[. ]/gm)) labels.add(m[1]! + (m[2] ?? ''));
  return labels;
}

/** Findings for one file's text. `file` is relative to the repository root. */
export function checkText(file: string, text: string, repo: RepoFacts): Finding[] {
  const findings: Finding[] = [];
  const isTest = file.startsWith('test/');
  const dir = path.posix.dirname(file);
  const lineOf = (offset: number) => text.slice(0, offset).split('\n').length;
  for (const c of comments(text, file)) {
    const add = (index: number, reason: string) => findings.push({ file, line: lineOf(c.pos + index), reason });
    for (const m of c.text.matchAll(/(?<![\w/.-])((?:\.{1,2}\/|[\w-]+\/)*[\w.-]+\.md)\b/g)) {
      const ref = m[1]!;
      // AGENTS.md is the project-instructions file kolega reads from the user's workspace, a name
      // the code talks about, not a document it cites.
      if (ref === 'AGENTS.md') continue;
      const inRepo = repo.exists(ref) || repo.exists(path.posix.normalize(path.posix.join(dir, ref)));
      if (!inRepo)
        add(
          m.index,
          `cites ${ref}, which is not in the repository (cite docs/protocol.md, docs/design.md, a public URL, or give the reason)`,
        );
    }
    for (const m of c.text.matchAll(
      /(?<![\w/:.-])(?:\.\.\/)+shared\b|(?<![\w/:.-])shared\/(?:docs|fixtures|protocol-samples)\b|peer-failures/g,
    )) {
      add(m.index, `cites "${m[0]}", which is outside the repository`);
    }
    for (const m of c.text.matchAll(/\bissues? #?\d+\b/gi))
      add(m.index, `cites "${m[0]}": say the reason instead of an issue number`);
    if (!isTest) {
      for (const m of c.text.matchAll(/\bB\d{2}[a-z]?\b/g))
        add(m.index, `cites the case id ${m[0]}: say the reason instead`);
    }
    for (const m of c.text.matchAll(/docs\/protocol\.md §([a-z](?:\.\d+)?)/g)) {
      const doc = repo.doc('docs/protocol.md');
      if (doc !== undefined && !sectionLabels(doc).has(m[1]!)) add(m.index, `docs/protocol.md has no section ${m[1]}`);
    }
    for (const m of c.text.matchAll(/(docs\/[\w-]+\.md) "([^"\n]+?)"/g)) {
      const doc = repo.doc(m[1]!);
      const title = m[2]!.replace(/\s*\n\s*\*?\s*/g, ' ');
      if (doc !== undefined && !doc.replace(/\s+/g, ' ').includes(title)) add(m.index, `${m[1]} has no "${title}"`);
    }
  }
  return findings;
}

/** Every code file under the checked folders, relative to `root`. */
export function codeFiles(root: string): string[] {
  const out: string[] = [];
  const walk = (rel: string) => {
    for (const entry of readdirSync(path.join(root, rel), { withFileTypes: true })) {
      const child = rel === '' ? entry.name : `${rel}/${entry.name}`;
      if (entry.isDirectory()) {
        if (!SKIPPED_DIRS.has(entry.name)) walk(child);
      } else if (CODE_FILE.test(entry.name) || rel === 'bin') {
        out.push(child);
      }
    }
  };
  for (const dir of CHECKED_DIRS) if (existsSync(path.join(root, dir))) walk(dir);
  for (const entry of readdirSync(root))
    if (CODE_FILE.test(entry) && statSync(path.join(root, entry)).isFile()) out.push(entry);
  return out.sort();
}

/** The checker's view of the repository at `root`. */
export function repoAt(root: string): RepoFacts {
  return {
    exists: (rel) => !rel.startsWith('..') && existsSync(path.join(root, rel)),
    doc: (rel) => (existsSync(path.join(root, rel)) ? readFileSync(path.join(root, rel), 'utf8') : undefined),
  };
}

/** Checks the repository at `root`. @returns every finding, in file order. */
export function checkRepository(root: string): Finding[] {
  const repo = repoAt(root);
  return codeFiles(root)
    .filter((file) => !EXEMPT.has(file))
    .flatMap((file) => checkText(file, readFileSync(path.join(root, file), 'utf8'), repo));
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const root = fileURLToPath(new URL('../', import.meta.url));
  const findings = checkRepository(root);
  for (const f of findings) console.error(`${f.file}:${f.line}: ${f.reason}`);
  if (findings.length > 0) {
    console.error(`check-citations: ${findings.length} comment(s) cite what is not in the repository`);
    process.exit(1);
  }
  console.log(`check-citations: ${codeFiles(root).length} files, every citation is in the repository or public`);
}
