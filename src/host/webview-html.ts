/**
 * The HTML page of every XRF Maps webview, and its Content Security Policy. Pure functions (no
 * `vscode` import) so they are unit-tested; the caller passes the webview's URIs as strings.
 *
 * The CSP is a list of rules, each with the reason it is there, so a reviewer can see why every
 * source is allowed and a later view can add one rule with its own reason.
 */
import { randomBytes } from 'node:crypto';

export interface CspRule {
  directive: string;
  sources: string[];
  why: string;
}

export interface PageAssets {
  /** `webview.cspSource`: the origin VS Code serves local resources from. */
  cspSource: string;
  /** URI of dist/webview.js (via webview.asWebviewUri). */
  scriptUri: string;
  /** URI of media/webview.css. */
  styleUri: string;
  nonce: string;
}

export function makeNonce(): string {
  return randomBytes(18).toString('base64').replace(/[+/=]/g, '');
}

export function cspRules(a: Pick<PageAssets, 'cspSource' | 'nonce'>): CspRule[] {
  return [
    { directive: 'default-src', sources: ["'none'"], why: 'deny everything not allowed below: no remote content, no frames, no plugins' },
    { directive: 'script-src', sources: [`'nonce-${a.nonce}'`], why: 'only our own bundle, tagged with this page load\'s nonce; no inline or injected script' },
    {
      directive: 'style-src',
      sources: [a.cspSource, "'unsafe-inline'"],
      why: 'our stylesheet from the extension folder; Lit and the toolkit components set styles on their elements at run time',
    },
    { directive: 'img-src', sources: [a.cspSource, 'data:', 'blob:'], why: 'icons from the extension folder; maps drawn to canvas may be shown as blob/data images' },
    { directive: 'font-src', sources: [a.cspSource], why: 'fonts, if a view ever ships one, only from the extension folder' },
    { directive: 'connect-src', sources: ["'none'"], why: 'data arrives by postMessage only; the webview never fetches' },
    { directive: 'worker-src', sources: ["'none'"], why: 'heavy work runs in the extension host\'s worker threads, not in the webview' },
    { directive: 'form-action', sources: ["'none'"], why: 'no forms are submitted anywhere' },
    { directive: 'base-uri', sources: ["'none'"], why: 'relative URLs cannot be redirected by an injected <base>' },
  ];
}

export function cspString(rules: readonly CspRule[]): string {
  return rules.map((r) => `${r.directive} ${r.sources.join(' ')}`).join('; ');
}

function escapeAttr(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/**
 * The page: one bundle for every view; `view` (scan, groundTruth, results, …) tells webview/main.ts
 * which root element to mount, `title` is for screen readers.
 */
export function webviewHtml(a: PageAssets, view: string, title: string): string {
  const csp = cspString(cspRules(a));
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${escapeAttr(csp)}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" href="${escapeAttr(a.styleUri)}">
<title>${escapeAttr(title)}</title>
</head>
<body data-view="${escapeAttr(view)}">
<main id="root" aria-label="${escapeAttr(title)}"></main>
<script type="module" nonce="${escapeAttr(a.nonce)}" src="${escapeAttr(a.scriptUri)}"></script>
</body>
</html>`;
}
