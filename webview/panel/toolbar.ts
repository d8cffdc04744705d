/**
 * The controls above the timeline: step, play/pause, speed, zoom, stop, and the scrubber.
 * Buttons are @vscode-elements toolbar buttons (codicons, labelled for screen readers); the
 * scrubber is a native range input, which keyboards and screen readers already understand.
 */
import '@vscode-elements/elements/dist/vscode-toolbar-button/index.js';
import '@vscode-elements/elements/dist/vscode-single-select/index.js';
import '@vscode-elements/elements/dist/vscode-option/index.js';
import '@vscode-elements/elements/dist/vscode-badge/index.js';
import { custom, el } from './dom';
import type { Strings } from './text';

export interface ToolbarActions {
  stepPrevious(): void;
  stepNext(): void;
  playPause(): void;
  zoom(factor: number): void;
  fit(): void;
  stop(): void;
  setSpeed(speed: number): void;
  /** Scrubber moved: 0 = first event, 1 = last. */
  scrub(fraction: number): void;
  /** Between the collapsed time axis and true time. */
  toggleAxis(): void;
}

export const SPEEDS = [0.001, 0.01, 0.1, 0.25, 0.5, 1, 2, 5] as const;
const SCRUB_STEPS = 1000;

export interface ToolbarState {
  readonly playing: boolean;
  readonly live: boolean;
  readonly statusText: string;
  readonly scrubFraction: number;
  readonly scrubText: string;
  readonly hasEvents: boolean;
  /** The collapsed time axis is on (idle stretches drawn as gaps). */
  readonly axisCollapsed?: boolean;
}

export class Toolbar {
  readonly element: HTMLElement;
  private readonly mode: HTMLElement;
  private readonly play: HTMLElement;
  private readonly previous: HTMLElement;
  private readonly next: HTMLElement;
  private readonly stop: HTMLElement;
  private readonly axis: HTMLElement & { checked?: boolean };
  private readonly speed: HTMLElement & { value: string };
  private readonly status: HTMLElement;
  readonly scrubber: HTMLInputElement;
  private playing: boolean | undefined;
  private dragging = false;

  constructor(
    private readonly strings: Strings,
    actions: ToolbarActions,
    initialSpeed: number,
  ) {
    const button = (icon: string, label: string, action: () => void): HTMLElement => {
      const b = custom('vscode-toolbar-button', { icon, label, title: label });
      b.addEventListener('click', action);
      return b;
    };
    this.mode = custom('vscode-badge', { class: 'mode' });
    this.previous = button('debug-step-back', strings.get('stepPrevious'), () => actions.stepPrevious());
    this.play = button('play', strings.get('play'), () => actions.playPause());
    this.next = button('debug-step-over', strings.get('stepNext'), () => actions.stepNext());
    this.speed = custom('vscode-single-select', { label: strings.get('speed'), title: strings.get('speed'), class: 'speed' }) as HTMLElement & {
      value: string;
    };
    for (const s of SPEEDS) {
      const option = custom('vscode-option', { value: String(s) }, `${s}×`);
      if (s === initialSpeed) option.setAttribute('selected', '');
      this.speed.append(option);
    }
    this.speed.addEventListener('change', () => actions.setSpeed(Number(this.speed.value)));
    this.stop = button('debug-stop', strings.get('stopRun'), () => actions.stop());
    // A switch (role and aria-checked from the element): pressed, idle stretches are collapsed.
    this.axis = custom('vscode-toolbar-button', { icon: 'fold', label: strings.get('axisCollapse'), title: strings.get('axisCollapse'), toggleable: '' });
    this.axis.addEventListener('click', () => actions.toggleAxis());
    this.status = el('span', { class: 'status', role: 'status' });
    this.scrubber = el('input', {
      type: 'range',
      class: 'scrubber',
      min: '0',
      max: String(SCRUB_STEPS),
      value: '0',
      'aria-label': strings.get('scrubber'),
    });
    this.scrubber.addEventListener('input', () => actions.scrub(Number(this.scrubber.value) / SCRUB_STEPS));
    this.scrubber.addEventListener('pointerdown', () => (this.dragging = true));
    this.scrubber.addEventListener('pointerup', () => (this.dragging = false));
    this.element = el(
      'div',
      { class: 'toolbar', role: 'toolbar', 'aria-label': strings.get('panelTitle') },
      this.mode,
      this.previous,
      this.play,
      this.next,
      this.speed,
      button('zoom-in', strings.get('zoomIn'), () => actions.zoom(0.5)),
      button('zoom-out', strings.get('zoomOut'), () => actions.zoom(2)),
      button('screen-full', strings.get('zoomFit'), () => actions.fit()),
      this.axis,
      this.stop,
      this.status,
    );
  }

  update(state: ToolbarState): void {
    this.mode.textContent = state.live ? this.strings.get('live') : this.strings.get('recorded');
    this.stop.hidden = !state.live;
    if (state.playing !== this.playing) {
      this.playing = state.playing;
      const label = this.strings.get(state.playing ? 'pause' : 'play');
      this.play.setAttribute('icon', state.playing ? 'debug-pause' : 'play');
      this.play.setAttribute('label', label);
      this.play.setAttribute('title', label);
    }
    for (const b of [this.previous, this.next, this.play]) b.toggleAttribute('disabled', !state.hasEvents);
    // The element flips `checked` itself on a click; the panel's state is the truth.
    if (state.axisCollapsed !== undefined) this.axis.checked = state.axisCollapsed;
    this.status.textContent = state.statusText;
    // Do not fight the user's thumb while they drag it.
    if (!this.dragging) this.scrubber.value = String(Math.round(state.scrubFraction * SCRUB_STEPS));
    this.scrubber.setAttribute('aria-valuetext', state.scrubText);
  }
}
