/**
 * A request the server refuses because of the model (HTTP 400/404 whose detail says the model is
 * not supported, unknown or unavailable, e.g. "The 'x' model is not supported when using Codex with
 * a ChatGPT account."): the message names the model and points at `kolega models`.
 */
import { KolegaError } from '../errors.js';

const MODEL_WORDS = /\bmodel\b/i;
const REFUSAL_WORDS =
  /not supported|unsupported|does not exist|not found|not available|unavailable|no access|not allowed|requires a newer|upgrade/i;

/**
 * @returns a KolegaError(upstream, `model_not_supported`) for an HTTP refusal of `model`, or `err`
 *   unchanged for any other failure
 */
export function withModelRefusal(err: KolegaError, model: string): KolegaError {
  if (err.httpStatus !== 400 && err.httpStatus !== 404) return err;
  const mentionsModel = err.message.includes(model) || MODEL_WORDS.test(err.message);
  if (!mentionsModel || !REFUSAL_WORDS.test(err.message)) return err;
  const detail = err.message.replace(/^the server refused the request \(\d+\): /, '');
  return new KolegaError('upstream', 'model_not_supported', `the server refused model "${model}": ${detail}`, {
    httpStatus: err.httpStatus,
    requestId: err.requestId,
    hint: 'pick a model the server offers (see: kolega models) and pass it with -m',
    cause: err,
  });
}
