/**
 * The OAuth issuer and its endpoint URLs: `KOLEGA_AUTH_ISSUER` or the default
 * (docs/protocol.md "Constants at a glance"). Plain http only for loopback hosts (docs/design.md).
 */
import { baseUrlFromEnv } from '../providers/base-url.js';
import {
  AUTHORIZE_PATH,
  CALLBACK_PATH,
  DEFAULT_ISSUER,
  DEVICE_REDIRECT_PATH,
  DEVICE_TOKEN_PATH,
  DEVICE_USERCODE_PATH,
  DEVICE_VERIFY_PATH,
  ISSUER_ENV,
  REVOKE_PATH,
  TOKEN_PATH,
} from './constants.js';

/** Endpoint URLs of one issuer. */
export interface IssuerEndpoints {
  issuer: string;
  authorize: string;
  token: string;
  revoke: string;
  deviceUsercode: string;
  deviceToken: string;
  deviceVerify: string;
  deviceRedirectUri: string;
}

/**
 * Resolves the issuer from `env`.
 * @throws KolegaError(usage, `bad_base_url` | `insecure_base_url`) for a bad KOLEGA_AUTH_ISSUER.
 */
export function issuerEndpoints(env: NodeJS.ProcessEnv): IssuerEndpoints {
  const issuer = baseUrlFromEnv(env, ISSUER_ENV, DEFAULT_ISSUER);
  return {
    issuer,
    authorize: issuer + AUTHORIZE_PATH,
    token: issuer + TOKEN_PATH,
    revoke: issuer + REVOKE_PATH,
    deviceUsercode: issuer + DEVICE_USERCODE_PATH,
    deviceToken: issuer + DEVICE_TOKEN_PATH,
    deviceVerify: issuer + DEVICE_VERIFY_PATH,
    deviceRedirectUri: issuer + DEVICE_REDIRECT_PATH,
  };
}

/** The loopback redirect URI for `port` (docs/protocol.md §a.1 step 3: host literally `localhost`). */
export function loopbackRedirectUri(port: number): string {
  return `http://localhost:${port}${CALLBACK_PATH}`;
}
