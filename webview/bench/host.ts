/** The results panel's connection to the extension host (src/core/benchmark/panelProtocol.ts). */
import type { BenchToHostMessage, BenchViewState, HostToBenchMessage } from '../../src/core/benchmark/panelProtocol';
import { VsCodeHost } from '../shared/vscodeHost';

export class BenchHost extends VsCodeHost<HostToBenchMessage, BenchToHostMessage, BenchViewState> {}
