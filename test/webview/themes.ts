/**
 * VS Code's two default themes, Dark Modern and Light Modern, as a webview sees them: the CSS
 * variables VS Code sets on the document element and the theme class and attributes on the body.
 *
 * Only the variables our webviews (webview/*, media/panel, media/bench) and the
 * @vscode-elements components they use read. The values are what VS Code 1.100.3 resolves: the
 * theme files `extensions/theme-defaults/themes/{dark,light}_modern.json` (which include
 * `dark_plus.json` / `light_plus.json` and `dark_vs.json` / `light_vs.json`), and for every
 * colour those files leave out, the default registered in the workbench's colour registry
 * (`registerColor(id, { dark, light, ... })`: `charts.*` in `colors/chartsColors.ts`, the ANSI
 * colours in `terminalColorRegistry.ts`, the rest in `colors/*.ts`). Both come with the VS Code
 * server this repository tests against (.ci/vscode-host, code-server 4.100.3:
 * `lib/vscode/extensions/theme-defaults/themes/` and `lib/vscode/out/vs/code/browser/workbench/workbench.js`).
 * Neither modern theme overrides any `charts.*` or `terminal.ansi*` colour.
 *
 * Formats are VS Code's own (`Color.Format.CSS.format`): `#rrggbb` when opaque,
 * `rgba(r, g, b, a)` otherwise; the webview gets `--vscode-<id, first dot as a dash>`.
 */
import type { Page } from 'playwright-core';

export type ThemeName = 'Dark Modern' | 'Light Modern';

export interface WebviewTheme {
  readonly name: ThemeName;
  /** The body class VS Code sets, also `data-vscode-theme-kind`. */
  readonly kind: 'vscode-dark' | 'vscode-light';
  /** Theme colour id -> the value VS Code puts in the variable. */
  readonly colors: Readonly<Record<string, string>>;
}

/** What every webview gets besides colours (Linux: `system-ui, "Ubuntu", "Droid Sans", sans-serif`, 13px). */
const FONT: Readonly<Record<string, string>> = {
  '--vscode-font-family': 'system-ui, "Ubuntu", "Droid Sans", sans-serif',
  '--vscode-font-weight': 'normal',
  '--vscode-font-size': '13px',
};

export const DARK_MODERN: WebviewTheme = {
  name: 'Dark Modern',
  kind: 'vscode-dark',
  colors: {
    // dark_modern.json
    foreground: '#cccccc',
    descriptionForeground: '#9d9d9d',
    focusBorder: '#0078d4',
    errorForeground: '#f85149',
    'icon.foreground': '#cccccc',
    'editor.background': '#1f1f1f',
    'editor.foreground': '#cccccc',
    'panel.border': '#2b2b2b',
    'widget.border': '#313131',
    'textLink.foreground': '#4daafc',
    'badge.background': '#616161',
    'badge.foreground': '#f8f8f8',
    'activityBarBadge.background': '#0078d4',
    'activityBarBadge.foreground': '#ffffff',
    'button.background': '#0078d4',
    'button.foreground': '#ffffff',
    'button.border': 'rgba(255, 255, 255, 0.07)',
    'button.hoverBackground': '#026ec1',
    'button.secondaryBackground': '#313131',
    'button.secondaryForeground': '#cccccc',
    'button.secondaryHoverBackground': '#3c3c3c',
    'dropdown.background': '#313131',
    'dropdown.border': '#3c3c3c',
    'dropdown.foreground': '#cccccc',
    'dropdown.listBackground': '#1f1f1f',
    'settings.dropdownBackground': '#313131',
    'settings.dropdownBorder': '#3c3c3c',
    'settings.dropdownForeground': '#cccccc',
    'checkbox.background': '#313131',
    'checkbox.border': '#3c3c3c',
    'settings.checkboxBackground': '#313131',
    'settings.checkboxBorder': '#3c3c3c',
    'inputOption.activeBorder': '#2488db',
    // registry defaults, dark
    'settings.dropdownListBorder': '#454545',
    'checkbox.foreground': '#cccccc',
    'settings.checkboxForeground': '#cccccc',
    'inputOption.activeForeground': '#ffffff',
    'inputValidation.errorBackground': '#5a1d1d',
    'inputValidation.errorBorder': '#be1100',
    'editorCursor.foreground': '#aeafad',
    'editor.lineHighlightBorder': '#282828',
    'editorWidget.border': '#454545',
    'editorError.foreground': '#f14c4c',
    'editorWarning.foreground': '#cca700',
    'editorInfo.foreground': '#3794ff',
    'list.hoverBackground': '#2a2d2e',
    'list.activeSelectionBackground': '#04395e',
    'list.activeSelectionForeground': '#ffffff',
    'list.focusOutline': '#0078d4',
    'list.highlightForeground': '#2aaaff',
    'list.focusHighlightForeground': '#2aaaff',
    'toolbar.hoverBackground': 'rgba(90, 93, 94, 0.31)',
    'widget.shadow': 'rgba(0, 0, 0, 0.36)',
    'testing.iconPassed': '#73c991',
    'testing.iconFailed': '#f14c4c',
    // charts.foreground = foreground, charts.lines = foreground at 50 %, red/blue/yellow/orange =
    // editorError/editorInfo/editorWarning/minimap.findMatchHighlight.
    'charts.foreground': '#cccccc',
    'charts.lines': 'rgba(204, 204, 204, 0.5)',
    'charts.red': '#f14c4c',
    'charts.blue': '#3794ff',
    'charts.yellow': '#cca700',
    'charts.orange': '#d18616',
    'charts.green': '#89d185',
    'charts.purple': '#b180d7',
    'terminal.ansiBlack': '#000000',
    'terminal.ansiRed': '#cd3131',
    'terminal.ansiGreen': '#0dbc79',
    'terminal.ansiYellow': '#e5e510',
    'terminal.ansiBlue': '#2472c8',
    'terminal.ansiMagenta': '#bc3fbc',
    'terminal.ansiCyan': '#11a8cd',
    'terminal.ansiWhite': '#e5e5e5',
    'terminal.ansiBrightBlack': '#666666',
    'terminal.ansiBrightRed': '#f14c4c',
    'terminal.ansiBrightGreen': '#23d18b',
    'terminal.ansiBrightYellow': '#f5f543',
    'terminal.ansiBrightBlue': '#3b8eea',
    'terminal.ansiBrightMagenta': '#d670d6',
    'terminal.ansiBrightCyan': '#29b8db',
    'terminal.ansiBrightWhite': '#e5e5e5',
  },
};

export const LIGHT_MODERN: WebviewTheme = {
  name: 'Light Modern',
  kind: 'vscode-light',
  colors: {
    // light_modern.json
    foreground: '#3b3b3b',
    descriptionForeground: '#3b3b3b',
    focusBorder: '#005fb8',
    errorForeground: '#f85149',
    'icon.foreground': '#3b3b3b',
    'editor.background': '#ffffff',
    'editor.foreground': '#3b3b3b',
    'panel.border': '#e5e5e5',
    'widget.border': '#e5e5e5',
    'textLink.foreground': '#005fb8',
    'badge.background': '#cccccc',
    'badge.foreground': '#3b3b3b',
    'activityBarBadge.background': '#005fb8',
    'activityBarBadge.foreground': '#ffffff',
    'button.background': '#005fb8',
    'button.foreground': '#ffffff',
    'button.border': 'rgba(0, 0, 0, 0.1)',
    'button.hoverBackground': '#0258a8',
    'button.secondaryBackground': '#e5e5e5',
    'button.secondaryForeground': '#3b3b3b',
    'button.secondaryHoverBackground': '#cccccc',
    'dropdown.background': '#ffffff',
    'dropdown.border': '#cecece',
    'dropdown.foreground': '#3b3b3b',
    'dropdown.listBackground': '#ffffff',
    'settings.dropdownBackground': '#ffffff',
    'settings.dropdownBorder': '#cecece',
    'settings.dropdownForeground': '#3b3b3b',
    'checkbox.background': '#f8f8f8',
    'checkbox.border': '#cecece',
    'settings.checkboxBackground': '#f8f8f8',
    'settings.checkboxBorder': '#cecece',
    'inputOption.activeBorder': '#005fb8',
    'inputOption.activeForeground': '#000000',
    'list.hoverBackground': '#f2f2f2',
    'list.activeSelectionBackground': '#e8e8e8',
    'list.activeSelectionForeground': '#000000',
    // registry defaults, light
    'settings.dropdownListBorder': '#c8c8c8',
    'checkbox.foreground': '#3b3b3b',
    'settings.checkboxForeground': '#3b3b3b',
    'inputValidation.errorBackground': '#f2dede',
    'inputValidation.errorBorder': '#be1100',
    'editorCursor.foreground': '#000000',
    'editor.lineHighlightBorder': '#eeeeee',
    'editorWidget.border': '#c8c8c8',
    'editorError.foreground': '#e51400',
    'editorWarning.foreground': '#bf8803',
    'editorInfo.foreground': '#1a85ff',
    'list.focusOutline': '#005fb8',
    'list.highlightForeground': '#0066bf',
    'list.focusHighlightForeground': '#0066bf',
    'toolbar.hoverBackground': 'rgba(184, 184, 184, 0.31)',
    'widget.shadow': 'rgba(0, 0, 0, 0.16)',
    'testing.iconPassed': '#73c991',
    'testing.iconFailed': '#f14c4c',
    'charts.foreground': '#3b3b3b',
    'charts.lines': 'rgba(59, 59, 59, 0.5)',
    'charts.red': '#e51400',
    'charts.blue': '#1a85ff',
    'charts.yellow': '#bf8803',
    'charts.orange': '#d18616',
    'charts.green': '#388a34',
    'charts.purple': '#652d90',
    'terminal.ansiBlack': '#000000',
    'terminal.ansiRed': '#cd3131',
    'terminal.ansiGreen': '#107c10',
    'terminal.ansiYellow': '#949800',
    'terminal.ansiBlue': '#0451a5',
    'terminal.ansiMagenta': '#bc05bc',
    'terminal.ansiCyan': '#0598bc',
    'terminal.ansiWhite': '#555555',
    'terminal.ansiBrightBlack': '#666666',
    'terminal.ansiBrightRed': '#cd3131',
    'terminal.ansiBrightGreen': '#14ce14',
    'terminal.ansiBrightYellow': '#b5ba00',
    'terminal.ansiBrightBlue': '#0451a5',
    'terminal.ansiBrightMagenta': '#bc05bc',
    'terminal.ansiBrightCyan': '#0598bc',
    'terminal.ansiBrightWhite': '#a5a5a5',
  },
};

export const THEMES: readonly WebviewTheme[] = [DARK_MODERN, LIGHT_MODERN];

/** The variable VS Code sets for a colour id: only the first dot becomes a dash, as VS Code does it. */
function variableOf(id: string): string {
  return `--vscode-${id.replace('.', '-')}`;
}

/**
 * Applies a theme to an open webview page the way VS Code's webview host does on load and on
 * every theme change: variables on the document element, class and data attributes on the body.
 */
export async function applyTheme(page: Page, theme: WebviewTheme): Promise<void> {
  const variables = { ...FONT, ...Object.fromEntries(Object.entries(theme.colors).map(([id, value]) => [variableOf(id), value])) };
  await page.evaluate(`(() => {
    const variables = ${JSON.stringify(variables)};
    const style = document.documentElement.style;
    for (const name of [...style]) if (name.startsWith('--vscode-')) style.removeProperty(name);
    for (const [name, value] of Object.entries(variables)) style.setProperty(name, value);
    const body = document.body;
    body.classList.remove('vscode-light', 'vscode-dark', 'vscode-high-contrast', 'vscode-high-contrast-light');
    body.classList.add(${JSON.stringify(theme.kind)});
    body.dataset.vscodeThemeKind = ${JSON.stringify(theme.kind)};
    body.dataset.vscodeThemeName = ${JSON.stringify(`Default ${theme.name}`)};
    body.dataset.vscodeThemeId = ${JSON.stringify(`Default ${theme.name}`)};
  })()`);
}
