/** The recording panel's connection to the extension host (src/core/panel/protocol.ts). */
import type { HostToPanelMessage, PanelToHostMessage, PanelViewState } from '../../src/core/panel/protocol';
import { VsCodeHost } from '../shared/vscodeHost';

function isPanelViewState(state: unknown): state is PanelViewState {
  return typeof state === 'object' && state !== null && typeof (state as Partial<PanelViewState>).cursorNs === 'number';
}

export class Host extends VsCodeHost<HostToPanelMessage, PanelToHostMessage, PanelViewState> {
  get savedState(): PanelViewState | undefined {
    return this.loadState(isPanelViewState);
  }
}
