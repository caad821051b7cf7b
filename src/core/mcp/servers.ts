/**
 * Starting MCP servers and offering their tools as function tools (`mcp__<server>__<tool>`), with
 * the official SDK. This module imports the SDK, so it is itself imported only when
 * `--mcp-config` is used (start-up time). All servers start in parallel before the first request;
 * `close()` stops them all (stdio children are killed if they do not exit promptly).
 */
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { ErrorCode, McpError, ResultSchema } from '@modelcontextprotocol/sdk/types.js';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import { KolegaError } from '../errors.js';
import type { Tool } from '../tools/types.js';
import type { McpServerConfig } from './config.js';
import { mcpToolName } from './names.js';
import { mcpResultText, type McpCallResult } from './result.js';
import { mcpParameters } from './schema.js';
import { checkListedTool, type ListedTool } from './tool-check.js';

/** Default longest one tool call may take without progress, in ms (`--tool-timeout`). */
export const MCP_CALL_TIMEOUT_MS = 120_000;
/** How long `close()` waits for a server to exit before killing it, in ms. */
const CLOSE_GRACE_MS = 1000;
/** Server stderr kept for error messages, in bytes. */
const STDERR_TAIL_BYTES = 2000;

/** Options of `startMcpServers`. */
export interface StartMcpOptions {
  /** Aborts start-up (SIGINT). */
  signal: AbortSignal;
  /** A server that fails is skipped (reported through `onNotice`) instead of failing the run. */
  optional: boolean;
  /** Told about each server or tool left out of the run (the CLI words it as a warning). */
  onNotice: (notice: McpNotice) => void;
  /** Longest one tool call may take without progress, in ms; default MCP_CALL_TIMEOUT_MS. */
  toolTimeoutMs?: number;
  debug?: (line: string) => void;
}

/** Something left out of the run, as data for the CLI's warning line. */
export type McpNotice =
  /** A server failed (`stage`: starting it, or listing its tools) and the run goes on without it (--mcp-optional). */
  | { type: 'server_skipped'; server: string; stage: 'start' | 'list_tools'; reason: string }
  /** A listed tool cannot be offered (`problem` says why, e.g. an unusable inputSchema); `tool` when it has a name. */
  | { type: 'tool_skipped'; server: string; tool?: string; problem: string };

/** The connected servers. */
export interface McpSession {
  /** Their tools, already named and levelled. */
  tools: Tool[];
  /** Stops every server; never throws. */
  close(): Promise<void>;
}

/** stdio server pids still running, killed by an exit hook if kolega exits without close(). */
const livePids = new Set<number>();
let exitHookInstalled = false;

function trackPid(pid: number | null): void {
  if (pid === null) return;
  livePids.add(pid);
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', () => {
    for (const p of livePids) {
      try {
        process.kill(p, 'SIGTERM');
      } catch {
        // gone
      }
    }
  });
}

interface Connected {
  config: McpServerConfig;
  client: Client;
  transport: Transport;
}

/**
 * Starts every server and lists its tools.
 * @throws KolegaError(usage, `mcp_server_failed`) -> exit 2 when a server fails and `optional` is false
 *   (servers already started are stopped first); the run's interruption error when `signal` aborts
 */
export async function startMcpServers(servers: McpServerConfig[], opts: StartMcpOptions): Promise<McpSession> {
  const outcomes = await Promise.allSettled(servers.map((s) => connect(s, opts)));
  const connected: Connected[] = [];
  const failures: { server: string; reason: string }[] = [];
  outcomes.forEach((o, i) => {
    if (o.status === 'fulfilled') connected.push(o.value);
    else failures.push({ server: servers[i]!.name, reason: (o.reason as Error).message });
  });
  const close = () => closeAll(connected);
  if (opts.signal.aborted) {
    await close();
    throw opts.signal.reason;
  }
  if (failures.length > 0 && !opts.optional) {
    await close();
    const text = failures.map((f) => `MCP server "${f.server}" failed to start: ${f.reason}`).join('; ');
    throw new KolegaError('usage', 'mcp_server_failed', text, {
      hint: 'fix the server or its entry in --mcp-config, or pass --mcp-optional to run without it',
    });
  }
  for (const f of failures)
    opts.onNotice({ type: 'server_skipped', server: f.server, stage: 'start', reason: f.reason });
  const taken = new Set<string>();
  const tools: Tool[] = [];
  for (const c of connected) {
    try {
      tools.push(...(await listTools(c, taken, opts, opts.toolTimeoutMs ?? MCP_CALL_TIMEOUT_MS)));
    } catch (err) {
      const reason = (err as Error).message;
      if (!opts.optional) {
        await close();
        const msg = `MCP server "${c.config.name}" could not list its tools: ${reason}`;
        throw new KolegaError('usage', 'mcp_server_failed', msg, { hint: 'fix the server, or pass --mcp-optional' });
      }
      opts.onNotice({ type: 'server_skipped', server: c.config.name, stage: 'list_tools', reason });
    }
  }
  return { tools, close };
}

/** The transport for `config`; each kind's module is imported only when a server uses it. */
async function makeTransport(
  config: McpServerConfig,
  stderrTail: { text: string },
  debug?: (line: string) => void,
): Promise<Transport> {
  if (config.kind === 'http') {
    const { StreamableHTTPClientTransport } = await import('@modelcontextprotocol/sdk/client/streamableHttp.js');
    return new StreamableHTTPClientTransport(new URL(config.url), { requestInit: { headers: config.headers } });
  }
  const { StdioClientTransport } = await import('@modelcontextprotocol/sdk/client/stdio.js');
  const transport = new StdioClientTransport({
    command: config.command,
    args: config.args,
    env: config.env,
    cwd: config.cwd,
    stderr: 'pipe',
  });
  transport.stderr?.on('data', (chunk: Buffer) => {
    stderrTail.text = (stderrTail.text + chunk.toString('utf8')).slice(-STDERR_TAIL_BYTES);
    debug?.(`mcp ${config.name} stderr: ${chunk.toString('utf8').trimEnd()}`);
  });
  return transport;
}

async function connect(config: McpServerConfig, opts: StartMcpOptions): Promise<Connected> {
  const stderrTail = { text: '' };
  const transport = await makeTransport(config, stderrTail, opts.debug);
  const client = new Client({ name: 'kolega', version: '0.1.0' }, { capabilities: {} });
  const signal = AbortSignal.any([opts.signal, AbortSignal.timeout(config.startupTimeoutMs)]);
  try {
    await client.connect(transport, { signal, timeout: config.startupTimeoutMs });
    opts.debug?.(`mcp ${config.name}: connected (${config.kind})`);
    trackPid('pid' in transport ? (transport as { pid: number | null }).pid : null);
    return { config, client, transport };
  } catch (err) {
    await closeOne({ config, client, transport });
    const tail = stderrTail.text.trim().split('\n').slice(-3).join(' | ');
    const why = (err as Error).message + (tail ? ` (server stderr: ${tail})` : '');
    throw new Error(why);
  }
}

/**
 * Lists the server's tools page by page. The page is read loosely (the SDK's own listTools rejects
 * the whole list for one bad tool) and each tool is checked on its own: a bad one is skipped with
 * a warning (tool-check.ts).
 */
async function listTools(
  c: Connected,
  taken: Set<string>,
  opts: StartMcpOptions,
  callTimeoutMs: number,
): Promise<Tool[]> {
  const out: Tool[] = [];
  let cursor: string | undefined;
  do {
    const page = (await c.client.request({ method: 'tools/list', params: cursor ? { cursor } : {} }, ResultSchema, {
      signal: opts.signal,
      timeout: c.config.startupTimeoutMs,
    })) as { tools?: unknown; nextCursor?: unknown };
    if (!Array.isArray(page.tools)) throw new Error('its tools/list answer has no "tools" array');
    for (const raw of page.tools) {
      const checked = await checkListedTool(raw);
      if ('problem' in checked) {
        opts.onNotice({
          type: 'tool_skipped',
          server: c.config.name,
          ...(checked.name === undefined ? {} : { tool: checked.name }),
          problem: checked.problem,
        });
        continue;
      }
      out.push(asTool(c, checked.tool, mcpToolName(c.config.name, checked.tool.name, taken), callTimeoutMs));
    }
    cursor = typeof page.nextCursor === 'string' && page.nextCursor !== '' ? page.nextCursor : undefined;
  } while (cursor);
  opts.debug?.(`mcp ${c.config.name}: ${out.length} tools`);
  return out;
}

function asTool(c: Connected, t: ListedTool, name: string, callTimeoutMs: number): Tool {
  return {
    name,
    level: c.config.readOnly ? 'read-only' : 'full-access',
    description: `${t.description ?? t.title ?? t.name} (tool "${t.name}" of MCP server "${c.config.name}")`,
    parameters: mcpParameters(t.inputSchema),
    async run(args, ctx) {
      let result: McpCallResult;
      try {
        result = (await c.client.callTool({ name: t.name, arguments: args }, undefined, {
          signal: ctx.signal,
          timeout: callTimeoutMs,
          resetTimeoutOnProgress: true,
        })) as McpCallResult;
      } catch (err) {
        // The SDK ends the request (and tells the server with notifications/cancelled) at the timeout.
        if (err instanceof McpError && err.code === ErrorCode.RequestTimeout) {
          return {
            status: 'error',
            output: `MCP tool "${t.name}" of server "${c.config.name}" did not answer within ${callTimeoutMs / 1000} s (--tool-timeout); the call was abandoned`,
          };
        }
        throw err;
      }
      return { status: result.isError ? 'error' : 'ok', output: mcpResultText(result) };
    },
  };
}

async function closeOne(c: Connected): Promise<void> {
  const pid = 'pid' in c.transport ? (c.transport as { pid: number | null }).pid : null;
  const closed = await Promise.race([
    c.client.close().then(
      () => true,
      () => false,
    ),
    new Promise<boolean>((r) => setTimeout(() => r(false), CLOSE_GRACE_MS).unref()),
  ]);
  if (!closed && pid !== null) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // exited meanwhile
    }
  }
  if (pid !== null) livePids.delete(pid);
}

async function closeAll(connected: Connected[]): Promise<void> {
  await Promise.all(connected.map(closeOne));
}
