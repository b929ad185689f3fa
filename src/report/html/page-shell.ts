/**
 * The HTML shell every report page shares: a strict Content-Security-Policy that admits exactly the inline
 * scripts given (by hash), the chart library's and the page's styles, the data as a JSON block, then the scripts.
 */
import { createHash } from 'node:crypto';
import { escapeHtml as e, jsonForScript } from './escape.js';

export function htmlPage(page: { title: string; body: string; data: unknown; styles: string[]; scripts: string[] }): string {
  const csp = [
    "default-src 'none'",
    `script-src ${page.scripts.map((s) => `'sha256-${createHash('sha256').update(s, 'utf8').digest('base64')}'`).join(' ')}`,
    "style-src 'unsafe-inline'",
    "img-src 'none'",
    "connect-src 'none'",
    "font-src 'none'",
    "base-uri 'none'",
    "form-action 'none'",
  ].join('; ');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>${e(page.title)}</title>
${page.styles.map((s) => `<style>${s}</style>`).join('\n')}
</head>
<body>
<main>
${page.body}
</main>
<script type="application/json" id="report-data">${jsonForScript(page.data)}</script>
${page.scripts.map((s) => `<script>${s}</script>`).join('\n')}
</body>
</html>
`;
}
