/**
 * Theme colours for the canvas. VS Code sets every theme colour as a CSS variable
 * (`charts.blue` -> `--vscode-charts-blue`) in the page's inline styles; a canvas cannot use
 * variables, so they are read once and again whenever the theme changes (VS Code then rewrites
 * those styles and the body's theme class and attributes).
 */
import type { PieceName } from '../../src/core/trace/requests';
import { cssVariable, LANE_STATE_NAMES, LANE_THEME_COLORS, STATE_THEME_COLOR } from '../../src/core/trace/states';

/**
 * The theme colour of each stretch of a followed request: the colour of the state that explains
 * it (the backlog's is the client's "queued", a wait for the loop the loop's wait), so a journey
 * drawn over the lanes reads in the legend's words.
 */
export const PIECE_THEME_COLOR: Readonly<Record<PieceName, string>> = {
  backlog: STATE_THEME_COLOR.queued,
  greeting: STATE_THEME_COLOR.connected,
  receive_buffer: STATE_THEME_COLOR.waitRecv,
  wait_thread: 'charts.orange',
  wait_loop: STATE_THEME_COLOR.waitLoop,
  wait_pool: 'charts.orange',
  wait_carrier: STATE_THEME_COLOR.runnable,
  work: STATE_THEME_COLOR.work,
  server: STATE_THEME_COLOR.running,
  send: STATE_THEME_COLOR.awaitingReply,
  untraced: STATE_THEME_COLOR.idle,
  client: STATE_THEME_COLOR.connected,
};

/** Used when a variable is missing (a test page, an old theme): dark defaults of the colours the panels use. */
const FALLBACK: Readonly<Record<string, string>> = {
  'charts.foreground': '#cccccc',
  'charts.lines': '#808080',
  'charts.red': '#f14c4c',
  'charts.blue': '#3794ff',
  'charts.yellow': '#cca700',
  'charts.orange': '#d18616',
  'charts.green': '#89d185',
  'charts.purple': '#b180d7',
  'terminal.ansiMagenta': '#bc3fbc',
  'terminal.ansiCyan': '#11a8cd',
  'terminal.ansiBrightYellow': '#f5f543',
  'terminal.ansiBlue': '#2472c8',
  'terminal.ansiBrightGreen': '#23d18b',
  'terminal.ansiRed': '#cd3131',
  'editor.background': '#1e1e1e',
  'editor.foreground': '#cccccc',
  'focusBorder': '#007fd4',
  'editorWarning.foreground': '#cca700',
  'editorCursor.foreground': '#aeafad',
  'descriptionForeground': '#9d9d9d',
  'editor.lineHighlightBorder': '#282828',
  'list.hoverBackground': '#2a2d2e',
  'list.activeSelectionBackground': '#04395e',
};

export class Palette {
  /** Fill colour by state id. */
  state: string[] = [];
  /** A followed request's stretches, by piece name (journeys.ts PIECE_THEME_COLOR). */
  piece = {} as Record<PieceName, string>;
  /** Lane colours (the chip in the lane labels and the lane table), LANE_THEME_COLORS. */
  lanes: string[] = [];
  background = '';
  foreground = '';
  muted = '';
  grid = '';
  cursor = '';
  focus = '';
  moment = '';
  selection = '';
  hover = '';
  font = '12px sans-serif';

  constructor(private readonly root: HTMLElement) {
    this.read();
  }

  /** Calls `onChange` after re-reading the colours whenever the theme changes. */
  watch(onChange: () => void): void {
    const observer = new MutationObserver(() => {
      this.read();
      onChange();
    });
    const attributeFilter = ['class', 'style', 'data-vscode-theme-kind', 'data-vscode-theme-id'];
    observer.observe(this.root, { attributes: true, attributeFilter });
    observer.observe(document.documentElement, { attributes: true, attributeFilter });
  }

  /** A theme colour for a CSS property: the variable, with its value now as the fallback. */
  cssColor(themeColorId: string): string {
    return `var(${cssVariable(themeColorId)}, ${this.color(themeColorId)})`;
  }

  /** Any theme colour by id, e.g. `charts.red`. */
  color(themeColorId: string): string {
    return getComputedStyle(this.root).getPropertyValue(cssVariable(themeColorId)).trim() || FALLBACK[themeColorId] || '#888888';
  }

  read(): void {
    const get = (id: string) => this.color(id);
    const style = getComputedStyle(this.root);
    this.state = LANE_STATE_NAMES.map((name) => get(STATE_THEME_COLOR[name]));
    this.lanes = LANE_THEME_COLORS.map(get);
    this.piece = Object.fromEntries(Object.entries(PIECE_THEME_COLOR).map(([piece, id]) => [piece, get(id)])) as Record<PieceName, string>;
    this.background = get('editor.background');
    this.foreground = get('editor.foreground');
    this.muted = get('descriptionForeground');
    this.grid = get('editor.lineHighlightBorder');
    this.cursor = get('editorCursor.foreground');
    this.focus = get('focusBorder');
    this.moment = get('editorWarning.foreground');
    this.selection = get('list.activeSelectionBackground');
    this.hover = get('list.hoverBackground');
    const family = style.getPropertyValue('--vscode-font-family').trim() || 'sans-serif';
    const size = style.getPropertyValue('--vscode-font-size').trim() || '12px';
    this.font = `${size} ${family}`;
  }
}
