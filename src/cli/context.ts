/** What every command gets: the process streams and environment, injectable for tests. */
import type { IO, Writable } from './io.js';

/** Process-level dependencies of the CLI. */
export interface CliContext {
  stdout: Writable & NodeJS.WritableStream;
  stderr: Writable & NodeJS.WritableStream;
  stdin: NodeJS.ReadStream | NodeJS.ReadableStream;
  env: NodeJS.ProcessEnv;
  /** Set by the preAction hook once global flags are known. */
  io?: IO;
}
