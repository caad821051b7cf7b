/**
 * The session side of `kolega run` (README "Sessions"): which conversation the flags ask for,
 * which model and instructions a resumed session keeps, the AGENTS.md and environment context
 * of a new session, and the context-window check before sending.
 */
import { KolegaError } from '../../core/errors.js';
import type { ModelInfo } from '../../core/providers/models.js';
import type { ConversationStart } from '../../core/sessions/conversation.js';
import type { TurnRecord } from '../../core/sessions/records.js';
import { environmentContext, localDateAndZone, shellName } from '../../core/sessions/environment.js';
import type { ToolSetup } from './tool-setup.js';
import type { RunOptions } from '../commands/run.js';

/**
 * The conversation the flags ask for.
 * @throws KolegaError(usage, `conflicting_flags`) for more than one of --resume, --continue, --fork
 */
export function conversationStart(opts: RunOptions, root: string): ConversationStart {
  const picked = [
    opts.resume !== undefined && '--resume',
    opts.continue && '--continue',
    opts.fork !== undefined && '--fork',
  ].filter(Boolean);
  if (picked.length > 1) {
    throw new KolegaError('usage', 'conflicting_flags', `${picked.join(' and ')} cannot be used together`, {
      hint: 'pick one session to continue or fork',
    });
  }
  if (opts.resume !== undefined) return { kind: 'resume', ref: opts.resume };
  if (opts.fork !== undefined) return { kind: 'fork', ref: opts.fork };
  if (opts.continue) return { kind: 'continue', cwd: root };
  return { kind: 'new' };
}

/**
 * The model and effort a run asks for: the flags, else (resuming) the last turn's, else none
 * (the saved default).
 */
export function inheritedChoice(opts: RunOptions, last: TurnRecord | undefined): { model?: string; effort?: string } {
  if (opts.model !== undefined || !last) return { model: opts.model, effort: opts.effort };
  return { model: `${last.provider}/${last.model}`, effort: opts.effort ?? last.effort ?? undefined };
}

/** The `<environment_context>` of a new session for the tools this run offers. */
export function environmentFor(root: string, tools: ToolSetup): string {
  return environmentContext({
    cwd: root,
    addDirs: tools.toolContext.addDirs,
    sandbox: tools.toolContext.sandbox,
    shell: tools.offered.some((t) => t.name === 'shell'),
    ...localDateAndZone(),
    shellName: shellName(),
  });
}

/**
 * Fails a turn whose conversation cannot fit the model's context window (checked before sending).
 * @throws KolegaError(upstream, `context_window_exceeded`) naming the session and its size
 */
export function checkContextWindow(
  sessionId: string,
  model: ModelInfo,
  historyTokens: number,
  historyBytes: number,
  prompt: string,
): void {
  const window = model.context_window;
  if (!(window > 0) || historyTokens === 0) return;
  const total = historyTokens + Math.ceil(Buffer.byteLength(prompt) / 4);
  if (total <= window) return;
  const mb = (historyBytes / 1e6).toFixed(1);
  throw new KolegaError(
    'upstream',
    'context_window_exceeded',
    `session ${sessionId} holds about ${total} tokens (${mb} MB on disk), more than the ${window}-token context window of ${model.id}`,
    { hint: 'start a new session, or resume with a model that has a larger context window (-m; see: kolega models)' },
  );
}
