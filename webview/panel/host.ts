/**
 * The webview's end of the host connection: typed messages out, typed messages in, and the
 * state VS Code keeps for us across hiding and reloading.
 */
import type { HostToPanelMessage, PanelToHostMessage, PanelViewState } from '../../src/core/panel/protocol';

interface VsCodeApi {
  postMessage(message: unknown): void;
  getState(): unknown;
  setState(state: unknown): void;
}

declare function acquireVsCodeApi(): VsCodeApi;

export class Host {
  private readonly api = acquireVsCodeApi();

  post(message: PanelToHostMessage): void {
    this.api.postMessage(message);
  }

  onMessage(handler: (message: HostToPanelMessage) => void): void {
    window.addEventListener('message', (event: MessageEvent<HostToPanelMessage>) => {
      if (event.data && typeof event.data === 'object' && typeof event.data.type === 'string') handler(event.data);
    });
  }

  get savedState(): PanelViewState | undefined {
    const state = this.api.getState() as Partial<PanelViewState> | undefined;
    return state && typeof state.cursorNs === 'number' ? (state as PanelViewState) : undefined;
  }

  save(state: PanelViewState): void {
    this.api.setState(state);
  }
}
