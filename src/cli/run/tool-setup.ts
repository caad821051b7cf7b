/**
 * The tools of one `kolega run`: `--add-dir` checks, the bwrap probe (only under
 * workspace-write), MCP servers (`--mcp-config`, imported lazily), the offered set and the
 * ToolContext. Kept apart from execute.ts so the run wiring stays short.
 */
import { statSync } from 'node:fs';
import path from 'node:path';
import { KolegaError } from '../../core/errors.js';
import { builtinTools, offeredTools } from '../../core/tools/registry.js';
import type { Tool, ToolContext } from '../../core/tools/types.js';
import type { RunOptions } from '../commands/run.js';
import type { IO } from '../io.js';
import { mcpNoticeLine } from './mcp-messages.js';

/** What the turn needs, plus the cleanup of anything started. */
export interface ToolSetup {
  all: Tool[];
  offered: Tool[];
  toolContext: ToolContext;
  /** Stops MCP servers; never throws. */
  close(): Promise<void>;
}

/** Inputs of `setupTools` that execute.ts already resolved. */
export interface ToolSetupInputs {
  root: string;
  /** Files no tool may touch (the credentials file). */
  protectedPaths: string[];
  /** Secrets hidden from tools below full-access (core/tools/masked-paths.ts). */
  maskedPaths?: string[];
  signal: AbortSignal;
  /** The environment kolega was given: shell commands start from it, bwrap is found on its PATH. */
  env: NodeJS.ProcessEnv;
  io: IO;
  debug?: (line: string) => void;
}

/**
 * Resolves each `--add-dir` against the current directory.
 * @throws KolegaError(usage, `bad_add_dir`) when one is not an existing directory
 */
export function resolveAddDirs(dirs: string[]): string[] {
  return dirs.map((d) => {
    const abs = path.resolve(d);
    if (!statSync(abs, { throwIfNoEntry: false })?.isDirectory()) {
      throw new KolegaError('usage', 'bad_add_dir', `--add-dir ${d} is not a directory`, {
        hint: 'pass an existing directory',
      });
    }
    return abs;
  });
}

/**
 * Builds the tool set.
 * @throws KolegaError(usage) for a bad --add-dir, --mcp-config or a server that fails to start
 */
export async function setupTools(opts: RunOptions, inputs: ToolSetupInputs): Promise<ToolSetup> {
  const addDirs = resolveAddDirs(opts.addDir ?? []);
  const toolContext: ToolContext = {
    root: inputs.root,
    addDirs,
    protectedPaths: inputs.protectedPaths,
    maskedPaths: inputs.maskedPaths ?? [],
    sandbox: opts.sandbox,
    network: opts.network === true,
    signal: inputs.signal,
    env: inputs.env,
  };
  const noop = async (): Promise<void> => undefined;
  if (opts.tools === false) return { all: builtinTools(), offered: [], toolContext, close: noop };

  let bwrap: string | null | undefined;
  if (opts.sandbox === 'workspace-write') {
    const { probeSandbox } = await import('../../core/tools/sandbox-probe.js');
    const status = await probeSandbox({ env: inputs.env });
    bwrap = status.available ? status.bwrap : null;
    if (!status.available) inputs.io.warn(`kolega: shell is not offered: ${status.reason} (${status.hint})`);
    inputs.debug?.(`sandbox: ${status.available ? `bwrap at ${status.bwrap}` : status.reason}`);
  }
  const all = builtinTools({ bwrap });
  let close: () => Promise<void> = noop;
  if (opts.mcpConfig !== undefined) {
    const { readMcpConfig } = await import('../../core/mcp/config.js');
    const servers = readMcpConfig(opts.mcpConfig);
    const { startMcpServers } = await import('../../core/mcp/servers.js');
    const session = await startMcpServers(servers, {
      signal: inputs.signal,
      optional: opts.mcpOptional === true,
      toolTimeoutMs: opts.toolTimeout === undefined ? undefined : opts.toolTimeout * 1000,
      onNotice: (notice) => inputs.io.warn(mcpNoticeLine(notice)),
      debug: inputs.debug,
    });
    all.push(...session.tools);
    close = session.close;
  }
  return { all, offered: offeredTools(all, opts.sandbox), toolContext, close };
}
