/**
 * The HTML shell of every webview: a strict Content Security Policy with a fresh nonce, so only
 * our own bundled script runs and only our own styles and fonts load (no inline script, no remote
 * resource). Resources are addressed through asWebviewUri, which only serves localResourceRoots.
 */
import { randomBytes } from 'node:crypto';
import type * as vscode from 'vscode';

export interface WebviewShell {
  readonly webview: vscode.Webview;
  readonly extensionUri: vscode.Uri;
  readonly title: string;
  readonly lang: string;
  /** Bundle under dist/webview, e.g. 'panel.js'. */
  readonly script: string;
  /** Stylesheets relative to the extension root, e.g. ['dist/webview/codicon.css']. */
  readonly styles: readonly string[];
  /** Serialized into a data attribute, read by the webview before its first message. */
  readonly initialData?: unknown;
}

/** A CSP nonce: 128 random bits, base64, new for every document. */
export function makeNonce(): string {
  return randomBytes(16).toString('base64');
}

function escapeAttr(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

export function webviewHtml(shell: WebviewShell, joinPath: (base: vscode.Uri, ...parts: string[]) => vscode.Uri): string {
  const nonce = makeNonce();
  const { webview } = shell;
  const uri = (rel: string) => webview.asWebviewUri(joinPath(shell.extensionUri, ...rel.split('/'))).toString();
  // style-src needs the nonce for the style elements that @vscode-elements (lit) adopts at run
  // time; no 'unsafe-inline' and no 'unsafe-eval' anywhere.
  const csp = [
    "default-src 'none'",
    `script-src 'nonce-${nonce}'`,
    `style-src ${webview.cspSource} 'nonce-${nonce}'`,
    `font-src ${webview.cspSource}`,
    `img-src ${webview.cspSource} data:`,
  ].join('; ');
  // vscode-icon (@vscode-elements) finds the codicon font through this id.
  const styles = shell.styles
    .map((s) => `<link rel="stylesheet"${s.endsWith('/codicon.css') ? ' id="vscode-codicon-stylesheet"' : ''} href="${escapeAttr(uri(s))}">`)
    .join('\n    ');
  const data = shell.initialData === undefined ? '' : ` data-initial="${escapeAttr(JSON.stringify(shell.initialData))}"`;
  return `<!DOCTYPE html>
<html lang="${escapeAttr(shell.lang)}">
  <head>
    <meta charset="UTF-8">
    <meta http-equiv="Content-Security-Policy" content="${escapeAttr(csp)}">
    <meta name="viewport" content="width=device-width, initial-scale=1.0">
    <meta name="csp-nonce" content="${nonce}">
    ${styles}
    <title>${escapeAttr(shell.title)}</title>
  </head>
  <body${data}>
    <script nonce="${nonce}" src="${escapeAttr(uri(`dist/webview/${shell.script}`))}"></script>
  </body>
</html>`;
}
