/**
 * Plan gating at login (docs/protocol.md "Decisions", plan gating; test/fixtures/jwt/README.md): the id_token's
 * `chatgpt_plan_type` decides; a plan listed in INELIGIBLE_PLANS is refused before anything is
 * stored. Plans outside both lists (new names) are let through: the server still enforces them.
 */
import { KolegaError } from '../errors.js';
import { ELIGIBLE_PLANS, INELIGIBLE_PLANS, PLAN_REQUIREMENT } from './constants.js';
import { decodeJwtPayload, readClaims } from './jwt.js';

/** The outcome of the plan check. */
export interface PlanCheck {
  /** Lower-cased plan, when the token names one. */
  plan?: string;
  /** True when the plan is in ELIGIBLE_PLANS (false for unknown or missing plans). */
  known: boolean;
}

/**
 * Checks the plan of `idToken`.
 * @throws KolegaError(auth, `bad_id_token`) when the id_token is not a readable JWT;
 *   KolegaError(auth, `plan_not_eligible`) for a free plan; the message names the plan and
 *   what is needed.
 */
export function checkPlan(idToken: string): PlanCheck {
  if (decodeJwtPayload(idToken) === undefined) {
    throw new KolegaError(
      'auth',
      'bad_id_token',
      'the sign-in returned an id_token that is not a readable JWT; nothing was stored',
      {
        hint: 'try signing in again; if it persists, report it with --debug output',
      },
    );
  }
  const plan = readClaims(idToken).planType;
  if (plan !== undefined && (INELIGIBLE_PLANS as readonly string[]).includes(plan)) {
    throw new KolegaError(
      'auth',
      'plan_not_eligible',
      `your ChatGPT plan "${plan}" does not include Codex access; kolega needs ${PLAN_REQUIREMENT}`,
      {
        hint: 'upgrade at https://chatgpt.com/#pricing, or use an API key: kolega auth login openai --with-api-key',
      },
    );
  }
  return { plan, known: plan !== undefined && (ELIGIBLE_PLANS as readonly string[]).includes(plan) };
}
