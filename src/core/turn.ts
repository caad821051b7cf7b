/**
 * One turn of `kolega run`: request -> stream -> tool calls -> tool outputs -> request ... until the
 * model answers without calling a tool. Emits the docs/design.md events to `sink` as they happen and
 * returns the outcome; never writes to a terminal and never exits the process.
 */
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { KolegaError, copyError, isKolegaError } from './errors.js';
import { redactSecrets } from './redact.js';
import { emptyUsage, type EventSink, type TurnEvent, type Usage } from './events.js';
import type { Provider } from './providers/types.js';
import { ResponseAssembler, addUsage } from './responses/assemble.js';
import { finalAnswer, toInputItem, type InputContent, type InputItem, type OutputItem } from './responses/items.js';
import type { RequestShape } from './responses/presentation.js';
import type { FunctionToolSpec } from './responses/request.js';
import { retryDelay } from './responses/retry.js';
import {
  openTransport,
  type ResponsesTransport,
  type TransportMode,
  type TransportOpener,
} from './responses/transport.js';
import { executeToolCall } from './tools/registry.js';
import { sandboxView } from './tools/sandbox-view.js';
import type { Tool, ToolContext } from './tools/types.js';

/** Everything a turn needs. */
export interface TurnOptions {
  provider: Provider;
  model: string;
  effort: string | null;
  instructions: string;
  /** The user message content (text, then images). */
  userContent: InputContent[];
  /**
   * The conversation so far, sent first and unchanged (a resumed session's replay, already on
   * disk; ./sessions/compose.ts). Empty for a new session.
   */
  history?: InputItem[];
  /**
   * New items sent before the user message, recorded with it: a new session's lead (tools item,
   * instructions message, AGENTS.md and environment context) or a resume's repairs. With `history`
   * or `lead` given, the request builder prepends nothing: `history` + `lead` + the user message is
   * the whole `input`; with neither, it adds the shape's tools item and instructions message itself.
   */
  lead?: InputItem[];
  /** Told of every item the conversation gains, in order (the session file). */
  recorder?: TurnRecorder;
  /** AGENTS.md files whose text is in `lead` (listed in `turn.started`). */
  projectDocs?: string[];
  /** All tools kolega knows (calls to ones not offered are denied). */
  allTools: Tool[];
  /** Tools offered to the model under the sandbox policy (empty with --no-tools). */
  offeredTools: Tool[];
  toolContext: ToolContext;
  /** Most function calls executed in the turn before it fails. */
  maxToolCalls: number;
  sessionId: string;
  /** No byte from the server for this long fails a request, in ms. */
  idleTimeoutMs: number;
  /** Aborted on SIGINT/SIGTERM/--timeout; its `reason` (a KolegaError) is the failure reported. */
  signal: AbortSignal;
  /** How requests travel (./responses/transport.ts); default `auto`. */
  transport?: TransportMode;
  /**
   * Opens the turn's transport with `provider`, `transport` and `debug`; default
   * ./responses/transport.ts `openTransport` (HTTP SSE or the WebSocket). The seam where tests put
   * an in-process transport to drive the whole loop (retries, tool round trips) without a socket.
   */
  openTransport?: TransportOpener;
  /** How instructions and tools are presented to the model (./responses/presentation.ts); default classic. */
  shape?: RequestShape;
  /** `text.format` for structured output. */
  textFormat?: Record<string, unknown>;
  /** Output cap (public API only). */
  maxOutputTokens?: number;
  /**
   * Checked after `turn.started` and before anything is sent or recorded (e.g. that a resumed
   * conversation fits the context window); a KolegaError thrown fails the turn.
   */
  preflight?: () => void;
  /** Validates the final text (e.g. against --output-schema); throws KolegaError to fail the turn. */
  validateFinal?: (text: string) => void;
  debug?: (line: string) => void;
  /**
   * Told what the turn is doing now, in words (`waiting for response headers`, `streaming the
   * response`, `running tool read_file`, `waiting to retry`), so a --timeout can say where it hit.
   */
  onPhase?: (phase: string) => void;
}

/** Receives the conversation's new items as the turn goes (./sessions/ writes them to disk). */
export interface TurnRecorder {
  /** Items about to be sent for the first time (the lead, the user message, tool outputs). */
  sent(items: InputItem[]): void;
  /** The output items of a response that completed, as received. */
  received(items: OutputItem[]): void;
}

/** The outcome of a turn. */
export interface TurnResult {
  status: 'completed' | 'failed';
  finalText: string;
  usage: Usage;
  requests: number;
  toolCalls: number;
  durationMs: number;
  /** Set when status is `failed`. */
  error?: KolegaError;
  /** The refusal text, when the model refused. */
  refusal?: string;
  /** The last `x-models-etag` the server sent (the ETag of its current model catalogue). */
  modelsEtag?: string;
  /** Input plus output tokens of the turn's last completed request: the conversation's size. */
  contextTokens?: number;
  /** Bytes of each request body (HTTP) or frame (WebSocket) sent, in order. */
  uploads: number[];
}

/** The function-tool specs of `tools`, as sent (top-level `tools` or the Lite tools item). */
export function toolSpecs(tools: Tool[]): FunctionToolSpec[] {
  return tools.map((t) => ({
    type: 'function',
    name: t.name,
    description: t.description,
    strict: false,
    parameters: t.parameters,
  }));
}

function parseArgs(raw: string): unknown {
  try {
    return JSON.parse(raw);
  } catch {
    return raw;
  }
}

/** `err` with any secret the server echoed back removed from its message (it is printed). */
function withoutSecrets(err: KolegaError, provider: Provider): KolegaError {
  const clean = redactSecrets(err.message, provider.secrets?.() ?? []);
  if (clean === err.message) return err;
  return copyError(err, { message: clean });
}

/** The reported form of any thrown value. */
export function asKolegaError(err: unknown, signal?: AbortSignal): KolegaError {
  if (signal?.aborted && isKolegaError(signal.reason)) return signal.reason;
  if (isKolegaError(err)) return err;
  return new KolegaError('internal', 'internal_error', (err as Error)?.message ?? String(err), { cause: err });
}

/**
 * The `turn.failed` event of `error` (docs/design.md "kolega run", JSON mode): its code, one-line message and the
 * optional HTTP status and limit facts, with the usage spent so far.
 */
export function turnFailedEvent(error: KolegaError, usage: Usage = emptyUsage()): TurnEvent {
  return {
    type: 'turn.failed',
    error: {
      code: error.code,
      message: error.message,
      ...(error.httpStatus !== undefined ? { http_status: error.httpStatus } : {}),
      ...(error.retryAfterSeconds !== undefined ? { retry_after_seconds: error.retryAfterSeconds } : {}),
      ...(error.resetsAt !== undefined ? { resets_at: error.resetsAt } : {}),
    },
    usage,
  };
}

/**
 * Runs the turn.
 * @returns the result; failures are reported as `status: 'failed'` plus a `turn.failed` event, not
 *   thrown (only a throwing `sink` propagates).
 */
export async function runTurn(opts: TurnOptions, sink: EventSink): Promise<TurnResult> {
  const started = performance.now();
  const usage = emptyUsage();
  // The whole input, explicit: what was said before, this turn's new lead items and prompt, then
  // each response's replayed output and the tool outputs, appended as they happen.
  const fresh: InputItem[] = [...(opts.lead ?? []), { type: 'message', role: 'user', content: opts.userContent }];
  const input: InputItem[] = [...(opts.history ?? []), ...fresh];
  let contextTokens: number | undefined;
  const specs = toolSpecs(opts.offeredTools);
  let requests = 0;
  let toolCalls = 0;
  let finalText = '';
  let refusal: string | undefined;
  // Echoed on later requests of this turn only, never across turns (docs/protocol.md "Turn state").
  let turnState: string | undefined;
  let modelsEtag: string | undefined;
  // How much of `input` the previous completed response holds (for a chained WebSocket request).
  let chainFrom: number | undefined;
  let transport: ResponsesTransport | undefined;

  sink({
    type: 'turn.started',
    schema_version: 1,
    provider: opts.provider.id,
    model: opts.model,
    effort: opts.effort,
    session_id: opts.sessionId,
    cwd: opts.toolContext.root,
    sandbox: opts.toolContext.sandbox,
    tools: opts.offeredTools.map((t) => t.name),
    ...sandboxView(opts.toolContext),
    project_docs: opts.projectDocs ?? [],
  });

  try {
    opts.preflight?.();
    opts.recorder?.sent(fresh);
    transport = (opts.openTransport ?? openTransport)(opts.provider, opts.transport, opts.debug);
    for (;;) {
      const outcome = await requestWithRetries(
        opts,
        transport,
        input,
        chainFrom,
        specs,
        turnState,
        usage,
        sink,
        () => requests++,
      );
      addUsage(usage, outcome.usage);
      if (outcome.usage) contextTokens = outcome.usage.input_tokens + outcome.usage.output_tokens;
      opts.recorder?.received(outcome.items);
      turnState ??= outcome.turnState;
      modelsEtag = outcome.modelsEtag ?? modelsEtag;
      const calls = outcome.items.filter((i) => i.type === 'function_call');
      for (const item of outcome.items) {
        const replay = toInputItem(item);
        if (replay) input.push(replay);
      }
      chainFrom = input.length;
      if (calls.length === 0) {
        ({ text: finalText, refusal } = finalAnswer(outcome.items));
        if (refusal !== undefined && opts.validateFinal) {
          throw new KolegaError(
            'upstream',
            'model_refused',
            `the model refused: ${refusal.replace(/\s+/g, ' ').slice(0, 300)}`,
            {
              hint: 'change the prompt; no answer was produced to validate against --output-schema',
            },
          );
        }
        opts.validateFinal?.(finalText);
        break;
      }
      for (const call of calls) {
        const callId = call.call_id ?? '';
        const name = call.name ?? '';
        const raw = call.arguments ?? '';
        if (toolCalls >= opts.maxToolCalls) {
          throw new KolegaError(
            'upstream',
            'max_tool_calls',
            `the model made more than ${opts.maxToolCalls} tool calls`,
            {
              hint: 'raise --max-tool-calls or narrow the task',
            },
          );
        }
        toolCalls++;
        sink({ type: 'tool.call', call_id: callId, name, arguments: parseArgs(raw) });
        const t0 = performance.now();
        opts.onPhase?.(`running tool ${name}`);
        const result = await executeToolCall(opts.allTools, opts.offeredTools, name, raw, opts.toolContext);
        if (opts.signal.aborted) throw asKolegaError(undefined, opts.signal);
        const ev: TurnEvent = {
          type: 'tool.result',
          call_id: callId,
          name,
          status: result.status,
          output: result.output,
          duration_ms: Math.round(performance.now() - t0),
        };
        if (result.exit_code !== undefined) ev.exit_code = result.exit_code;
        sink(ev);
        const output: InputItem = { type: 'function_call_output', call_id: callId, output: result.output };
        opts.recorder?.sent([output]);
        input.push(output);
      }
    }
  } catch (err) {
    const error = withoutSecrets(asKolegaError(err, opts.signal), opts.provider);
    const durationMs = Math.round(performance.now() - started);
    sink(turnFailedEvent(error, usage));
    return {
      status: 'failed',
      finalText,
      usage,
      requests,
      toolCalls,
      durationMs,
      error,
      uploads: transport?.uploads ?? [],
      ...(modelsEtag !== undefined ? { modelsEtag } : {}),
      ...(contextTokens !== undefined ? { contextTokens } : {}),
    };
  } finally {
    transport?.close();
  }
  const durationMs = Math.round(performance.now() - started);
  sink({
    type: 'turn.completed',
    status: 'completed',
    final_text: finalText,
    ...(refusal !== undefined ? { refusal } : {}),
    usage,
    requests,
    tool_calls: toolCalls,
    duration_ms: durationMs,
  });
  return {
    status: 'completed',
    finalText,
    usage,
    requests,
    toolCalls,
    durationMs,
    uploads: transport.uploads,
    ...(refusal !== undefined ? { refusal } : {}),
    ...(modelsEtag !== undefined ? { modelsEtag } : {}),
    ...(contextTokens !== undefined ? { contextTokens } : {}),
  };
}

async function requestWithRetries(
  opts: TurnOptions,
  transport: ResponsesTransport,
  input: InputItem[],
  chainFrom: number | undefined,
  tools: FunctionToolSpec[],
  turnState: string | undefined,
  usage: Usage,
  sink: EventSink,
  countRequest: () => void,
) {
  for (let attempt = 1; ; attempt++) {
    let emitted = false;
    const assembler = new ResponseAssembler((ev) => {
      emitted = true;
      sink(ev);
    });
    countRequest();
    try {
      return await transport.send(
        {
          spec: {
            model: opts.model,
            instructions: opts.instructions,
            input,
            tools,
            effort: opts.effort,
            sessionId: opts.sessionId,
            chatgptBackend: opts.provider.chatgptBackend,
            shape: opts.shape,
            // Without a lead from the caller (no session), the builder adds the shape's own.
            leadInInput: opts.lead !== undefined || opts.history !== undefined,
            turnState,
            textFormat: opts.textFormat,
            maxOutputTokens: opts.maxOutputTokens,
          },
          chainFrom,
        },
        assembler,
        { signal: opts.signal, idleTimeoutMs: opts.idleTimeoutMs, debug: opts.debug, onPhase: opts.onPhase },
      );
    } catch (err) {
      addUsage(usage, assembler.reportedUsage);
      const error = asKolegaError(err, opts.signal);
      const delay = opts.signal.aborted ? undefined : retryDelay(error, attempt, emitted);
      if (delay === undefined) throw error;
      sink({
        type: 'retry',
        attempt,
        delay_ms: delay,
        reason: redactSecrets(error.message, opts.provider.secrets?.() ?? []),
      });
      opts.debug?.(`retry ${attempt} in ${delay} ms: ${error.code}`);
      opts.onPhase?.('waiting to retry');
      await sleep(delay, undefined, { signal: opts.signal }).catch(() => {
        throw asKolegaError(undefined, opts.signal);
      });
    }
  }
}
