/**
 * Responses-API input items kolega sends (protocol.md e.5). With `store:false` no item carries an
 * `id`, and no `item_reference` is ever sent.
 */

/** A content part of a user or developer message. */
export type InputContent =
  | { type: 'input_text'; text: string }
  | { type: 'input_image'; image_url: string; detail?: 'auto' | 'low' | 'high' };

/** An input item. Server items (reasoning) are echoed back as received, minus `id`. */
export type InputItem =
  | { type: 'message'; role: 'user' | 'developer'; content: InputContent[] }
  | { type: 'message'; role: 'assistant'; content: { type: 'output_text'; text: string }[] }
  | { type: 'function_call'; name: string; arguments: string; call_id: string }
  | { type: 'function_call_output'; call_id: string; output: string }
  | { type: 'reasoning'; summary: unknown[]; encrypted_content?: string | null; content?: unknown[] };

/** An output item as streamed in `response.output_item.done` (only the fields kolega reads). */
export interface OutputItem {
  type: string;
  id?: string;
  role?: string;
  status?: string;
  content?: { type: string; text?: string }[];
  name?: string;
  arguments?: string;
  call_id?: string;
  summary?: unknown[];
  encrypted_content?: string | null;
  [key: string]: unknown;
}

/** The text of a message output item (its `output_text` parts joined). */
export function messageText(item: OutputItem): string {
  let text = '';
  for (const part of item.content ?? []) {
    if (part.type === 'output_text' && typeof part.text === 'string') text += part.text;
  }
  return text;
}

/**
 * Converts an output item into the input item that replays it on the next request, or undefined
 * for items that are not replayed. Reasoning keeps `encrypted_content` so the model keeps its chain
 * of thought without server storage (protocol.md e.5).
 */
export function toInputItem(item: OutputItem): InputItem | undefined {
  switch (item.type) {
    case 'message':
      return { type: 'message', role: 'assistant', content: [{ type: 'output_text', text: messageText(item) }] };
    case 'function_call':
      return { type: 'function_call', name: item.name ?? '', arguments: item.arguments ?? '', call_id: item.call_id ?? '' };
    case 'reasoning': {
      const r: InputItem = { type: 'reasoning', summary: Array.isArray(item.summary) ? item.summary : [] };
      if (item.encrypted_content !== undefined) r.encrypted_content = item.encrypted_content;
      if (Array.isArray(item.content) && item.content.length > 0) r.content = item.content as unknown[];
      return r;
    }
    default:
      return undefined;
  }
}
