/**
 * Text renderer: assistant text to stdout as it streams, ending with a newline; reasoning and tool
 * activity to stderr (dim) only when stderr is a TTY or --verbose; retries and denied tool calls
 * always get one stderr line (docs/design.md "Text mode").
 */
import type { ChalkInstance } from 'chalk';
import type { EventSink, TurnEvent } from '../../core/events.js';
import type { IO } from '../io.js';

/** chalk's constructor, passed in when colour is on (it is not imported on the way to the first byte otherwise). */
export type ChalkClass = new (options: { level: 0 | 1 }) => ChalkInstance;

const plain = (s: string) => s;

/** Styles for stderr: chalk's when `io.color` says so (NO_COLOR, FORCE_COLOR, --no-color, TTY), else none. */
function styler(io: IO, chalk: ChalkClass | undefined) {
  if (!io.color || !chalk) return { dim: plain, red: plain, yellow: plain };
  const c = new chalk({ level: 1 });
  return { dim: c.dim, red: c.red, yellow: c.yellow };
}

function brief(value: unknown, max = 120): string {
  const s = typeof value === 'string' ? value : JSON.stringify(value);
  const one = s.replace(/\s+/g, ' ');
  return one.length > max ? one.slice(0, max - 1) + '…' : one;
}

/**
 * The text-mode sink; `onFirstOutput` is called before anything is written (stops a spinner);
 * `chalk` styles stderr when colour is on (`io.color`).
 */
export function textRenderer(io: IO, onFirstOutput: () => void = () => undefined, chalk?: ChalkClass): EventSink {
  const style = styler(io, chalk);
  let owedSeparator = false;
  let reasoningOpen = false;
  let started = false;
  const begin = () => {
    if (!started) {
      started = true;
      onFirstOutput();
    }
  };
  const endReasoning = () => {
    if (reasoningOpen) {
      io.errRaw('\n');
      reasoningOpen = false;
    }
  };
  return (ev: TurnEvent) => {
    switch (ev.type) {
      case 'text.delta':
        if (ev.phase === 'commentary') {
          // Progress, not the answer: shown like reasoning (docs: README "Text mode").
          if (io.showProgress) {
            begin();
            reasoningOpen = true;
            io.errRaw(style.dim(ev.delta));
          }
          break;
        }
        begin();
        endReasoning();
        if (owedSeparator && !io.stdoutAtLineStart) io.out('\n');
        owedSeparator = false;
        io.out(ev.delta);
        break;
      case 'refusal.delta':
        // A refusal is printed like an answer: it is what the model said.
        begin();
        endReasoning();
        if (owedSeparator && !io.stdoutAtLineStart) io.out('\n');
        owedSeparator = false;
        io.out(ev.delta);
        break;
      case 'message.completed':
        if (ev.phase === 'commentary') {
          endReasoning();
          break;
        }
        owedSeparator = true;
        break;
      case 'reasoning.delta':
        if (io.showProgress) {
          begin();
          reasoningOpen = true;
          io.errRaw(style.dim(ev.delta));
        }
        break;
      case 'tool.call':
        if (io.showProgress) {
          begin();
          endReasoning();
          io.err(style.dim(`→ ${ev.name} ${brief(ev.arguments)}`));
        }
        break;
      case 'tool.result':
        if (ev.status === 'denied') {
          endReasoning();
          io.warn(style.yellow(`kolega: tool call ${ev.name} denied: ${brief(ev.output, 200)}`));
        } else if (io.showProgress) {
          const exit = ev.exit_code === undefined ? '' : `exit ${ev.exit_code}, `;
          io.err(
            style.dim(
              `  ${ev.status === 'ok' ? '✓' : '✗'} ${ev.name} (${exit}${ev.duration_ms} ms) ${ev.status === 'error' ? brief(ev.output) : ''}`.trimEnd(),
            ),
          );
        }
        break;
      case 'retry':
        endReasoning();
        io.warn(`kolega: retrying in ${ev.delay_ms} ms (attempt ${ev.attempt}): ${ev.reason}`);
        break;
      case 'turn.completed':
      case 'turn.failed':
        begin();
        endReasoning();
        if (!io.stdoutAtLineStart) io.out('\n');
        break;
      default:
        break;
    }
  };
}
