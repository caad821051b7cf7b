/**
 * The items of a conversation as the turn loop sends them (docs/protocol.md "Resume" and
 * "AGENTS.md and environment context", captures D, D2 and E):
 * - a new session leads with the Responses Lite tools item, the instructions developer message
 *   (both only for models that take them in `input`), then ONE user message holding the AGENTS.md
 *   part (when there is one) and the environment context part; the prompt follows as its own
 *   user message. Nothing else is added.
 * - a resumed session replays every recorded item unchanged, in order, so the request's prefix
 *   is byte-identical and the prompt cache (same `prompt_cache_key`) hits. Only what the current
 *   model cannot take is changed: lead items of another request shape are rebuilt, reasoning that
 *   another model encrypted is dropped, and a tool call left without output by a killed run gets
 *   an "aborted" output.
 */
import type { InputContent, InputItem, OutputItem } from '../responses/items.js';
import { toInputItem } from '../responses/items.js';
import { withJsonText } from '../responses/json-text.js';
import type { RequestShape } from '../responses/presentation.js';
import { additionalToolsItem, instructionsMessage, type FunctionToolSpec } from '../responses/request.js';
import type { LeadKind, SessionRecord, TurnEndRecord, TurnRecord } from './records.js';

/** An item that leads the session, with its kind (recorded with it). */
export interface LeadItem {
  kind: LeadKind;
  item: InputItem;
}

/** The AGENTS.md content part, as Codex 0.171 words it (capture E). */
export function projectDocPart(cwd: string, text: string): InputContent {
  return {
    type: 'input_text',
    text: `# AGENTS.md instructions for ${cwd}\n\n<INSTRUCTIONS>\n${text}\n</INSTRUCTIONS>`,
  };
}

/** The tools and instructions lead items the model's shape takes in `input` (none for the classic shape). */
export function shapeLead(shape: RequestShape, instructions: string, tools: FunctionToolSpec[]): LeadItem[] {
  const out: LeadItem[] = [];
  if (shape.tools === 'additional_tools')
    out.push({ kind: 'tools', item: additionalToolsItem(tools) as unknown as InputItem });
  if (shape.instructions === 'developer_message')
    out.push({ kind: 'instructions', item: instructionsMessage(instructions) });
  return out;
}

/**
 * The lead of a new session: the shape's tools and instructions items, then the context message
 * (AGENTS.md part first when `projectDoc` is non-empty, then the environment context).
 */
export function newSessionLead(
  shape: RequestShape,
  instructions: string,
  tools: FunctionToolSpec[],
  cwd: string,
  projectDoc: string,
  environment: string,
): LeadItem[] {
  const parts: InputContent[] = [];
  if (projectDoc !== '') parts.push(projectDocPart(cwd, projectDoc));
  parts.push({ type: 'input_text', text: environment });
  return [
    ...shapeLead(shape, instructions, tools),
    { kind: 'context', item: { type: 'message', role: 'user', content: parts } },
  ];
}

/** The replayed conversation and what changed on the way. */
export interface Replay {
  /** The items to send before this turn's new items (`lead` first). */
  items: InputItem[];
  /** The tools and instructions items at the start of `items` (recorded or rebuilt). */
  lead: InputItem[];
  /** Outputs for tool calls a killed run left unanswered: sent and recorded as new items. */
  repairs: InputItem[];
  /** One-line notes for stderr (model switch, dropped reasoning, rebuilt lead). */
  notes: string[];
  /** The last turn's settings, when there was a turn. */
  lastTurn?: TurnRecord;
  /** Turns recorded so far. */
  turns: number;
  /** Estimated tokens of `items` (the server's count of the last turn plus ~4 bytes per token after it). */
  tokens: number;
}

/** What the current run sends with. */
export interface ReplayTarget {
  model: string;
  shape: RequestShape;
  instructions: string;
  tools: FunctionToolSpec[];
}

const BYTES_PER_TOKEN = 4;

function callIdOf(item: InputItem): string | undefined {
  const i = item as { type: string; call_id?: unknown };
  return (i.type === 'function_call' || i.type === 'custom_tool_call') && typeof i.call_id === 'string'
    ? i.call_id
    : undefined;
}

function outputIdOf(item: InputItem): string | undefined {
  const i = item as { type: string; call_id?: unknown };
  return (i.type === 'function_call_output' || i.type === 'custom_tool_call_output') && typeof i.call_id === 'string'
    ? i.call_id
    : undefined;
}

/** The text of a repair output: the call never ran to completion. */
export const ABORTED_OUTPUT = 'aborted: the run was stopped before this call returned';

/** A session's records as read: their lines, and for an all-ASCII file its bytes (./store.ts). */
export interface RecordedText {
  lines: string[];
  ascii?: { data: Buffer; offsets: number[] };
}

/**
 * Where the item of record `r` lies within its line, as kolega writes it (`JSON.stringify` of
 * `{type, turn, item[, lead]}`, ./store.ts), so that sending that text gives the bytes
 * `JSON.stringify(rec.item)` would: [start, end) character offsets in the line. Undefined when the
 * line is not in that form.
 */
function itemSpan(line: string, rec: SessionRecord & { item: unknown }): [number, number] | undefined {
  const keys = Object.keys(rec);
  const lead = rec.type === 'input' ? rec.lead : undefined;
  if (keys.length !== (lead === undefined ? 3 : 4) || keys[0] !== 'type' || keys[1] !== 'turn' || keys[2] !== 'item')
    return undefined;
  if (typeof rec.turn !== 'number' || !Number.isSafeInteger(rec.turn)) return undefined;
  const head = `{"type":"${rec.type}","turn":${rec.turn},"item":`;
  const tail = lead === undefined ? '}' : `,"lead":${JSON.stringify(lead)}}`;
  if (!line.startsWith(head) || !line.endsWith(tail)) return undefined;
  return [head.length, line.length - tail.length];
}

const REASONING_HEAD = '{"type":"reasoning",';

/**
 * How many leading characters of a recorded reasoning item's text `toInputItem` leaves out: it
 * sends `{"type":"reasoning","summary":[...],"encrypted_content":"..."}`, the recorded item
 * without its leading `id`. Undefined for any other layout (the item is then serialized as usual).
 */
function reasoningCut(item: OutputItem, line: string, start: number): number | undefined {
  const keys = Object.keys(item);
  const at = keys[0] === 'id' ? 1 : 0;
  if (
    keys.length !== at + 3 ||
    keys[at] !== 'type' ||
    keys[at + 1] !== 'summary' ||
    keys[at + 2] !== 'encrypted_content' ||
    !Array.isArray(item.summary) ||
    typeof item.encrypted_content !== 'string' ||
    (at === 1 && typeof item.id !== 'string')
  )
    return undefined;
  const head = at === 1 ? `{"id":${JSON.stringify(item.id)},"type":"reasoning",` : REASONING_HEAD;
  return line.startsWith(head, start) ? head.length : undefined;
}

/** Notes the recorded text of line `r` from `start` to `end` as the JSON of `item`, after `prefix`. */
function keepText<T extends object>(
  item: T,
  source: RecordedText,
  r: number,
  start: number,
  end: number,
  prefix = '',
): T {
  const line = source.lines[r]!;
  const at = source.ascii?.offsets[r];
  if (source.ascii && at !== undefined)
    return withJsonText(item, source.ascii.data.subarray(at + start, at + end), prefix);
  return withJsonText(item, line.slice(start, end), prefix);
}

/**
 * Rebuilds the items to send from a session's records for `target` (see the module comment).
 * Pure: records are not changed; identical records and target give identical items.
 * @param source the records' lines as read from the file (same order): replayed items keep their
 *   recorded text, which the request sends instead of serializing them again
 */
export function replay(records: SessionRecord[], target: ReplayTarget, source?: RecordedText): Replay {
  const notes: string[] = [];
  const items: InputItem[] = [];
  const wanted = new Map(shapeLead(target.shape, target.instructions, target.tools).map((l) => [l.kind, l.item]));
  // The latest recorded item of each lead kind (a resume that rebuilt it recorded a newer one).
  const recordedLead = new Map<LeadKind, InputItem>();
  let lastTurn: TurnRecord | undefined;
  let lastEnd: TurnEndRecord | undefined;
  let itemsAtLastEnd = 0;
  let turnModel = '';
  let droppedReasoning = 0;
  for (let r = 0; r < records.length; r++) {
    const rec = records[r]!;
    if (rec.type === 'turn') {
      lastTurn = rec;
      turnModel = rec.model;
    } else if (rec.type === 'turn_end') {
      lastEnd = rec;
      itemsAtLastEnd = items.length;
    } else if (rec.type === 'input') {
      const line = source?.lines[r];
      const span = line === undefined ? undefined : itemSpan(line, rec);
      if (span) keepText(rec.item, source!, r, span[0], span[1]);
      if (rec.lead === 'tools' || rec.lead === 'instructions') recordedLead.set(rec.lead, rec.item);
      else items.push(rec.item);
    } else if (rec.type === 'output') {
      const item = rec.item as OutputItem;
      if (item.type === 'reasoning' && turnModel !== target.model) {
        droppedReasoning++;
        continue;
      }
      const replayed = toInputItem(item);
      if (!replayed) continue;
      const line = item.type === 'reasoning' ? source?.lines[r] : undefined;
      const span = line === undefined ? undefined : itemSpan(line, rec);
      const cut = span && reasoningCut(item, line!, span[0]);
      items.push(
        cut === undefined ? replayed : keepText(replayed, source!, r, span![0] + cut, span![1], REASONING_HEAD),
      );
    }
  }
  // The lead the current shape takes goes first, where a new session has it; an unchanged lead
  // keeps its recorded bytes, a changed one is rebuilt (and the prompt cache misses once).
  let rebuilt = false;
  const lead: InputItem[] = [];
  for (const kind of ['tools', 'instructions'] as const) {
    const want = wanted.get(kind);
    const had = recordedLead.get(kind);
    if (want && had && JSON.stringify(want) === JSON.stringify(had)) lead.push(had);
    else if (want) {
      lead.push(want);
      rebuilt = true;
    } else if (had) rebuilt = true;
  }
  const all = [...lead, ...items];

  const answered = new Set(all.map(outputIdOf).filter((id): id is string => id !== undefined));
  const repairs: InputItem[] = [];
  for (const item of all) {
    const id = callIdOf(item);
    if (id !== undefined && !answered.has(id))
      repairs.push({ type: 'function_call_output', call_id: id, output: ABORTED_OUTPUT });
  }

  if (lastTurn && lastTurn.model !== target.model) {
    notes.push(`this session was recorded with model ${lastTurn.model}; it continues with ${target.model}`);
  }
  if (droppedReasoning > 0)
    notes.push(
      `dropped ${droppedReasoning} reasoning item${droppedReasoning === 1 ? '' : 's'} that ${target.model} cannot read (encrypted for another model)`,
    );
  if (rebuilt)
    notes.push(`the instructions or tools changed since the session's last turn; the prompt cache will miss this time`);
  if (repairs.length > 0)
    notes.push(
      `${repairs.length} tool call${repairs.length === 1 ? '' : 's'} of an interrupted run get an "aborted" result`,
    );

  const tail = lead.length + itemsAtLastEnd;
  const known = lastEnd?.context_tokens;
  const tokens =
    known !== undefined
      ? known + Math.ceil(byteLength(all.slice(tail)) / BYTES_PER_TOKEN)
      : Math.ceil(byteLength(all) / BYTES_PER_TOKEN);
  return { items: all, lead, repairs, notes, ...(lastTurn ? { lastTurn } : {}), turns: lastTurn?.turn ?? 0, tokens };
}

function byteLength(items: InputItem[]): number {
  let n = 0;
  for (const i of items) n += Buffer.byteLength(JSON.stringify(i));
  return n;
}
