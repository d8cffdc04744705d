/**
 * The recording panel's webview entry (bundled to dist/webview/panel.js). Everything it shows
 * comes from the host: strings in `init`, the recording as `records` bytes (see
 * src/core/panel/protocol.ts for the conversation).
 */
import { PanelApp } from './app';
import { Host } from './host';

// vscode-icon looks for the codicon stylesheet by this id to load the font inside its shadow
// root; the host's HTML shell links it without one.
const codicons = document.querySelector<HTMLLinkElement>('link[href*="codicon.css"]');
if (codicons && !codicons.id) codicons.id = 'vscode-codicon-stylesheet';

const host = new Host();
const app = new PanelApp(host);
host.onMessage((message) => app.handle(message));
host.post({ type: 'ready' });
