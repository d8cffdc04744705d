/**
 * The recording panel's webview entry (bundled to dist/webview/panel.js). Everything it shows
 * comes from the host: strings in `init`, the recording as `records` bytes (see
 * src/core/panel/protocol.ts for the conversation).
 */
import { PanelApp } from './app';
import { Host } from './host';

const host = new Host();
const app = new PanelApp(host);
host.onMessage((message) => app.handle(message));
host.post({ type: 'ready' });
