/**
 * The one message protocol between the extension host and the recording panel webview. Both
 * sides import these types; nothing here exists at run time (no Node, no DOM, no vscode), so the
 * webview bundle and the host agree by construction.
 *
 * Sequence: the webview posts `ready` once its listeners are installed (also after every reload
 * of the webview). The host answers with `init`, then the recording as one or more `records`
 * chunks. During a live run further `records` chunks follow as the sink appends them, and
 * `runEnded` marks the end; `reset` drops everything for a new run in the same panel.
 */
import type { MomentId } from '../notes/moments';
import type { PieceName } from '../trace/requests';

/** `first-eagain` -> `FirstEagain`. */
type Pascal<S extends string> = S extends `${infer Head}-${infer Tail}` ? `${Capitalize<Head>}${Pascal<Tail>}` : Capitalize<S>;

/** The key of a moment's title (src/core/notes/moments.ts momentStringKey): `momentFirstEagain`. */
export type MomentStringKey = `moment${Pascal<MomentId>}`;

/** The name of a stretch of a request's journey (src/core/trace/requests.ts): `segment_wait_loop`. */
export type SegmentStringKey = `segment_${PieceName}`;

/** Every string the panel shows; the host sends their values (English or Korean) in `init`. */
export type PanelStringKey =
  | MomentStringKey
  | SegmentStringKey
  | 'journeys'
  | 'journeysNone'
  | 'journeysMany'
  | 'journeysSummary'
  | 'journeyOf'
  | 'journeyHint'
  | 'journeyShare'
  | 'panelTitle'
  | 'live'
  | 'recorded'
  | 'play'
  | 'pause'
  | 'speed'
  | 'stepPrevious'
  | 'stepNext'
  | 'zoomIn'
  | 'zoomOut'
  | 'zoomFit'
  | 'stopRun'
  | 'scrubber'
  | 'timeline'
  | 'timelineHelp'
  | 'axisCollapse'
  | 'gapIdle'
  | 'gapBusy'
  | 'lanes'
  | 'laneName'
  | 'laneState'
  | 'laneSince'
  | 'details'
  | 'detailKind'
  | 'detailThread'
  | 'detailFd'
  | 'detailValue'
  | 'valueWords'
  | 'valueClosedByPeer'
  | 'valueClosedOnError'
  | 'valueRefused'
  | 'valueClosedStopping'
  | 'valueComposite'
  | 'valuePrime'
  | 'valueWorkStopped'
  | 'detailTime'
  | 'detailSource'
  | 'detailNone'
  | 'counters'
  | 'counterThreads'
  | 'counterThreadMemory'
  | 'counterEmptyPolls'
  | 'counterSelectFds'
  | 'counterRegisteredFds'
  | 'counterPoolQueue'
  | 'counterCarriersBusy'
  | 'counterClients'
  | 'counterDropped'
  | 'legend'
  | 'markConnAccepted'
  | 'markConnClosed'
  | 'markDropped'
  | 'markEagain'
  | 'markReadyFd'
  | 'markWorkSubmitted'
  | 'markTimerFired'
  | 'markGreenStarted'
  | 'markGreenParked'
  | 'markGreenResumed'
  | 'markGreenExited'
  | 'markClientSend'
  | 'markClientReceive'
  | 'noEvents'
  | 'waitingForTrace'
  | 'eventsCount'
  | 'cursorAt'
  | 'laneKindThread'
  | 'laneKindPool'
  | 'laneKindCarrier'
  | 'laneKindGreen'
  | 'laneKindClient'
  | 'stateRunning'
  | 'stateWaitAccept'
  | 'stateWaitRecv'
  | 'stateWaitSend'
  | 'stateWaitSelect'
  | 'stateWaitEpoll'
  | 'stateWaitKevent'
  | 'stateWaitLoop'
  | 'stateSleepPoll'
  | 'stateCallback'
  | 'stateWork'
  | 'stateParked'
  | 'stateMounted'
  | 'stateIdle'
  | 'stateQueued'
  | 'stateConnected'
  | 'stateAwaitingReply'
  | 'stateDone'
  | 'stateGone'
  | 'stateRunnable'
  | 'withFds'
  | 'moments'
  | 'momentsNone'
  | 'momentBanner'
  | 'momentShow'
  | 'momentGo'
  | 'traceError';

export type PanelStrings = Readonly<Record<PanelStringKey, string>>;

/** What the panel shows about the stage that made the recording (absent for foreign files). */
export interface PanelStage {
  readonly id: string;
  readonly number: number;
  readonly title: string;
  readonly model: string;
}

/**
 * What the webview keeps with acquireVsCodeApi().setState, so that hiding, reloading and a
 * restarted window (WebviewPanelSerializer) come back to the same place. Times are ns on the
 * recording's axis (see RecordingModel.origin).
 */
export interface PanelViewState {
  /** Identifies the recording (its file path) so the host can reload it on revive. */
  readonly recording?: string;
  readonly cursorNs: number;
  readonly viewStartNs: number;
  readonly viewEndNs: number;
  /** Playback speed: recording nanoseconds per wall nanosecond. */
  readonly speed: number;
  readonly selectedLane?: number;
  /** The time axis: idle stretches collapsed (the default) or true time. */
  readonly axis?: 'collapsed' | 'true';
}

// ---- host to webview -----------------------------------------------------------------------

/** The first message after every `ready`: strings, what is shown, and where it came from. */
export interface InitMessage {
  readonly type: 'init';
  readonly strings: PanelStrings;
  readonly locale: string;
  readonly stage?: PanelStage;
  /** `live` while a run is going (more `records` will come), `recording` for a finished one. */
  readonly mode: 'live' | 'recording';
  /** Where the recording lives; echoed into PanelViewState.recording. */
  readonly recording?: string;
}

/**
 * A chunk of the recording file's bytes (src/core/trace/recording.ts), in file order; the first
 * chunk after `init` or `reset` starts at the file's header. Sent as a Uint8Array, which
 * postMessage transfers without JSON encoding.
 */
export interface RecordsMessage {
  readonly type: 'records';
  readonly bytes: Uint8Array;
  /**
   * On the first chunk of a file: the whole file's size, so that the panel makes room for its
   * events once instead of doubling its columns chunk after chunk (most of the time it took to
   * open 10,000,000 events in 4 MiB messages).
   */
  readonly totalBytes?: number;
}

/** A new run starts in this panel: forget the recording, keep the strings. */
export interface ResetMessage {
  readonly type: 'reset';
  readonly mode: 'live' | 'recording';
  readonly recording?: string;
  readonly stage?: PanelStage;
}

/** The live run ended; the recording is complete and can be replayed. */
export interface RunEndedMessage {
  readonly type: 'runEnded';
}

/**
 * The run reached a moment a concept note talks about (src/core/notes/moments.ts).
 *
 * The panel does not take its moments from this message: it runs the same MomentDetector on the
 * same bytes itself, live and for a reopened recording alike, and so ignores it (one source, no
 * duplicates). The host's detector stays for the Concept Notes view; a host may stop sending this.
 */
export interface MomentMessage {
  readonly type: 'moment';
  /** ns on the recording's axis, as the model computes it from the same bytes. */
  readonly timeNs: number;
  readonly title: string;
}

/** Something the user should know, e.g. the sink received garbage. */
export interface NoticeMessage {
  readonly type: 'notice';
  readonly level: 'info' | 'error';
  readonly text: string;
}

/** A step or playback request from outside the panel (a keybinding, a command). */
export interface ControlMessage {
  readonly type: 'control';
  readonly action: 'stepNext' | 'stepPrevious' | 'playPause';
}

export type HostToPanelMessage =
  | InitMessage
  | RecordsMessage
  | ResetMessage
  | RunEndedMessage
  | NoticeMessage
  | MomentMessage
  | ControlMessage;

// ---- webview to host -----------------------------------------------------------------------

/** The webview is listening; send `init` and the recording (again, after a reload). */
export interface ReadyMessage {
  readonly type: 'ready';
}

/** The user clicked an event or a lane segment: show that source line in the editor. */
export interface RevealSourceMessage {
  readonly type: 'revealSource';
  /** Source file as named in the trace (relative to servers/, e.g. `01-sequential/main.c`). */
  readonly file: string;
  readonly line: number;
}

/** Where one thread is at the step cursor; the host highlights `line` in `themeColor`. */
export interface ThreadLine {
  readonly lane: number;
  readonly laneName: string;
  readonly file: string;
  readonly line: number;
  /** A VS Code theme colour id (e.g. `charts.blue`), the lane's colour in the panel. */
  readonly themeColor: string;
}

/** The step cursor moved (stepping, scrubbing, playback): each server thread's current line. */
export interface CursorLinesMessage {
  readonly type: 'cursorLines';
  readonly cursorNs: number;
  readonly lines: readonly ThreadLine[];
  /**
   * The user moved the cursor (a step, a click, scrubbing, playback) rather than it following a
   * live run: the source scrolls to the lines, as a debugger's does.
   */
  readonly byUser?: boolean;
}

/** The panel's Stop button. */
export interface StopRunMessage {
  readonly type: 'stopRun';
}

/** The webview could not read what it was sent (a corrupt recording); for the host's log. */
export interface PanelErrorMessage {
  readonly type: 'error';
  readonly message: string;
}

/** After the recording is complete: the lanes the panel drew, in its order (for tests and logs). */
export interface DrawnMessage {
  readonly type: 'drawn';
  readonly events: number;
  readonly lanes: readonly { readonly name: string; readonly kind: string }[];
}

export type PanelToHostMessage =
  | DrawnMessage
  | ReadyMessage
  | RevealSourceMessage
  | CursorLinesMessage
  | StopRunMessage
  | PanelErrorMessage;
