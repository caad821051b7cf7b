/**
 * The events of one `kolega run` turn. These are exactly the NDJSON lines of `--json` (docs/design.md
 * "JSON mode"; `schema/events.schema.json`): the core emits them, the CLI renders them as text or
 * writes them one per line. Names never change meaning; fields may be added.
 */
import type { TurnFailureCode } from './turn-failure-codes.js';

/** Token counts summed over every request of the turn (tokens). */
export interface Usage {
  input_tokens: number;
  cached_input_tokens: number;
  output_tokens: number;
  reasoning_output_tokens: number;
  total_tokens: number;
}

/** The error object of `turn.failed`. */
export interface TurnError {
  /** Stable machine code, e.g. `http_429`, `usage_limit_reached`, `idle_timeout`, `interrupted` (./turn-failure-codes.ts). */
  code: TurnFailureCode;
  /** One line for a human. */
  message: string;
  http_status?: number;
  retry_after_seconds?: number;
  /** Unix time (s) when a usage limit resets. */
  resets_at?: number;
  /** The exit status the CLI will use. */
  exit_code?: number;
}

/** Status of one tool call's result. */
export type ToolResultStatus = 'ok' | 'error' | 'denied';

/** Every event kind, tagged by `type`. */
export type TurnEvent =
  | {
      type: 'turn.started';
      schema_version: 1;
      provider: string;
      model: string;
      effort: string | null;
      session_id: string;
      cwd: string;
      sandbox: string;
      /** Names of the function tools offered to the model. */
      tools: string[];
      /** Directories kept read-only inside the writable roots (workspace-write), real paths. */
      protected_paths?: string[];
      /** Secret paths hidden from tools (below full-access), real paths. */
      masked_paths?: string[];
      /** AGENTS.md files whose text this turn sends (empty on resume and with --no-project-doc). */
      project_docs?: string[];
    }
  | { type: 'reasoning.delta'; delta: string }
  /** Assistant text; `phase` when the server names one (`commentary` is progress, not the answer). */
  | { type: 'text.delta'; delta: string; phase?: 'commentary' | 'final_answer' }
  /** Text of a refusal: the model declined; `turn.completed.refusal` holds the whole text. */
  | { type: 'refusal.delta'; delta: string }
  | { type: 'message.completed'; text: string; phase?: 'commentary' | 'final_answer' }
  | { type: 'tool.call'; call_id: string; name: string; arguments: unknown }
  | {
      type: 'tool.result';
      call_id: string;
      name: string;
      status: ToolResultStatus;
      output: string;
      duration_ms: number;
      exit_code?: number;
    }
  | { type: 'retry'; attempt: number; delay_ms: number; reason: string }
  | {
      type: 'turn.completed';
      status: 'completed';
      /** The final answer: the last `final_answer` message, else the last message. */
      final_text: string;
      /** The refusal text, when the model refused (the answer is then empty or partial). */
      refusal?: string;
      usage: Usage;
      requests: number;
      tool_calls: number;
      duration_ms: number;
    }
  | { type: 'turn.failed'; error: TurnError; usage: Usage };

/** A consumer of turn events (the renderer). Must not throw for ordinary events. */
export type EventSink = (event: TurnEvent) => void;

/** A zeroed usage object. */
export function emptyUsage(): Usage {
  return { input_tokens: 0, cached_input_tokens: 0, output_tokens: 0, reasoning_output_tokens: 0, total_tokens: 0 };
}
