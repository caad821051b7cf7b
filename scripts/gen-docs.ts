/**
 * Regenerates what is derived from the command tree and the help tables:
 *   completions/kolega.bash, completions/kolega.zsh, completions/kolega.fish
 *   README.md tables between `<!-- generated:exit-codes -->` / `<!-- generated:environment -->`
 *   markers and their `<!-- /generated -->` end markers.
 * `npm run completions` writes them; `--check` exits 1 when any is stale (the tests check too).
 */
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { buildProgram } from '../src/cli/main.js';
import type { CliContext } from '../src/cli/context.js';
import { completionSpec } from '../src/cli/completion/spec.js';
import { completionScript, SHELLS } from '../src/cli/completion/shells.js';
import { HELP_TOPICS, markdownTable } from '../src/cli/help-topics.js';

const ROOT = fileURLToPath(new URL('../', import.meta.url));

/** Replaces the body between `<!-- generated:NAME -->` and the next `<!-- /generated -->`. */
export function replaceGenerated(text: string, name: string, body: string): string {
  const start = `<!-- generated:${name} -->`;
  const i = text.indexOf(start);
  const j = i < 0 ? -1 : text.indexOf('<!-- /generated -->', i);
  if (i < 0 || j < 0) throw new Error(`README.md has no ${start} ... <!-- /generated --> block`);
  return text.slice(0, i + start.length) + '\n' + body + text.slice(j);
}

/** Every generated file: path relative to the repository root -> expected content. */
export function generatedFiles(): Record<string, string> {
  const sink = { write: () => true } as unknown as CliContext['stdout'];
  const program = buildProgram({ stdout: sink, stderr: sink, stdin: process.stdin, env: {} });
  const spec = completionSpec(program);
  const out: Record<string, string> = {};
  for (const shell of SHELLS) out[`completions/kolega.${shell}`] = completionScript(shell, spec);
  let readme = readFileSync(path.join(ROOT, 'README.md'), 'utf8');
  for (const [name, t] of Object.entries(HELP_TOPICS))
    readme = replaceGenerated(readme, name, markdownTable(t.header, t.rows));
  out['README.md'] = readme;
  return out;
}

/** Files whose committed content differs from the generated one. */
export function staleFiles(): string[] {
  return Object.entries(generatedFiles())
    .filter(([rel, content]) => {
      try {
        return readFileSync(path.join(ROOT, rel), 'utf8') !== content;
      } catch {
        return true;
      }
    })
    .map(([rel]) => rel);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  if (process.argv.includes('--check')) {
    const stale = staleFiles();
    if (stale.length) {
      process.stderr.write(`stale generated files (run: npm run completions): ${stale.join(', ')}\n`);
      process.exit(1);
    }
  } else {
    mkdirSync(path.join(ROOT, 'completions'), { recursive: true });
    for (const [rel, content] of Object.entries(generatedFiles())) writeFileSync(path.join(ROOT, rel), content);
    process.stdout.write('wrote completions/kolega.{bash,zsh,fish} and README.md tables\n');
  }
}
