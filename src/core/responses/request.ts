/**
 * Building the Responses request body (docs/protocol.md §e.4, docs/protocol.md "Decisions", body, and
 * docs/protocol.md "Responses Lite"): `store:false`, `stream:true`, `tool_choice:"auto"`,
 * `include:["reasoning.encrypted_content"]`, `prompt_cache_key` = the session id; where the
 * instructions and tools go, `parallel_tool_calls`, `reasoning` and `text.verbosity` follow the
 * model's shape (./presentation.ts). Never `temperature`; `max_output_tokens` only for the public
 * API (the ChatGPT backend rejects it, e.7).
 */
import type { InputItem } from './items.js';
import { CLASSIC_SHAPE, type RequestShape } from './presentation.js';

/** A function tool as the Responses API takes it (docs/protocol.md §e.6). */
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
  /** The conversation (user messages, replayed output, tool outputs). */
  input: InputItem[];
  tools: FunctionToolSpec[];
  /** Reasoning effort, or null for no `reasoning` object. */
  effort: string | null;
  /** The session id: `prompt_cache_key` and the session headers. */
  sessionId: string;
  /** True for the ChatGPT backend (drops fields it rejects). */
  chatgptBackend: boolean;
  /** How instructions and tools are presented (default: the classic shape). */
  shape?: RequestShape;
  /** `x-codex-turn-state` of an earlier response of the same turn, echoed as a header. */
  turnState?: string;
  /** `text.format` for structured output (json_schema), when asked for. */
  textFormat?: Record<string, unknown>;
  /** Output cap in tokens; sent to the public API only. */
  maxOutputTokens?: number;
  /**
   * True when `input` already starts with the items the shape leads with (the `additional_tools`
   * item and the instructions message, ../sessions/compose.ts): they are sent as given, byte for
   * byte (a resumed session replays the recorded ones), and not prepended again. Top-level
   * `instructions` and `tools` are still sent for shapes that take them there.
   */
  leadInInput?: boolean;
}

/** The `additional_tools` input item of a Responses Lite request: kolega's tools as the `functions` namespace. */
export function additionalToolsItem(tools: FunctionToolSpec[]): Record<string, unknown> {
  return {
    type: 'additional_tools',
    role: 'developer',
    tools: [{ type: 'namespace', name: 'functions', description: '', tools }],
  };
}

/** The developer message that carries kolega's instructions. */
export function instructionsMessage(text: string): InputItem {
  return { type: 'message', role: 'developer', content: [{ type: 'input_text', text }] };
}

/** The JSON body of `POST {base}/responses`. */
export function buildRequestBody(spec: RequestSpec): Record<string, unknown> {
  const shape = spec.shape ?? CLASSIC_SHAPE;
  const reasoning =
    spec.effort === null
      ? null
      : {
          effort: spec.effort,
          ...(shape.reasoningSummary !== undefined ? { summary: shape.reasoningSummary } : {}),
          ...(shape.reasoningContext !== undefined ? { context: shape.reasoningContext } : {}),
        };
  const include = spec.effort === null ? [] : ['reasoning.encrypted_content'];
  let body: Record<string, unknown>;
  if (shape.instructions === 'top_level') {
    body = {
      model: spec.model,
      instructions: spec.instructions,
      input: spec.input,
      tools: spec.tools,
      tool_choice: 'auto',
      parallel_tool_calls: shape.parallelToolCalls,
      reasoning,
      store: false,
      stream: true,
      include,
      prompt_cache_key: spec.sessionId,
    };
  } else {
    // Key order as Codex 0.171 sends it (docs/protocol.md "Responses Lite").
    const lead: unknown[] = [];
    if (!spec.leadInInput) {
      if (shape.tools === 'additional_tools') lead.push(additionalToolsItem(spec.tools));
      lead.push(instructionsMessage(spec.instructions));
    }
    body = { model: spec.model, stream: true, input: [...lead, ...spec.input] };
    if (shape.tools === 'top_level') body.tools = spec.tools;
    body.tool_choice = 'auto';
    body.parallel_tool_calls = shape.parallelToolCalls;
    if (reasoning !== null) body.reasoning = reasoning;
    body.store = false;
    body.include = include;
    body.prompt_cache_key = spec.sessionId;
  }
  const text: Record<string, unknown> = {};
  if (shape.verbosity !== undefined) text.verbosity = shape.verbosity;
  if (spec.textFormat) text.format = spec.textFormat;
  if (Object.keys(text).length > 0) body.text = text;
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
