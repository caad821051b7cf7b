/**
 * Turns the JSON events of one Responses stream into turn events and the response's final output
 * (docs/protocol.md §f.3 and docs/protocol.md "Decisions", output assembly / "terminal events"):
 * - deltas are forwarded for live display;
 * - output items come from `response.output_item.done`; `response.completed.response.output` is used
 *   only when no item arrived that way (it is empty on the ChatGPT backend), and streamed deltas are
 *   the last fallback;
 * - only `response.completed` ends a response successfully.
 */
import { KolegaError } from '../errors.js';
import { TextBuffer } from './text-buffer.js';
import type { EventSink, TurnEvent, Usage } from '../events.js';
import { emptyUsage } from '../events.js';
import { messageText, phaseOf, refusalText, type OutputItem } from './items.js';
import type { RawStreamEvent } from './sse.js';
import { classifyFailedResponse, classifyStreamError } from './failures.js';

/** What one completed response produced. */
export interface ResponseOutcome {
  /** Output items in arrival order (messages, reasoning, function calls). */
  items: OutputItem[];
  /** Usage of this response, or undefined when the server sent none. */
  usage?: Usage;
  responseId?: string;
}

/** A malformed stream event (a content field of the wrong type). */
function badEvent(type: string, field: string): KolegaError {
  return new KolegaError('upstream', 'bad_event', `the server sent a malformed ${type} event (bad "${field}")`, {
    hint: 'retry; if it persists, report it with --debug output',
    retryable: true,
  });
}

/** Converts a Responses `usage` object (docs/protocol.md §f.3 "Usage object") into ours. */
export function toUsage(raw: unknown): Usage | undefined {
  if (raw === null || typeof raw !== 'object') return undefined;
  const u = raw as Record<string, unknown>;
  const n = (v: unknown): number => (typeof v === 'number' && Number.isFinite(v) ? v : 0);
  const inDetails = (u.input_tokens_details ?? {}) as Record<string, unknown>;
  const outDetails = (u.output_tokens_details ?? {}) as Record<string, unknown>;
  const input = n(u.input_tokens);
  const output = n(u.output_tokens);
  return {
    input_tokens: input,
    cached_input_tokens: n(inDetails?.cached_tokens),
    output_tokens: output,
    reasoning_output_tokens: n(outDetails?.reasoning_tokens),
    total_tokens: typeof u.total_tokens === 'number' ? u.total_tokens : input + output,
  };
}

/** Adds `b` into `a` (in place) and returns `a`. */
export function addUsage(a: Usage, b: Usage | undefined): Usage {
  if (!b) return a;
  a.input_tokens += b.input_tokens;
  a.cached_input_tokens += b.cached_input_tokens;
  a.output_tokens += b.output_tokens;
  a.reasoning_output_tokens += b.reasoning_output_tokens;
  a.total_tokens += b.total_tokens;
  return a;
}

/**
 * Consumes the events of one response. Feed every event to `push`; call `finish` at end of stream.
 * Emits `text.delta`, `reasoning.delta` and `message.completed` to `sink` as they happen.
 */
export class ResponseAssembler {
  private readonly items: OutputItem[] = [];
  /** Text already shown per message key (item id, else `_`). */
  private readonly streamed = new Map<string, TextBuffer>();
  private readonly pendingCalls = new Map<string, OutputItem>();
  /** Phase of each message item announced by `output_item.added`, by item id. */
  private readonly phases = new Map<string, 'commentary' | 'final_answer'>();
  /** Refusal text already shown per message key (item id, else `_`). */
  private readonly refused = new Map<string, string>();
  private completedOutput: OutputItem[] | undefined;
  private usage: Usage | undefined;
  private responseId: string | undefined;
  private terminal: 'completed' | KolegaError | undefined;
  private lastErrorEvent: RawStreamEvent | undefined;
  private lastSummaryIndex = -1;
  /** True once anything user-visible (text or reasoning) was emitted. */
  emittedOutput = false;

  constructor(private readonly sink: EventSink) {}

  /** True once a terminal event arrived; later events are ignored. */
  get done(): boolean {
    return this.terminal !== undefined;
  }

  /**
   * Handles one stream event. Unknown events and optional fields are ignored, but a field that
   * carries the answer with the wrong type (a non-string delta, an item that is not an object) is
   * a malformed stream: dropping it would report success with missing text.
   * @throws KolegaError(upstream, `bad_event`, retryable)
   */
  push(ev: RawStreamEvent): void {
    if (this.terminal) return;
    switch (ev.type) {
      case 'response.created': {
        const r = ev.response as { id?: unknown } | undefined;
        if (typeof r?.id === 'string') this.responseId = r.id;
        break;
      }
      case 'response.output_text.delta': {
        if (typeof ev.delta !== 'string') throw badEvent(ev.type, 'delta');
        if (ev.delta === '') break;
        const key = typeof ev.item_id === 'string' ? ev.item_id : '_';
        let shown = this.streamed.get(key);
        if (!shown) this.streamed.set(key, (shown = new TextBuffer()));
        shown.append(ev.delta);
        this.emitText(ev.delta, this.phases.get(key));
        break;
      }
      case 'response.refusal.delta': {
        if (typeof ev.delta !== 'string') throw badEvent(ev.type, 'delta');
        if (ev.delta === '') break;
        const key = typeof ev.item_id === 'string' ? ev.item_id : '_';
        this.refused.set(key, (this.refused.get(key) ?? '') + ev.delta);
        this.emitRefusal(ev.delta);
        break;
      }
      case 'response.reasoning_summary_part.added': {
        const idx = typeof ev.summary_index === 'number' ? ev.summary_index : 0;
        if (idx > 0 && idx !== this.lastSummaryIndex) this.emitReasoning('\n\n');
        this.lastSummaryIndex = idx;
        break;
      }
      case 'response.reasoning_summary_text.delta':
      case 'response.reasoning_text.delta':
        if (typeof ev.delta !== 'string') throw badEvent(ev.type, 'delta');
        if (ev.delta !== '') this.emitReasoning(ev.delta);
        break;
      case 'response.output_item.added': {
        const item = ev.item as OutputItem | undefined;
        if (item?.type === 'function_call' && typeof item.id === 'string') this.pendingCalls.set(item.id, { ...item });
        if (item?.type === 'message' && typeof item.id === 'string') {
          const phase = phaseOf(item);
          if (phase) this.phases.set(item.id, phase);
        }
        break;
      }
      case 'response.function_call_arguments.done': {
        const call = typeof ev.item_id === 'string' ? this.pendingCalls.get(ev.item_id) : undefined;
        if (call && typeof ev.arguments === 'string') call.arguments = ev.arguments;
        break;
      }
      case 'response.output_item.done': {
        const item = ev.item as OutputItem | undefined;
        if (!item || typeof item !== 'object' || Array.isArray(item) || typeof item.type !== 'string')
          throw badEvent(ev.type, 'item');
        this.acceptItem(item);
        break;
      }
      case 'response.completed': {
        const r = (ev.response ?? {}) as { id?: unknown; usage?: unknown; output?: unknown };
        if (typeof r.id === 'string') this.responseId = r.id;
        this.usage = toUsage(r.usage);
        if (Array.isArray(r.output)) this.completedOutput = r.output as OutputItem[];
        this.terminal = 'completed';
        break;
      }
      case 'response.failed': {
        const r = (ev.response ?? {}) as { error?: unknown; usage?: unknown };
        this.usage = toUsage(r.usage);
        this.terminal = classifyFailedResponse(r.error);
        break;
      }
      case 'response.incomplete': {
        const r = (ev.response ?? {}) as { incomplete_details?: { reason?: unknown }; usage?: unknown };
        this.usage = toUsage(r.usage);
        const reason = typeof r.incomplete_details?.reason === 'string' ? r.incomplete_details.reason : 'unknown';
        this.terminal = new KolegaError(
          'upstream',
          'response_incomplete',
          `the response was cut short (reason: ${reason})`,
          {
            hint: reason === 'max_output_tokens' ? 'ask for a shorter answer or split the task' : 'retry the request',
          },
        );
        break;
      }
      case 'error':
        this.lastErrorEvent = ev;
        break;
      default:
        break; // unknown and ignored event types (docs/protocol.md §f.1)
    }
  }

  private acceptItem(item: OutputItem): void {
    if (item.type === 'message') {
      const text = messageText(item);
      const key =
        typeof item.id === 'string' && this.streamed.has(item.id)
          ? item.id
          : this.streamed.has('_') && this.streamed.size === 1
            ? '_'
            : (item.id ?? '_');
      const shown = this.streamed.get(key)?.toString() ?? '';
      const phase = phaseOf(item) ?? (typeof item.id === 'string' ? this.phases.get(item.id) : undefined);
      if (text.length > shown.length && text.startsWith(shown)) this.emitText(text.slice(shown.length), phase);
      this.streamed.delete(key);
      // A refusal is never lost: what did not stream as refusal deltas is emitted now.
      const refusal = refusalText(item);
      const refusalKey = typeof item.id === 'string' && this.refused.has(item.id) ? item.id : '_';
      const refusalShown = this.refused.get(refusalKey) ?? '';
      if (refusal.length > refusalShown.length && refusal.startsWith(refusalShown))
        this.emitRefusal(refusal.slice(refusalShown.length));
      this.refused.delete(refusalKey);
      const done: TurnEvent = { type: 'message.completed', text: text.length >= shown.length ? text : shown };
      if (phase) done.phase = phase;
      this.sink(done);
    }
    this.items.push(item);
  }

  private emitText(delta: string, phase?: 'commentary' | 'final_answer'): void {
    this.emittedOutput = true;
    this.sink(phase ? { type: 'text.delta', delta, phase } : { type: 'text.delta', delta });
  }

  private emitRefusal(delta: string): void {
    this.emittedOutput = true;
    this.sink({ type: 'refusal.delta', delta });
  }

  private emitReasoning(delta: string): void {
    this.sink({ type: 'reasoning.delta', delta });
  }

  /** Usage reported so far (also for failed or incomplete responses). */
  get reportedUsage(): Usage | undefined {
    return this.usage;
  }

  /**
   * Ends the response at end of stream.
   * @returns the outcome of a completed response
   * @throws the classified error of `response.failed` / `response.incomplete`, or
   *   KolegaError(upstream, `stream_incomplete`, retryable) when the stream ended without a terminal
   *   event (an `error` event's code and message are used when one arrived).
   */
  finish(): ResponseOutcome {
    if (this.terminal instanceof KolegaError) throw this.terminal;
    if (this.terminal !== 'completed') {
      // A stream `error` event names what went wrong; either shape, same reading (failures.ts).
      if (this.lastErrorEvent) throw classifyStreamError(this.lastErrorEvent);
      throw new KolegaError('upstream', 'stream_incomplete', 'the stream closed before response.completed', {
        retryable: true,
        hint: 'retry the request; if it persists, check the network or proxy',
      });
    }
    if (this.items.length === 0 && this.completedOutput && this.completedOutput.length > 0) {
      for (const item of this.completedOutput) if (item && typeof item.type === 'string') this.acceptItem(item);
    }
    // Function calls announced and finished by argument events but never by output_item.done.
    for (const call of this.pendingCalls.values()) {
      if (
        !this.items.some((i) => i.type === 'function_call' && i.call_id === call.call_id) &&
        typeof call.call_id === 'string'
      ) {
        this.items.push(call);
      }
    }
    // Text that streamed but never arrived as an item: keep it as the message.
    for (const [key, buffer] of this.streamed) {
      const text = buffer.toString();
      if (text === '') continue;
      const item: OutputItem = { type: 'message', role: 'assistant', content: [{ type: 'output_text', text }] };
      if (key !== '_') item.id = key;
      const phase = key !== '_' ? this.phases.get(key) : undefined;
      if (phase) item.phase = phase;
      this.items.push(item);
      this.sink(phase ? { type: 'message.completed', text, phase } : { type: 'message.completed', text });
    }
    this.streamed.clear();
    // A refusal that streamed but never arrived as an item.
    for (const [key, refusal] of this.refused) {
      if (refusal === '') continue;
      const item: OutputItem = { type: 'message', role: 'assistant', content: [{ type: 'refusal', refusal }] };
      if (key !== '_') item.id = key;
      this.items.push(item);
    }
    this.refused.clear();
    return { items: this.items, usage: this.usage, responseId: this.responseId };
  }
}

export { emptyUsage };
