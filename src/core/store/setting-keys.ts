/**
 * The names and JSON types of the settings kolega reads: plain data with no imports, so `--help`
 * can list the keys without loading the store (test/e2e/startup-lazy.test.ts).
 */

/**
 * Every setting kolega reads, with the JSON type its value must have: the one table used by
 * `kolega run`, `kolega config` and `kolega doctor` (README "kolega config").
 */
export const SETTING_TYPES = {
  model: 'string',
  effort: 'string',
  provider: 'string',
  codex_version: 'string',
  transport: 'string',
  sandbox_masked_paths: 'string',
} as const;

/** A setting kolega knows. */
export type SettingKey = keyof typeof SETTING_TYPES;

/** The known settings, in the table's order. */
export const SETTING_KEYS = Object.keys(SETTING_TYPES) as SettingKey[];
