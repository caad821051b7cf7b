/**
 * The help texts the launcher can print without loading the CLI: every `--help`/`-h` of every
 * command and every `kolega help [command|topic]`, laid out as for a stdout that is not a terminal
 * (80 columns). `npm run build` writes them to dist/help.json (scripts/help-cache.ts); bin/kolega
 * prints an entry when its argv matches one exactly and stdout is not a terminal, which saves
 * loading commander and the command tree (README "Performance").
 */
import { Writable } from 'node:stream';
import type { Command } from 'commander';
import { buildProgram, main } from './main.js';
import type { CliContext } from './context.js';
import { HELP_TOPICS } from './help-topics.js';

/** dist/help.json: `entries` maps argv joined with NUL to the exact stdout of that command. */
export interface HelpSnapshot {
  format: 1;
  entries: Record<string, string>;
}

/** The argv of every help request the snapshot holds (command paths from the real program). */
export function helpArgvs(program: Command): string[][] {
  const out: string[][] = [['--help'], ['-h'], ['help']];
  for (const topic of Object.keys(HELP_TOPICS)) out.push(['help', topic]);
  const walk = (cmd: Command, path: string[]): void => {
    for (const sub of cmd.commands) {
      const p = [...path, sub.name()];
      out.push([...p, '--help'], [...p, '-h'], ['help', ...p]);
      walk(sub, p);
    }
  };
  walk(program, []);
  return out;
}

/**
 * Runs each help request through the real entry point (`main`) with buffer streams and keeps
 * those that exit 0 with nothing on stderr.
 * @returns the snapshot; never throws for a request that fails (it is just left out).
 */
export async function helpSnapshot(): Promise<HelpSnapshot> {
  const sink = new Writable({ write: (_c, _e, cb) => cb() }) as CliContext['stdout'];
  const argvs = helpArgvs(buildProgram({ stdout: sink, stderr: sink, stdin: process.stdin, env: {} }));
  const entries: Record<string, string> = {};
  for (const argv of argvs) {
    const out = collector();
    const err = collector();
    const code = await main(argv, { stdout: out.stream, stderr: err.stream, stdin: process.stdin, env: {} });
    if (code === 0 && err.text() === '' && out.text() !== '') entries[argv.join('\u0000')] = out.text();
  }
  return { format: 1, entries };
}

/** A stdout stand-in that is not a terminal and keeps what is written. */
function collector(): { stream: CliContext['stdout']; text: () => string } {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer | string, _enc, cb) {
      chunks.push(chunk.toString());
      cb();
    },
  }) as CliContext['stdout'];
  return { stream, text: () => chunks.join('') };
}
