/**
 * The words of the ChatGPT sign-in: each progress event of the core flows
 * (src/core/auth/login-progress.ts) becomes the stderr lines the user reads.
 */
import { formatSpan, type LoginProgress } from '../../core/auth/login-progress.js';

/** The stderr lines (without newlines) for `event`. */
export function loginProgressLines(event: LoginProgress): string[] {
  switch (event.type) {
    case 'port_busy':
      return [`kolega: port ${event.port} on 127.0.0.1 is in use; using port ${event.using} instead`];
    case 'port_refused':
      return [
        `kolega: port ${event.port} on 127.0.0.1 was refused by the operating system (${event.code}); using port ${event.using} instead`,
      ];
    case 'browser_url': {
      const p = event.port;
      return [
        `kolega: listening on http://localhost:${p} for the sign-in callback`,
        'kolega: open this URL in a browser to sign in with ChatGPT:',
        event.url,
        `kolega: waiting up to ${Math.round(event.timeoutMs / 1000)}s. On a remote machine, forward the port first (ssh -L ${p}:127.0.0.1:${p} <host>), ` +
          'paste the URL your browser ends up on here, or use --device-auth.',
      ];
    }
    case 'paste_not_url':
      return ['kolega: that is not a URL; paste the whole address from the browser (it starts with http://localhost:)'];
    case 'paste_not_callback':
      return [
        `kolega: that is not the callback URL; paste the address the browser shows after sign-in (path ${event.callbackPath})`,
      ];
    case 'paste_state_mismatch':
      return ['kolega: that URL belongs to another sign-in attempt (state mismatch); still waiting'];
    case 'device_code':
      return [
        'kolega: to sign in with ChatGPT, open this page on any device:',
        event.verificationUrl,
        `kolega: and enter the code: ${event.userCode}`,
        `kolega: waiting up to ${formatSpan(event.maxWaitMs)} for you to enter the code. Never enter a code someone else sent you.`,
      ];
  }
}
