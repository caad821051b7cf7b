/**
 * One run's session (README "Sessions"): a new one, a resumed one (`--resume`, `--continue`), a
 * fork of one (`--fork`) or none at all (`--ephemeral`). Opens and locks the file, rebuilds the
 * history the turn sends (./compose.ts), records what the turn sends and receives, and closes
 * the turn. No terminal output: notes are returned for the CLI to print.
 */
import { uuidv7 } from '../ids.js';
import type { InputItem, OutputItem } from '../responses/items.js';
import type { TurnRecorder, TurnResult } from '../turn.js';
import { latestSessionOf, listSessions, resolveSessionId } from './catalog.js';
import { newSessionLead, replay, type LeadItem, type Replay, type ReplayTarget } from './compose.js';
import { isSessionLocked, lockSession, type ReleaseLock } from './lock.js';
import {
  titleOf,
  SESSION_FORMAT,
  type LeadKind,
  type SessionHeader,
  type SessionRecord,
  type TurnRecord,
} from './records.js';
import {
  createSession,
  ensureSessionsDir,
  loadSession,
  openSessionForAppend,
  sessionPath,
  type LoadedSession,
  type SessionWriter,
} from './store.js';

/** How the run starts its conversation. */
export type ConversationStart =
  { kind: 'new' } | { kind: 'resume'; ref: string } | { kind: 'continue'; cwd: string } | { kind: 'fork'; ref: string };

/** Inputs of `openConversation`. */
export interface OpenConversation {
  home: string;
  start: ConversationStart;
  /** Record nothing (`--ephemeral`). */
  ephemeral: boolean;
  signal?: AbortSignal;
  /** Longest wait for a session another run holds, ms (default: ./lock.ts). */
  lockWaitMs?: number;
}

/** What this turn sends with (the new session's lead needs all of it). */
export interface TurnSetup extends ReplayTarget {
  provider: string;
  effort: string | null;
  sandbox: string;
  /** Workspace root. */
  cwd: string;
  /** AGENTS.md text ('' for none) and its files. */
  projectDoc: { text: string; files: string[] };
  /** The `<environment_context>` text (new sessions only: a resume or fork replays the recorded one). */
  environment: string;
  /** The prompt, for a new session's title. */
  prompt: string;
}

/** What the turn loop gets. */
export interface PreparedTurn {
  history: InputItem[];
  lead: InputItem[];
  /** AGENTS.md files sent (new sessions only). */
  projectDocs: string[];
  /** Estimated tokens of the history (0 for a new session). */
  historyTokens: number;
  recorder?: TurnRecorder;
}

/**
 * A run's conversation. Call `prepare` once the model and tools are known, pass its result to
 * the turn loop, then `finish` with the outcome, and `close` in any case.
 */
export class Conversation {
  /** Notes for stderr (torn line ignored, model switch, ...). */
  readonly notes: string[] = [];
  private writer: SessionWriter | undefined;
  private turnNumber = 0;
  private turnOpen = false;
  private wrote = false;
  private replayed: Replay | undefined;

  private constructor(
    private readonly home: string,
    /** The session id: `prompt_cache_key`, `session_id` in `turn.started`. */
    readonly id: string,
    /** How the conversation started. */
    readonly kind: ConversationStart['kind'],
    private readonly ephemeral: boolean,
    /** The session resumed or forked from (loaded). */
    readonly source: LoadedSession | undefined,
    private release: ReleaseLock | undefined,
  ) {}

  /**
   * Opens (and, unless ephemeral, locks) the conversation.
   * @throws KolegaError(usage, `session_not_found` | `session_ambiguous` | `no_session` |
   *   `session_busy`), KolegaError(config) for an unreadable or corrupt file
   */
  static async open(o: OpenConversation): Promise<Conversation> {
    const { home, start, ephemeral } = o;
    if (start.kind === 'new') {
      const id = uuidv7();
      const release = ephemeral ? undefined : await lockNew(home, id, o);
      return new Conversation(home, id, 'new', ephemeral, undefined, release);
    }
    if (start.kind === 'fork') {
      const source = loadSession(sessionPath(home, resolveSessionId(home, start.ref)));
      const id = uuidv7();
      const release = ephemeral ? undefined : await lockNew(home, id, o);
      const c = new Conversation(home, id, 'fork', ephemeral, source, release);
      c.notes.push(...source.warnings);
      return c;
    }
    const picked =
      start.kind === 'resume'
        ? { id: resolveSessionId(home, start.ref), skipped: [] }
        : await pickContinue(home, start.cwd);
    const id = picked.id;
    const file = sessionPath(home, id);
    const release = ephemeral ? undefined : await lockSession(file, id, o.signal, o.lockWaitMs);
    try {
      // Read only once the lock is held: the last writer's records are all there.
      const source = loadSession(file);
      const c = new Conversation(home, id, start.kind, ephemeral, source, release);
      for (const busy of picked.skipped)
        c.notes.push(`session ${busy} is in use by another run; continuing ${id}, the latest one that is not`);
      c.notes.push(...source.warnings);
      if (!ephemeral) {
        const { writer, cutTornLine } = openSessionForAppend(file);
        c.writer = writer;
        if (cutTornLine) c.notes.push(`${file}: removed the incomplete last line before appending`);
      }
      return c;
    } catch (err) {
      await release?.();
      throw err;
    }
  }

  /** The recorded settings of the last turn of the source session, if any. */
  get lastTurn(): TurnRecord | undefined {
    if (!this.source) return undefined;
    for (let i = this.source.records.length - 1; i >= 0; i--) {
      const r = this.source.records[i]!;
      if (r.type === 'turn') return r;
    }
    return undefined;
  }

  /** Builds the history and lead of this turn and its recorder. */
  prepare(setup: TurnSetup): PreparedTurn {
    const kinds = new Map<InputItem, LeadKind>();
    let history: InputItem[] = [];
    let lead: InputItem[];
    let projectDocs: string[] = [];
    let historyTokens = 0;
    if (this.source) {
      const r = replay(this.source.records, setup, this.source);
      this.replayed = r;
      this.notes.push(...r.notes);
      history = r.items;
      lead = r.repairs;
      historyTokens = r.tokens;
      this.turnNumber = r.turns;
      // Lead items rebuilt for another request shape are new bytes: record them as such.
      const recorded = new Set<unknown>(
        this.source.records.map((rec) => (rec.type === 'input' ? rec.item : undefined)),
      );
      for (const item of r.lead)
        if (!recorded.has(item))
          kinds.set(item, (item as { type: string }).type === 'additional_tools' ? 'tools' : 'instructions');
    } else {
      const items: LeadItem[] = newSessionLead(
        setup.shape,
        setup.instructions,
        setup.tools,
        setup.cwd,
        setup.projectDoc.text,
        setup.environment,
      );
      for (const l of items) kinds.set(l.item, l.kind);
      lead = items.map((l) => l.item);
      projectDocs = setup.projectDoc.files;
    }
    const recorder = this.ephemeral ? undefined : this.recorderFor(setup, kinds, projectDocs);
    return { history, lead, projectDocs, historyTokens, ...(recorder ? { recorder } : {}) };
  }

  private recorderFor(setup: TurnSetup, kinds: Map<InputItem, LeadKind>, projectDocs: string[]): TurnRecorder {
    const turn = this.turnNumber + 1;
    const open = () => {
      if (this.turnOpen) return;
      this.ensureFile(setup);
      this.turnOpen = true;
      this.wrote = true;
      this.turnNumber = turn;
      const rec: TurnRecord = {
        type: 'turn',
        turn,
        at: new Date().toISOString(),
        provider: setup.provider,
        model: setup.model,
        effort: setup.effort,
        sandbox: setup.sandbox,
        cwd: setup.cwd,
        instructions: setup.instructions,
        ...(projectDocs.length > 0 ? { project_docs: projectDocs } : {}),
      };
      this.writer!.append(rec);
      // Lead items the replay rebuilt precede everything else of this turn.
      for (const item of this.replayed?.lead ?? []) {
        const kind = kinds.get(item);
        if (kind) this.writer!.append({ type: 'input', turn, item, lead: kind });
      }
    };
    return {
      sent: (items: InputItem[]) => {
        open();
        for (const item of items) {
          const kind = kinds.get(item);
          this.writer!.append({ type: 'input', turn, item, ...(kind ? { lead: kind } : {}) });
        }
      },
      received: (items: OutputItem[]) => {
        open();
        for (const item of items) this.writer!.append({ type: 'output', turn, item });
      },
    };
  }

  /** Creates the file of a new session or fork on its first record. */
  private ensureFile(setup: TurnSetup): void {
    if (this.writer) return;
    const header: SessionHeader = {
      type: 'session',
      v: SESSION_FORMAT,
      id: this.id,
      created_at: new Date().toISOString(),
      cwd: setup.cwd,
      provider: setup.provider,
      model: setup.model,
      effort: setup.effort,
      sandbox: setup.sandbox,
      ...(this.source ? { parent_id: this.source.header.id } : {}),
      title: this.source ? this.source.header.title : titleOf(setup.prompt),
    };
    this.writer = createSession(this.home, header);
    // A fork starts as a byte-exact copy of its parent's records.
    if (this.source) this.writer.appendLines(this.source.lines);
  }

  /** True once this run has written to the session file. */
  get recorded(): boolean {
    return this.wrote;
  }

  /** Closes the turn with its outcome (nothing when nothing was recorded). */
  finish(result: TurnResult): void {
    if (!this.turnOpen || !this.writer) return;
    this.turnOpen = false;
    const rec: SessionRecord = {
      type: 'turn_end',
      turn: this.turnNumber,
      at: new Date().toISOString(),
      status: result.status,
      usage: result.usage,
      ...(result.contextTokens !== undefined ? { context_tokens: result.contextTokens } : {}),
      ...(result.status === 'completed' ? { final_text: result.finalText } : {}),
      ...(result.error ? { error: { code: result.error.code, message: result.error.message } } : {}),
    };
    this.writer.append(rec);
  }

  /** Closes the file and releases the lock (idempotent). */
  async close(): Promise<void> {
    this.writer?.close();
    this.writer = undefined;
    const release = this.release;
    this.release = undefined;
    await release?.();
  }
}

async function lockNew(home: string, id: string, o: OpenConversation): Promise<ReleaseLock> {
  ensureSessionsDir(home);
  return lockSession(sessionPath(home, id), id, o.signal, o.lockWaitMs);
}

/**
 * The session `--continue` takes: the most recently written one of the workspace that no other
 * run is writing right now; the most recent one when all are busy (its lock then waits).
 */
async function pickContinue(home: string, cwd: string): Promise<{ id: string; skipped: string[] }> {
  const all = listSessions(home, cwd);
  if (all.length === 0) return { id: latestSessionOf(home, cwd).id, skipped: [] };
  const skipped: string[] = [];
  for (const s of all) {
    if (!(await isSessionLocked(s.file))) return { id: s.id, skipped };
    skipped.push(s.id);
  }
  return { id: all[0]!.id, skipped: [] };
}
