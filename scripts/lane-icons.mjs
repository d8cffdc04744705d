// Writes media/lanes/<theme colour id>-<dark|light>.svg: the gutter arrow that marks a thread's
// current line in its lane's colour (src/run/sourceAnnotations.ts). Gutter icons are images and
// cannot take a theme colour, so each lane colour candidate (the charts.* and terminal.ansi*
// colours) gets VS Code's default dark and light value; `default` is for any other id.
// Run: node scripts/lane-icons.mjs (the files are committed; rerun after changing this table).
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const COLORS = {
  'charts.blue': ['#3794ff', '#1a85ff'],
  'charts.orange': ['#d18616', '#d18616'],
  'charts.green': ['#89d185', '#388a34'],
  'charts.purple': ['#b180d7', '#652d90'],
  'charts.red': ['#f14c4c', '#e51400'],
  'charts.yellow': ['#cca700', '#bf8803'],
  'terminal.ansiBlack': ['#000000', '#000000'],
  'terminal.ansiRed': ['#cd3131', '#cd3131'],
  'terminal.ansiGreen': ['#0dbc79', '#107c10'],
  'terminal.ansiYellow': ['#e5e510', '#949800'],
  'terminal.ansiBlue': ['#2472c8', '#0451a5'],
  'terminal.ansiMagenta': ['#bc3fbc', '#bc05bc'],
  'terminal.ansiCyan': ['#11a8cd', '#0598bc'],
  'terminal.ansiWhite': ['#e5e5e5', '#555555'],
  'terminal.ansiBrightBlack': ['#666666', '#666666'],
  'terminal.ansiBrightRed': ['#f14c4c', '#cd3131'],
  'terminal.ansiBrightGreen': ['#23d18b', '#14ce14'],
  'terminal.ansiBrightYellow': ['#f5f543', '#b5ba00'],
  'terminal.ansiBrightBlue': ['#3b8eea', '#0451a5'],
  'terminal.ansiBrightMagenta': ['#d670d6', '#bc05bc'],
  'terminal.ansiBrightCyan': ['#29b8db', '#0598bc'],
  'terminal.ansiBrightWhite': ['#e5e5e5', '#a5a5a5'],
  default: ['#c5c5c5', '#616161'],
};

const dir = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'media', 'lanes');
mkdirSync(dir, { recursive: true });
for (const [id, [dark, light]] of Object.entries(COLORS)) {
  for (const [kind, color] of [['dark', dark], ['light', light]]) {
    // A right-pointing arrow, as a debugger marks the line a thread is at.
    const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="16" height="16" viewBox="0 0 16 16"><path d="M4 2.5 12.5 8 4 13.5z" fill="${color}" stroke="#00000055" stroke-width="0.75"/></svg>\n`;
    writeFileSync(path.join(dir, `${id}-${kind}.svg`), svg);
  }
}
