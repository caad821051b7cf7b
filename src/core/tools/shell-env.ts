/**
 * The environment a `shell` command sees: kolega's own, minus anything that looks like a secret
 * (names containing KEY, SECRET, TOKEN, PASSWORD or CREDENTIAL, and every KOLEGA_* variable), so a
 * command cannot print the API key back to the model.
 */

const SECRET_NAME = /KEY|SECRET|TOKEN|PASSWORD|PASSWD|CREDENTIAL/i;

/** A copy of `env` without secret-looking variables. */
export function shellEnv(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const out: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(env)) {
    if (value === undefined || SECRET_NAME.test(name) || name.startsWith('KOLEGA_')) continue;
    out[name] = value;
  }
  return out;
}
