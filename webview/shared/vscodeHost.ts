/**
 * A webview's end of its connection to the extension host: typed messages both ways, and the
 * state VS Code keeps for the webview across hiding and reloading. Every panel and view uses this
 * one wrapper around acquireVsCodeApi (which may be called only once per page).
 */
interface VsCodeApi {
  postMessage(message: unknown): void;
  getState(): unknown;
  setState(state: unknown): void;
}

declare function acquireVsCodeApi(): VsCodeApi;

export class VsCodeHost<Incoming extends { readonly type: string }, Outgoing, State> {
  private readonly api = acquireVsCodeApi();

  post(message: Outgoing): void {
    this.api.postMessage(message);
  }

  /** Messages from the host; anything that is not a typed message object is ignored. */
  onMessage(handler: (message: Incoming) => void): void {
    window.addEventListener('message', (event: MessageEvent<unknown>) => {
      const data = event.data;
      if (data && typeof data === 'object' && typeof (data as { type?: unknown }).type === 'string') handler(data as Incoming);
    });
  }

  /** The saved state, if `isState` accepts it (a state saved by an older version may not). */
  loadState(isState: (state: unknown) => state is State): State | undefined {
    const state = this.api.getState();
    return isState(state) ? state : undefined;
  }

  save(state: State): void {
    this.api.setState(state);
  }
}
