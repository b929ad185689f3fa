/** Escaping for the HTML report: every string that came from a server, a model or a user goes through here. */

const HTML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/**
 * Escapes text for HTML element content and quoted attribute values.
 *
 * @example escapeHtml('<b a="1">') // '&lt;b a=&quot;1&quot;&gt;'
 */
export function escapeHtml(value: unknown): string {
  const text = typeof value === 'string' ? value : String(value ?? '');
  return text.replace(/[&<>"']/g, (c) => HTML_ESCAPES[c] ?? c);
}

/**
 * Serializes data for a `<script type="application/json">` block: `<`, `>`, `&` and U+2028/2029 become
 * `\uXXXX` escapes, so no string inside can close the block (`</script>`) or open a comment (`<!--`), and
 * the text stays valid JSON for JSON.parse.
 *
 * @example jsonForScript({ s: '</script>' }) // '{"s":"\u003c/script\u003e"}'
 */
export function jsonForScript(data: unknown): string {
  return JSON.stringify(data ?? null).replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
