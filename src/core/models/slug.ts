/** Model slugs as kolega accepts them from the live list (printed and typed as `provider/slug`). */

/** True for a usable model slug: 1-100 of letters, digits, `.`, `_`, `:` and `-`. */
export function isModelSlug(slug: string): boolean {
  return /^[A-Za-z0-9._:-]{1,100}$/.test(slug);
}
