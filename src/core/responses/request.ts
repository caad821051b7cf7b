/**
 * Building the Responses request body (protocol.md e.4 and the Decisions table "body"):
 * `store:false`, `stream:true`, non-empty `instructions`, `tool_choice:"auto"`,
 * `parallel_tool_calls:false`, `reasoning:{effort, summary:"auto"}`,
 * `include:["reasoning.encrypted_content"]`, `prompt_cache_key` = the session id. Never
 * `temperature`; `max_output_tokens` only for the public API (the ChatGPT backend rejects it, e.7).
 */
import type { InputItem } from './items.js';

/** A function tool as the Responses API takes it (protocol.md e.6). */
export interface FunctionToolSpec {
  type: 'function';
  name: string;
  description: string;
  strict: boolean;
  parameters: Record<string, unknown>;
}

/** Everything one request needs. */
export interface RequestSpec {
  model: string;
  instructions: string;
  input: InputItem[];
  tools: FunctionToolSpec[];
  /** Reasoning effort, or null for no `reasoning` object. */
  effort: string | null;
  /** The per-run UUID: `prompt_cache_key` and the `session-id` header. */
  sessionId: string;
  /** True for the ChatGPT backend (drops fields it rejects). */
  chatgptBackend: boolean;
  /** `text.format` for structured output (json_schema), when asked for. */
  textFormat?: Record<string, unknown>;
  /** Output cap in tokens; sent to the public API only. */
  maxOutputTokens?: number;
}

/** The JSON body of `POST {base}/responses`. */
export function buildRequestBody(spec: RequestSpec): Record<string, unknown> {
  const body: Record<string, unknown> = {
    model: spec.model,
    instructions: spec.instructions,
    input: spec.input,
    tools: spec.tools,
    tool_choice: 'auto',
    parallel_tool_calls: false,
    reasoning: spec.effort === null ? null : { effort: spec.effort, summary: 'auto' },
    store: false,
    stream: true,
    include: spec.effort === null ? [] : ['reasoning.encrypted_content'],
    prompt_cache_key: spec.sessionId,
  };
  if (spec.textFormat) body.text = { format: spec.textFormat };
  if (!spec.chatgptBackend && spec.maxOutputTokens !== undefined) body.max_output_tokens = spec.maxOutputTokens;
  return body;
}

/** kolega's default system prompt: non-empty `instructions` are required by the ChatGPT backend (e.7). */
export const DEFAULT_INSTRUCTIONS = [
  'You are kolega, a careful assistant running non-interactively from a command line.',
  'Answer the user directly and concisely; your answer is printed to stdout and may be read by scripts.',
  'You may call the provided tools to inspect (and, when allowed, change) files in the workspace.',
  'Never ask follow-up questions: make reasonable assumptions and state them briefly.',
].join(' ');
