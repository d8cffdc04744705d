/**
 * Mouse, wheel and keyboard on the timeline. Wheel zooms around the pointer (Shift+wheel scrolls
 * the lanes, a horizontal wheel pans), dragging pans time and lanes, a click picks the event or
 * slice under the pointer. Keys: arrows step and select lanes, space plays, +/- zoom, 0 fits,
 * Home/End jump, Enter reveals the source line, T switches between the collapsed axis and true
 * time.
 */
export interface TimelineInput {
  zoomAt(x: number, factor: number): void;
  panBy(dxPx: number, dRows: number): void;
  click(x: number, y: number): void;
  stepNext(sameLane: boolean): void;
  stepPrevious(sameLane: boolean): void;
  first(): void;
  last(): void;
  selectRow(delta: number): void;
  playPause(): void;
  zoom(factor: number): void;
  fit(): void;
  revealCursor(): void;
  toggleAxis(): void;
  /** A lane row's height now (CSS px): rows shrink to fit the lanes, so a drag's rows vary. */
  rowHeight(): number;
}

/** A press that moves less than this is a click, not a drag. */
const CLICK_SLOP_PX = 3;

export function bindPointer(canvas: HTMLCanvasElement, input: TimelineInput): void {
  canvas.addEventListener(
    'wheel',
    (e) => {
      e.preventDefault();
      const x = e.offsetX;
      if (e.shiftKey) {
        input.panBy(0, Math.sign(e.deltaY) * 3);
      } else if (Math.abs(e.deltaX) > Math.abs(e.deltaY)) {
        input.panBy(-e.deltaX, 0);
      } else {
        input.zoomAt(x, Math.exp(e.deltaY * 0.002));
      }
    },
    { passive: false },
  );

  let drag: { x: number; y: number; lastX: number; lastY: number; moved: boolean; id: number } | undefined;
  canvas.addEventListener('pointerdown', (e) => {
    if (e.button !== 0) return;
    canvas.setPointerCapture(e.pointerId);
    drag = { x: e.offsetX, y: e.offsetY, lastX: e.offsetX, lastY: e.offsetY, moved: false, id: e.pointerId };
  });
  canvas.addEventListener('pointermove', (e) => {
    if (!drag || e.pointerId !== drag.id) return;
    const dx = e.offsetX - drag.lastX;
    const dy = e.offsetY - drag.lastY;
    if (!drag.moved && Math.hypot(e.offsetX - drag.x, e.offsetY - drag.y) < CLICK_SLOP_PX) return;
    drag.moved = true;
    drag.lastX = e.offsetX;
    drag.lastY = e.offsetY;
    input.panBy(dx, -dy / input.rowHeight());
  });
  const end = (e: PointerEvent) => {
    if (!drag || e.pointerId !== drag.id) return;
    const wasClick = !drag.moved;
    drag = undefined;
    if (wasClick && e.type === 'pointerup') input.click(e.offsetX, e.offsetY);
  };
  canvas.addEventListener('pointerup', end);
  canvas.addEventListener('pointercancel', end);
}

/** Keys for the whole panel, except while typing in a control that wants them. */
export function bindKeys(root: HTMLElement, input: TimelineInput): void {
  root.addEventListener('keydown', (e) => {
    const target = e.target as HTMLElement;
    if (target.closest('input, vscode-single-select, textarea, a')) return;
    // On a button, space and Enter press the button; the other keys still step and zoom.
    if ((e.key === ' ' || e.key === 'Enter') && target.closest('vscode-toolbar-button')) return;
    if (e.altKey || e.ctrlKey || e.metaKey) return;
    let handled = true;
    switch (e.key) {
      case 'ArrowRight':
        input.stepNext(e.shiftKey);
        break;
      case 'ArrowLeft':
        input.stepPrevious(e.shiftKey);
        break;
      case 'ArrowDown':
        input.selectRow(1);
        break;
      case 'ArrowUp':
        input.selectRow(-1);
        break;
      case ' ':
      case 'k':
        input.playPause();
        break;
      case '+':
      case '=':
        input.zoom(0.5);
        break;
      case '-':
        input.zoom(2);
        break;
      case '0':
        input.fit();
        break;
      case 'Home':
        input.first();
        break;
      case 'End':
        input.last();
        break;
      case 'Enter':
        input.revealCursor();
        break;
      case 't':
      case 'T':
        input.toggleAxis();
        break;
      default:
        handled = false;
    }
    if (handled) e.preventDefault();
  });
}
