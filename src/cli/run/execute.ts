/**
 * The work of `kolega run` (wiring in commands/run.ts, behaviour here, so
 * `--help` never loads it): read the
 * prompt and inputs, pick provider and model, set up signals, timeouts and the renderer, run the
 * turn, and throw its failure for the CLI's one reporter (../exit.ts).
 */
import { accessSync, constants, realpathSync, statSync } from 'node:fs';
import path from 'node:path';
import { writeFileAtomic } from '../../core/store/atomic-write.js';
import { checkCaEnv } from '../../core/net/ca-env.js';
import { KolegaError } from '../../core/errors.js';
import type { EventSink } from '../../core/events.js';
import { selectModel, type Selection } from '../../core/providers/select.js';
import { takesImages } from '../../core/models/bundled.js';
import type { Provider } from '../../core/providers/types.js';
import type { InputContent } from '../../core/responses/items.js';
import { DEFAULT_INSTRUCTIONS } from '../../core/responses/request.js';
import { requestShapeFor } from '../../core/responses/presentation.js';
import { isTransportMode, TRANSPORT_MODES, type TransportMode } from '../../core/responses/transport.js';
import { readSettings } from '../../core/store/settings.js';
import { Conversation } from '../../core/sessions/conversation.js';
import { findProjectDocs, PROJECT_DOC_MAX_BYTES } from '../../core/sessions/project-docs.js';
import type { TurnRecord } from '../../core/sessions/records.js';
import { isKolegaError } from '../../core/errors.js';
import { credentialsPath, kolegaHome } from '../../core/store/paths.js';
import { tightenCredentialsMode } from '../../core/store/credentials.js';
import { maskedPaths, maskedSetting } from '../../core/tools/masked-paths.js';
import { asKolegaError, runTurn, toolSpecs, turnFailedEvent } from '../../core/turn.js';
import type { RunOptions } from '../commands/run.js';
import type { CliContext } from '../context.js';
import { IO } from '../io.js';
import { renewalWarningLine } from '../auth/renewal-message.js';
import { ndjsonRenderer } from '../render/ndjson.js';
import { textRenderer } from '../render/text.js';
import { readImages, readInstructionsFile } from './inputs.js';
import { readPrompt } from './prompt-input.js';
import { installSignalHandlers } from '../signals.js';
import { checkContextWindow, conversationStart, environmentFor, inheritedChoice } from './session.js';
import { resolveAddDirs, setupTools, type ToolSetup } from './tool-setup.js';

function resolveWorkspace(dir: string | undefined): string {
  const root = path.resolve(dir ?? process.cwd());
  let ok = false;
  try {
    ok = statSync(root).isDirectory();
  } catch {
    ok = false;
  }
  if (!ok)
    throw new KolegaError('usage', 'bad_workspace', `workspace ${root} is not a directory`, {
      hint: 'pass an existing directory to -C/--cd',
    });
  return root;
}

/** The instructions given by flags, or undefined (the session's or the default). */
function resolveInstructions(opts: RunOptions): string | undefined {
  if (opts.instructions !== undefined && opts.instructionsFile !== undefined) {
    throw new KolegaError(
      'usage',
      'conflicting_flags',
      '--instructions and --instructions-file cannot be used together',
      { hint: 'pick one' },
    );
  }
  if (opts.instructionsFile !== undefined) return readInstructionsFile(opts.instructionsFile);
  if (opts.instructions !== undefined) {
    if (opts.instructions.trim() === '')
      throw new KolegaError('usage', 'empty_instructions', 'the instructions are empty', {
        hint: 'omit --instructions to use the default',
      });
    return opts.instructions;
  }
  return undefined;
}

/** What `executeRun` throws once its reader closed stdout: exit 141, nothing said (docs/design.md). */
function stdoutClosedError(): KolegaError {
  return new KolegaError('stdout_closed', 'stdout_closed', 'stdout was closed by its reader');
}

/**
 * Runs `kolega run`. With --json, stdout ends with exactly one `turn.completed` or `turn.failed`
 * line, also when the run failed before its request.
 * @throws KolegaError for a failed turn or a failure before it (the CLI's reporter, ../exit.ts,
 *   says it on stderr and picks the status); KolegaError(stdout_closed) once stdout was closed
 */
export async function executeRun(args: string[], opts: RunOptions, ctx: CliContext): Promise<void> {
  const io = ctx.io ?? new IO({ stdout: ctx.stdout, stderr: ctx.stderr, env: ctx.env });
  const controller = new AbortController();
  const removeSignals = installSignalHandlers(controller);
  let stdoutClosed = false;
  io.onStdoutClosed(() => {
    stdoutClosed = true;
    controller.abort(new KolegaError('interrupted', 'stdout_closed', 'stdout was closed'));
  });
  let timer: NodeJS.Timeout | undefined;
  let tools: ToolSetup | undefined;
  let conversation: Conversation | undefined;
  let phase = 'starting';
  let terminalWritten = false;
  try {
    controller.signal.throwIfAborted(); // a signal came while this module loaded (signals.ts)
    // Validate everything cheap before touching stdin or the network.
    const explicitInstructions = resolveInstructions(opts);
    const root = resolveWorkspace(opts.cd);
    const start = conversationStart(opts, root);
    const images: InputContent[] = readImages(opts.image ?? []);
    resolveAddDirs(opts.addDir ?? []);
    if (opts.outputLastMessage !== undefined) checkOutputFile(opts.outputLastMessage);
    const outputSchema =
      opts.outputSchema === undefined
        ? undefined
        : await (await import('../../core/output-schema.js')).loadOutputSchema(opts.outputSchema);
    checkCaEnv(ctx.env); // a bad CA file: exit 2 before any request
    const home = kolegaHome(ctx.env);
    if (tightenCredentialsMode(home))
      io.warn(`kolega: ${credentialsPath(home)} was readable by other users; its mode is now 0600`);
    // Said before the wait for a session another run holds (up to the session lock's bound).
    if (start.kind !== 'new') io.debug('opening the session (waits while another run holds it)');
    conversation = await Conversation.open({
      home,
      start,
      ephemeral: opts.ephemeral === true,
      signal: controller.signal,
    });
    const last = conversation.lastTurn;
    const instructions = explicitInstructions ?? last?.instructions ?? DEFAULT_INSTRUCTIONS;
    // Usage problems (model, effort, prompt) are reported before missing credentials: a missing
    // sign-in is held back until the input is known to be valid.
    let selection: Selection | undefined;
    let noCredentials: KolegaError | undefined;
    try {
      selection = selectForRun(home, ctx.env, opts, last);
    } catch (err) {
      if (!(err instanceof KolegaError) || err.exitClass !== 'auth') throw err;
      noCredentials = err;
    }
    for (const note of selection?.notes ?? []) io.warn(`kolega: ${note}`);
    if (selection && images.length > 0 && !takesImages(selection.model)) {
      const kinds = selection.model.input_modalities!.join(', ') || 'none stated';
      throw new KolegaError(
        'usage',
        'images_not_supported',
        `model "${selection.provider}/${selection.model.id}" does not take images (its input: ${kinds})`,
        {
          hint: 'drop --image, or pick a model that takes images (kolega models --json lists input_modalities)',
        },
      );
    }
    // --timeout covers the whole run, waiting for stdin included (--stdin on a silent pipe).
    if (opts.timeout !== undefined) {
      timer = setTimeout(() => {
        const message = `the run took longer than --timeout ${opts.timeout}s (while ${phase})`;
        controller.abort(new KolegaError('network', 'timeout', message, { hint: 'raise --timeout' }));
      }, opts.timeout * 1000);
    }
    phase = 'reading stdin';
    const { prompt, notes } = await untilAborted(
      readPrompt(args, opts.stdin, ctx.stdin as NodeJS.ReadStream),
      controller.signal,
    );
    phase = 'starting the request';
    for (const note of notes) io.warn(`kolega: ${note}`);
    if (noCredentials || !selection)
      throw noCredentials ?? new KolegaError('internal', 'internal_error', 'no model was selected');

    const debug = io.debugEnabled ? (line: string) => io.debug(line) : undefined;
    // Only the chosen provider's modules are loaded (the sign-in's token code is not needed with a key).
    const provider: Provider =
      selection.provider === 'openai_chatgpt'
        ? (await import('../../core/providers/openai-chatgpt.js')).chatgptProvider({
            home,
            env: ctx.env,
            signal: controller.signal,
            debug,
            onRenewalWarning: (w) => io.warn(renewalWarningLine(w)),
          })
        : (await import('../../core/providers/openai.js')).openaiProvider(home, ctx.env);
    const transport = transportMode(opts, home, provider);
    if (opts.maxOutputTokens !== undefined && provider.chatgptBackend) {
      io.warn('kolega: --max-output-tokens is ignored with ChatGPT sign-in (the backend rejects it)');
    }

    const masked = maskedPaths({ env: ctx.env, setting: maskedSetting(home) });
    tools = await setupTools(opts, {
      root,
      protectedPaths: [credentialsPath(home)],
      maskedPaths: masked,
      signal: controller.signal,
      env: ctx.env,
      io,
      debug,
    });

    let stopSpinner = () => undefined as void;
    let sink: EventSink;
    if (opts.json) {
      const render = ndjsonRenderer(io);
      sink = (ev) => {
        if (ev.type === 'turn.completed' || ev.type === 'turn.failed') terminalWritten = true;
        render(ev);
      };
    } else {
      if (io.animations && spinnerFits(io)) stopSpinner = await startSpinner(io);
      const chalk = io.color ? (await import('chalk')).Chalk : undefined;
      sink = textRenderer(io, () => stopSpinner(), chalk);
    }

    const shape = requestShapeFor(selection.model, provider.chatgptBackend);
    const projectDoc =
      opts.projectDoc === false || conversation.source
        ? { text: '', files: [], truncated: false }
        : findProjectDocs(home, root, masked);
    if (projectDoc.truncated)
      io.warn(`kolega: AGENTS.md text cut to ${PROJECT_DOC_MAX_BYTES} bytes (${projectDoc.files.join(', ')})`);
    const prepared = conversation.prepare({
      model: selection.model.id,
      shape,
      instructions,
      tools: toolSpecs(tools.offered),
      provider: selection.provider,
      effort: selection.effort,
      sandbox: tools.toolContext.sandbox,
      cwd: root,
      projectDoc,
      // Sent once at the start of a session: a resumed or forked one replays its recorded one.
      environment: conversation.source ? '' : environmentFor(root, tools),
      prompt,
    });
    for (const note of conversation.notes) io.warn(`kolega: ${note}`);
    const sessionId = conversation.id;
    const historyBytes = conversation.source?.bytes ?? 0;

    const result = await runTurn(
      {
        provider,
        model: selection.model.id,
        effort: selection.effort,
        shape,
        transport,
        instructions,
        userContent: [{ type: 'input_text', text: prompt }, ...images],
        history: prepared.history,
        lead: prepared.lead,
        projectDocs: prepared.projectDocs,
        ...(prepared.recorder ? { recorder: prepared.recorder } : {}),
        preflight: () => checkContextWindow(sessionId, selection.model, prepared.historyTokens, historyBytes, prompt),
        allTools: tools.all,
        offeredTools: tools.offered,
        toolContext: tools.toolContext,
        maxToolCalls: opts.maxToolCalls,
        sessionId,
        idleTimeoutMs: opts.idleTimeout * 1000,
        signal: controller.signal,
        maxOutputTokens: opts.maxOutputTokens,
        textFormat: outputSchema?.textFormat,
        validateFinal: outputSchema ? (text) => void outputSchema.validate(text) : undefined,
        debug,
        onPhase: (p) => (phase = p),
      },
      sink,
    );
    stopSpinner();
    conversation.finish(result);
    if (!opts.json && !opts.ephemeral && conversation.recorded && io.showProgress) {
      io.warn(`kolega: session ${sessionId} (continue it with: kolega run --resume ${sessionId} PROMPT)`);
    }
    if (result.modelsEtag !== undefined && provider.chatgptBackend && !stdoutClosed) {
      const { refreshModelsIfChanged } = await import('../../core/models/catalogue.js');
      await refreshModelsIfChanged({ home, env: ctx.env, signal: controller.signal, debug }, result.modelsEtag);
    }
    if (stdoutClosed) throw stdoutClosedError();
    // Already on stdout as `turn.failed` (--json) or the text so far: the reporter says why on stderr.
    if (result.status === 'failed') throw result.error;
    if (opts.outputLastMessage) {
      try {
        writeFileAtomic(
          opts.outputLastMessage,
          result.finalText.endsWith('\n') ? result.finalText : result.finalText + '\n',
          { writeIntoSpecial: true },
        );
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code ?? (err as Error).message;
        throw new KolegaError('usage', 'output_file_failed', `cannot write ${opts.outputLastMessage} (${code})`, {
          hint: 'check the path given to -o',
        });
      }
    }
  } catch (err) {
    if (stdoutClosed) throw stdoutClosedError();
    // In --json, every run that got past flag parsing ends stdout with exactly one terminal event,
    // also when it failed before the request (docs/design.md "kolega run", JSON mode).
    if (opts.json && !terminalWritten) {
      terminalWritten = true;
      io.out(JSON.stringify(turnFailedEvent(asKolegaError(err, controller.signal))) + '\n');
    }
    throw err;
  } finally {
    if (timer) clearTimeout(timer);
    await conversation?.close();
    await tools?.close();
    removeSignals();
  }
}

/**
 * Provider, model and effort of the run: the flags, else a resumed session's last ones (falling
 * back to the saved default, with a note, when that model is gone), else the saved default.
 */
function selectForRun(
  home: string,
  env: NodeJS.ProcessEnv,
  opts: RunOptions,
  last: TurnRecord | undefined,
): ReturnType<typeof selectModel> {
  const choice = inheritedChoice(opts, last);
  try {
    return selectModel({ home, env, model: choice.model, effort: choice.effort });
  } catch (err) {
    if (opts.model !== undefined || !last || !isKolegaError(err) || err.exitClass !== 'usage') throw err;
    const fallback = selectModel({ home, env, model: undefined, effort: opts.effort });
    fallback.notes.unshift(
      `the session's model ${last.provider}/${last.model} (effort ${String(last.effort)}) cannot be used now (${err.message}); using ${fallback.provider}/${fallback.model.id}`,
    );
    return fallback;
  }
}

/**
 * The transport of the run: `--transport`, else the `transport` setting, else `auto`.
 * @throws KolegaError(config, `bad_transport`) for a saved value that is not a mode;
 *   KolegaError(usage, `websocket_unsupported`) for `websocket` with the API-key provider
 */
function transportMode(opts: RunOptions, home: string, provider: Provider): TransportMode {
  const saved = readSettings(home).transport;
  if (opts.transport === undefined && saved !== undefined && !isTransportMode(saved)) {
    throw new KolegaError(
      'config',
      'bad_transport',
      `the setting transport must be one of ${TRANSPORT_MODES.join(', ')}`,
      { hint: 'run: kolega config unset transport' },
    );
  }
  const mode: TransportMode = opts.transport ?? (saved as TransportMode | undefined) ?? 'auto';
  if (mode === 'websocket' && !provider.chatgptBackend) {
    throw new KolegaError(
      'usage',
      'websocket_unsupported',
      'the WebSocket transport is offered by the ChatGPT backend only',
      {
        hint:
          opts.transport === undefined
            ? 'run: kolega config set transport auto'
            : 'use --transport auto or http with an API key',
      },
    );
  }
  return mode;
}

/**
 * Fails fast, before any (paid) request, when `-o FILE` cannot be written: FILE must not be a
 * directory or another special file; a FIFO or character device (`/dev/stdout`) must be writable
 * (it is written into plainly); otherwise the directory of FILE (of a symlink's target) must exist
 * and be writable, since the answer replaces the file atomically from there.
 * @throws KolegaError(usage, `output_file_unwritable`)
 */
function checkOutputFile(file: string): void {
  const fail = (why: string) =>
    new KolegaError('usage', 'output_file_unwritable', `-o ${file}: ${why}`, {
      hint: 'give -o a file path in an existing, writable directory (or a writable FIFO or device)',
    });
  let target = path.resolve(file);
  try {
    const st = statSync(file);
    if (st.isDirectory()) throw fail('is a directory');
    if (st.isFIFO() || st.isCharacterDevice()) {
      try {
        accessSync(file, constants.W_OK);
      } catch (err) {
        throw fail(`is not writable (${(err as NodeJS.ErrnoException).code})`);
      }
      return;
    }
    if (!st.isFile()) throw fail('is not a regular file, a FIFO or a character device');
    target = realpathSync(file);
  } catch (err) {
    if (err instanceof KolegaError) throw err;
  }
  try {
    accessSync(path.dirname(target), constants.W_OK);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw fail(code === 'ENOENT' ? 'its directory does not exist' : `its directory is not writable (${code})`);
  }
}

/** Settles like `p`, or rejects with the signal's reason (a KolegaError) once it aborts. */
function untilAborted<T>(p: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    p.then(
      (v) => {
        signal.removeEventListener('abort', onAbort);
        resolve(v);
      },
      (e: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(e);
      },
    );
  });
}

/**
 * Whether a one-line spinner fits stderr: a terminal that reports no width (0 columns, as some CI
 * pseudo-terminals do) makes ora's line clearing loop forever, so no spinner there.
 */
function spinnerFits(io: IO): boolean {
  const columns = (io.stderrStream as { columns?: number }).columns;
  return typeof columns === 'number' && columns >= 20;
}

/** Starts an ora spinner on stderr; @returns its stop function. */
async function startSpinner(io: IO): Promise<() => void> {
  const { default: ora } = await import('ora');
  const spinner = ora({
    text: 'waiting for the model',
    stream: io.stderrStream as NodeJS.WritableStream,
    color: 'gray',
    isEnabled: true,
  }).start();
  return () => {
    if (spinner.isSpinning) spinner.stop();
  };
}
