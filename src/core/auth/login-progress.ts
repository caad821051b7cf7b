/**
 * What the ChatGPT sign-in flows report while they run, as data: the CLI turns each event into the
 * lines the user reads (src/cli/auth/login-messages.ts), so the flows compose no terminal text.
 */

/** One progress event of the browser or device-code sign-in. */
export type LoginProgress =
  /** A preferred callback port was taken by another program; `using` is the port bound instead. */
  | { type: 'port_busy'; port: number; using: number }
  /** The operating system refused a preferred callback port (`code`: EACCES, ...). */
  | { type: 'port_refused'; port: number; code: string; using: number }
  /** The loopback server listens on `port`; the user opens `url` within `timeoutMs`. */
  | { type: 'browser_url'; url: string; port: number; timeoutMs: number }
  /** A pasted line is not a URL. */
  | { type: 'paste_not_url' }
  /** A pasted URL is not the callback (its path is not `callbackPath`). */
  | { type: 'paste_not_callback'; callbackPath: string }
  /** A pasted callback URL carries another sign-in's `state`; the wait goes on. */
  | { type: 'paste_state_mismatch' }
  /** Device code: the user opens `verificationUrl` and enters `userCode` within `maxWaitMs`. */
  | { type: 'device_code'; verificationUrl: string; userCode: string; maxWaitMs: number };

/** `900000` -> `15 minutes`; `5000` -> `5s`: how a sign-in's waiting time is written. */
export function formatSpan(ms: number): string {
  return ms >= 60_000 && ms % 60_000 === 0 ? `${ms / 60_000} minutes` : `${Math.round(ms / 1000)}s`;
}
