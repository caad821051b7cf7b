/**
 * The lines of a session file (README "Sessions"; docs/design.md "Stored state"): one JSON object per
 * line, appended in order. The first line is the `session` header (enough to list the session
 * without reading the rest); every turn starts with a `turn` line, then the `input` items as sent,
 * the `output` items as received, and ends with `turn_end` (missing when the run was killed).
 * Never a token or key: only conversation content and run settings.
 */
import type { Usage } from '../events.js';
import type { InputItem, OutputItem } from '../responses/items.js';

/** Format version of the header; a reader refuses a file with a newer one. */
export const SESSION_FORMAT = 1;

/** The first line of a session file. */
export interface SessionHeader {
  type: 'session';
  v: number;
  /** The session id (a UUIDv7, also the `prompt_cache_key`). */
  id: string;
  /** ISO 8601 time the session was created. */
  created_at: string;
  /** Workspace root (absolute) of the first run. */
  cwd: string;
  provider: string;
  model: string;
  effort: string | null;
  sandbox: string;
  /** The session this one was forked from. */
  parent_id?: string;
  /** The first prompt, shortened to one line (for listings). */
  title: string;
}

/** Opens a turn: the settings it ran with. */
export interface TurnRecord {
  type: 'turn';
  /** 1-based turn number within the session. */
  turn: number;
  /** ISO 8601 start time. */
  at: string;
  provider: string;
  model: string;
  effort: string | null;
  sandbox: string;
  cwd: string;
  /** The system instructions of the turn (top-level `instructions`, or the developer message). */
  instructions: string;
  /** AGENTS.md files read for this turn (first turn only). */
  project_docs?: string[];
}

/** An item as sent in `input` (lead items, user messages, tool outputs). */
export interface InputRecord {
  type: 'input';
  turn: number;
  item: InputItem;
  /**
   * Set on the items that lead a session rather than converse: the tools item (Responses Lite),
   * the instructions message, the AGENTS.md and environment context message. A resume with a
   * model of another request shape rebuilds the first two (./compose.ts).
   */
  lead?: LeadKind;
}

/** What a lead item is. */
export type LeadKind = 'tools' | 'instructions' | 'context';

/** An output item as received (`response.output_item.done`), recorded once its response completed. */
export interface OutputRecord {
  type: 'output';
  turn: number;
  item: OutputItem;
}

/** Closes a turn. */
export interface TurnEndRecord {
  type: 'turn_end';
  turn: number;
  /** ISO 8601 end time. */
  at: string;
  status: 'completed' | 'failed';
  usage: Usage;
  /**
   * Tokens of the conversation after the turn's last request (its input plus output tokens, as the
   * server counted them): the size checked against the context window on resume.
   */
  context_tokens?: number;
  final_text?: string;
  error?: { code: string; message: string };
}

/** Any line after the header. */
export type SessionRecord = TurnRecord | InputRecord | OutputRecord | TurnEndRecord;

/** The first prompt as a one-line title of at most 80 characters. */
export function titleOf(prompt: string): string {
  const line = prompt.replace(/\s+/g, ' ').trim();
  return line.length > 80 ? line.slice(0, 79) + '…' : line;
}
