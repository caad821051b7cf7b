/**
 * Responses-API input items kolega sends (docs/protocol.md §e.5). With `store:false` no item carries an
 * `id`, and no `item_reference` is ever sent.
 */

/** A content part of a user or developer message. */
export type InputContent =
  { type: 'input_text'; text: string } | { type: 'input_image'; image_url: string; detail?: 'auto' | 'low' | 'high' };

/** A content part of an assistant message sent back: its text, or a refusal. */
export type AssistantContent = { type: 'output_text'; text: string } | { type: 'refusal'; refusal: string };

/** An input item. Server items (reasoning) are echoed back as received, minus `id`. */
export type InputItem =
  | { type: 'message'; role: 'user' | 'developer'; content: InputContent[] }
  | { type: 'message'; role: 'assistant'; content: AssistantContent[]; phase?: string }
  | { type: 'function_call'; name: string; arguments: string; call_id: string; namespace?: string }
  | { type: 'function_call_output'; call_id: string; output: string }
  | { type: 'reasoning'; summary: unknown[]; encrypted_content?: string | null; content?: unknown[] };

/** An output item as streamed in `response.output_item.done` (only the fields kolega reads). */
export interface OutputItem {
  type: string;
  id?: string;
  role?: string;
  status?: string;
  content?: { type: string; text?: string; refusal?: string }[];
  /** `commentary` or `final_answer` on assistant messages of newer models. */
  phase?: string;
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

/** The refusal text of a message output item (its `refusal` parts joined; '' when none). */
export function refusalText(item: OutputItem): string {
  let text = '';
  for (const part of item.content ?? []) {
    if (part.type === 'refusal' && typeof part.refusal === 'string') text += part.refusal;
  }
  return text;
}

/** The phase of a message item, when it names one of the known phases. */
export function phaseOf(item: OutputItem): 'commentary' | 'final_answer' | undefined {
  return item.phase === 'commentary' || item.phase === 'final_answer' ? item.phase : undefined;
}

/**
 * The final answer of a response's items: the last assistant message with phase `final_answer`,
 * else the last assistant message (servers that send no phase); plus any refusal text of the
 * response's messages.
 */
export function finalAnswer(items: OutputItem[]): { text: string; refusal?: string } {
  const messages = items.filter((i) => i.type === 'message' && (i.role === undefined || i.role === 'assistant'));
  const finals = messages.filter((m) => phaseOf(m) === 'final_answer');
  const pick = finals.at(-1) ?? messages.at(-1);
  const refusal = messages
    .map(refusalText)
    .filter((r) => r !== '')
    .join('\n');
  return { text: pick ? messageText(pick) : '', ...(refusal !== '' ? { refusal } : {}) };
}

/**
 * Converts an output item into the input item that replays it on the next request, or undefined
 * for items that are not replayed. Reasoning keeps `encrypted_content` so the model keeps its chain
 * of thought without server storage (docs/protocol.md §e.5).
 */
export function toInputItem(item: OutputItem): InputItem | undefined {
  switch (item.type) {
    case 'message': {
      const refusal = refusalText(item);
      const content: AssistantContent[] = [];
      const text = messageText(item);
      if (text !== '' || refusal === '') content.push({ type: 'output_text', text });
      if (refusal !== '') content.push({ type: 'refusal', refusal });
      const m: InputItem = { type: 'message', role: 'assistant', content };
      // The phase goes back with the message (docs/protocol.md "Phases").
      const phase = phaseOf(item);
      if (phase) m.phase = phase;
      return m;
    }
    case 'function_call': {
      const c: InputItem = {
        type: 'function_call',
        name: item.name ?? '',
        arguments: item.arguments ?? '',
        call_id: item.call_id ?? '',
      };
      // A call of a namespaced tool (Responses Lite `functions`) names its namespace; echo it.
      if (typeof item.namespace === 'string' && item.namespace !== '') c.namespace = item.namespace;
      return c;
    }
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
