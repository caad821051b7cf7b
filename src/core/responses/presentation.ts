/**
 * The one place that decides how a request presents instructions and tools to a model
 * (docs/protocol.md "Responses Lite"): the public API and kolega's earlier models get the classic
 * shape (top-level `instructions` and `tools`); ChatGPT models of the current catalogue get the
 * instructions as a developer message; Responses Lite models also get their tools in an
 * `additional_tools` input item (a `functions` namespace), the lite header, `reasoning.context`
 * and no parallel tool calls. A later presentation (e.g. the catalogue's `code_mode_only`) is added
 * here.
 */
import { LITE_REASONING_CONTEXT } from '../auth/constants.js';
import type { ModelInfo } from '../models/bundled.js';

/** How one model's requests are shaped. */
export interface RequestShape {
  /** Responses Lite: the lite header, tools in `additional_tools`, no top-level `instructions`/`tools`. */
  lite: boolean;
  /** Where the instructions go. */
  instructions: 'top_level' | 'developer_message';
  /** Where the function tools go. */
  tools: 'top_level' | 'additional_tools';
  parallelToolCalls: boolean;
  /** `reasoning.summary`, when one is sent. */
  reasoningSummary?: string;
  /** `reasoning.context`, when one is sent (lite: `all_turns`). */
  reasoningContext?: string;
  /** `text.verbosity`, when one is sent. */
  verbosity?: string;
}

/** The shape of kolega's earlier releases, and of every public-API request. */
export const CLASSIC_SHAPE: RequestShape = {
  lite: false,
  instructions: 'top_level',
  tools: 'top_level',
  parallelToolCalls: false,
  reasoningSummary: 'auto',
};

/**
 * Chooses the request shape of `model` on a provider.
 * @param chatgptBackend true for the ChatGPT backend (the only one that knows the lite shape)
 */
export function requestShapeFor(model: ModelInfo, chatgptBackend: boolean): RequestShape {
  if (!chatgptBackend) return CLASSIC_SHAPE;
  const w = model.wire;
  const shape: RequestShape = {
    lite: w.lite,
    instructions: w.instructions_as_developer ? 'developer_message' : 'top_level',
    tools: w.lite ? 'additional_tools' : 'top_level',
    parallelToolCalls: w.lite ? false : w.parallel_tool_calls,
  };
  if (w.reasoning_summary !== undefined) shape.reasoningSummary = w.reasoning_summary;
  if (w.lite) shape.reasoningContext = LITE_REASONING_CONTEXT;
  if (w.verbosity !== undefined) shape.verbosity = w.verbosity;
  return shape;
}
