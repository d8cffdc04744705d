/**
 * The results webview's end of the host connection: typed messages both ways and the view state
 * VS Code keeps across hiding, reloading and restarting (WebviewPanelSerializer).
 */
import type { BenchToHostMessage, BenchViewState, HostToBenchMessage } from '../../src/core/benchmark/panelProtocol';

interface VsCodeApi {
  postMessage(message: unknown): void;
  getState(): unknown;
  setState(state: unknown): void;
}

declare function acquireVsCodeApi(): VsCodeApi;

export class BenchHost {
  private readonly api = acquireVsCodeApi();

  post(message: BenchToHostMessage): void {
    this.api.postMessage(message);
  }

  onMessage(handler: (message: HostToBenchMessage) => void): void {
    window.addEventListener('message', (event: MessageEvent<HostToBenchMessage>) => {
      const data: unknown = event.data;
      if (data && typeof data === 'object' && typeof (data as { type?: unknown }).type === 'string') handler(data as HostToBenchMessage);
    });
  }

  save(state: BenchViewState): void {
    this.api.setState(state);
  }
}
