/**
 * Small builders for Responses stream events (one helper per event, as in
 * https://github.com/openai/codex/blob/main/codex-rs/core/tests/common/responses.rs) and their SSE encoding.
 */

/** One SSE event: its `type` plus payload fields. */
export type SseEvent = { type: string; [key: string]: unknown };

export const ev = {
  created: (id = 'resp_1'): SseEvent => ({
    type: 'response.created',
    response: { id, status: 'in_progress', output: [] },
  }),
  textDelta: (delta: string, itemId = 'msg_1'): SseEvent => ({
    type: 'response.output_text.delta',
    item_id: itemId,
    output_index: 0,
    content_index: 0,
    delta,
  }),
  messageDone: (text: string, id = 'msg_1'): SseEvent => ({
    type: 'response.output_item.done',
    output_index: 0,
    item: {
      id,
      type: 'message',
      status: 'completed',
      role: 'assistant',
      content: [{ type: 'output_text', text, annotations: [] }],
    },
  }),
  reasoningDelta: (delta: string, summaryIndex = 0): SseEvent => ({
    type: 'response.reasoning_summary_text.delta',
    item_id: 'rs_1',
    output_index: 0,
    summary_index: summaryIndex,
    delta,
  }),
  reasoningDone: (summary: string, encrypted = 'enc_abc', id = 'rs_1'): SseEvent => ({
    type: 'response.output_item.done',
    output_index: 0,
    item: { id, type: 'reasoning', summary: [{ type: 'summary_text', text: summary }], encrypted_content: encrypted },
  }),
  callAdded: (callId: string, name: string, id = `fc_${callId}`): SseEvent => ({
    type: 'response.output_item.added',
    output_index: 0,
    item: { id, type: 'function_call', status: 'in_progress', name, arguments: '', call_id: callId },
  }),
  callArgsDelta: (delta: string, id: string): SseEvent => ({
    type: 'response.function_call_arguments.delta',
    item_id: id,
    output_index: 0,
    delta,
  }),
  callDone: (callId: string, name: string, args: string, id = `fc_${callId}`): SseEvent => ({
    type: 'response.output_item.done',
    output_index: 0,
    item: { id, type: 'function_call', status: 'completed', name, arguments: args, call_id: callId },
  }),
  completed: (
    id = 'resp_1',
    usage: Record<string, unknown> | null = {
      input_tokens: 10,
      input_tokens_details: { cached_tokens: 2 },
      output_tokens: 5,
      output_tokens_details: { reasoning_tokens: 1 },
      total_tokens: 15,
    },
  ): SseEvent => ({
    type: 'response.completed',
    response: { id, status: 'completed', output: [], ...(usage ? { usage } : {}) },
  }),
  /** A message item announced with its phase (`commentary` | `final_answer`), as newer models stream it. */
  messageAdded: (id: string, phase?: string): SseEvent => ({
    type: 'response.output_item.added',
    output_index: 0,
    item: { id, type: 'message', status: 'in_progress', role: 'assistant', content: [], ...(phase ? { phase } : {}) },
  }),
  /** A finished message item with a phase. */
  phasedMessageDone: (text: string, id: string, phase: string): SseEvent => ({
    type: 'response.output_item.done',
    output_index: 0,
    item: {
      id,
      type: 'message',
      status: 'completed',
      role: 'assistant',
      content: [{ type: 'output_text', text, annotations: [] }],
      phase,
    },
  }),
  refusalDelta: (delta: string, itemId = 'msg_r'): SseEvent => ({
    type: 'response.refusal.delta',
    item_id: itemId,
    output_index: 0,
    content_index: 0,
    delta,
  }),
  refusalDone: (refusal: string, itemId = 'msg_r'): SseEvent => ({
    type: 'response.refusal.done',
    item_id: itemId,
    output_index: 0,
    content_index: 0,
    refusal,
  }),
  refusalMessageDone: (refusal: string, id = 'msg_r'): SseEvent => ({
    type: 'response.output_item.done',
    output_index: 0,
    item: { id, type: 'message', status: 'completed', role: 'assistant', content: [{ type: 'refusal', refusal }] },
  }),
  failed: (code: string, message: string): SseEvent => ({
    type: 'response.failed',
    response: { id: 'resp_1', status: 'failed', error: { code, message } },
  }),
  incomplete: (reason: string): SseEvent => ({
    type: 'response.incomplete',
    response: { id: 'resp_1', status: 'incomplete', incomplete_details: { reason } },
  }),
};

/** Encodes events as an SSE body (`event:` + `data:` + blank line), LF or CRLF line ends. */
export function toSse(events: SseEvent[], crlf = false): string {
  const nl = crlf ? '\r\n' : '\n';
  return events.map((e) => `event: ${e.type}${nl}data: ${JSON.stringify(e)}${nl}${nl}`).join('');
}

/** A whole text answer: created, deltas, item done, completed. */
export function textAnswer(text: string, chunks = 3): SseEvent[] {
  const parts: string[] = [];
  const size = Math.max(1, Math.ceil(text.length / chunks));
  for (let i = 0; i < text.length; i += size) parts.push(text.slice(i, i + size));
  return [ev.created(), ...parts.map((p) => ev.textDelta(p)), ev.messageDone(text), ev.completed()];
}

/** A response whose only output is one function call. */
export function toolCall(callId: string, name: string, args: unknown): SseEvent[] {
  const a = typeof args === 'string' ? args : JSON.stringify(args);
  return [
    ev.created(),
    ev.callAdded(callId, name),
    ev.callArgsDelta(a, `fc_${callId}`),
    ev.callDone(callId, name, a),
    ev.completed(),
  ];
}

/** A phased message: added (with phase), deltas, done. */
export function phasedMessage(text: string, id: string, phase: 'commentary' | 'final_answer'): SseEvent[] {
  return [ev.messageAdded(id, phase), ev.textDelta(text, id), ev.phasedMessageDone(text, id, phase)];
}

/** A whole refusal answer: created, refusal deltas, refusal done, the message item, completed. */
export function refusalAnswer(refusal: string): SseEvent[] {
  const half = Math.ceil(refusal.length / 2);
  return [
    ev.created(),
    ev.messageAdded('msg_r'),
    ev.refusalDelta(refusal.slice(0, half)),
    ev.refusalDelta(refusal.slice(half)),
    ev.refusalDone(refusal),
    ev.refusalMessageDone(refusal),
    ev.completed(),
  ];
}
