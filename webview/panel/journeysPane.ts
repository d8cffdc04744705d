/**
 * The "Where requests waited" pane: for the whole recording, the requests' latency split by
 * where it went (a stacked bar and the largest shares), and for the request the user picked on
 * the timeline, its own split. Built from PanelJourneys; every word from the host's strings.
 */
import type { PieceName, RequestJourney, SegmentTotal } from '../../src/core/trace/requests';
import { PIECE_THEME_COLOR, type Palette } from './colors';
import { el } from './dom';
import type { PanelJourneys } from './journeys';
import { section } from './sidePanes';
import { formatNs, type Strings } from './text';

/** Shares listed under the bar, largest first; the bar shows all. */
const LISTED = 4;

export class JourneysPane {
  readonly element: HTMLElement;
  private readonly body = el('div', { class: 'journeys' });
  private shownKey = '';

  constructor(
    private readonly strings: Strings,
    private readonly palette: Palette,
  ) {
    this.element = section(strings.get('journeys'), this.body);
  }

  show(journeys: PanelJourneys): void {
    const all = journeys.all;
    const picked = journeys.selected;
    const key = journeys.tooMany ? 'many' : `${all?.summary.requests}|${all?.summary.latencyNs}|${picked?.connection}#${picked?.index}|${picked?.latencyNs}`;
    if (key === this.shownKey) return;
    this.shownKey = key;
    const s = this.strings;
    if (journeys.tooMany || !all || all.requests.length === 0) {
      this.body.replaceChildren(el('p', { class: 'none' }, s.get(journeys.tooMany ? 'journeysMany' : 'journeysNone')));
      return;
    }
    const { summary } = all;
    const parts: HTMLElement[] = [
      el('p', { class: 'summary' }, s.get('journeysSummary', String(summary.requests), formatNs(summary.medianLatencyNs ?? 0))),
      this.bar(summary.segments, 'all'),
      this.shares(summary.segments.slice(0, LISTED)),
    ];
    if (picked) {
      parts.push(
        el('h3', { class: 'picked' }, s.get('journeyOf', picked.connection, String(picked.index), formatNs(picked.latencyNs))),
        this.bar(segmentsOf(picked), 'picked'),
        this.shares(segmentsOf(picked)),
      );
    } else {
      parts.push(el('p', { class: 'hint' }, s.get('journeyHint')));
    }
    this.body.replaceChildren(...parts);
  }

  /** A bar split by share; its words are the list beside it, so it is hidden from screen readers. */
  private bar(segments: readonly SegmentTotal[], which: string): HTMLElement {
    const bar = el('div', { class: 'stack', 'aria-hidden': 'true', 'data-journey': which });
    for (const segment of segments) {
      if (segment.share <= 0) continue;
      const piece = el('span', { 'data-segment': segment.segment, title: this.words(segment) });
      piece.style.flexGrow = String(segment.share);
      piece.style.background = this.colour(segment.segment);
      bar.append(piece);
    }
    return bar;
  }

  private shares(segments: readonly SegmentTotal[]): HTMLElement {
    return el(
      'ul',
      { class: 'shares' },
      ...segments.map((segment) => {
        const chip = el('span', { class: 'chip', 'aria-hidden': 'true' });
        chip.style.background = this.colour(segment.segment);
        return el('li', { 'data-segment': segment.segment }, chip, this.words(segment));
      }),
    );
  }

  private words(segment: SegmentTotal): string {
    return this.strings.get('journeyShare', this.strings.get(`segment_${segment.segment}`), formatNs(segment.totalNs), `${Math.round(segment.share * 100)} %`);
  }

  private colour(piece: PieceName): string {
    return this.palette.cssColor(PIECE_THEME_COLOR[piece]);
  }
}

/** One request's segments, largest first, as shares of its latency. */
function segmentsOf(journey: RequestJourney): SegmentTotal[] {
  return Object.entries(journey.segments)
    .filter(([, ns]) => ns > 0)
    .map(([segment, ns]) => ({ segment: segment as SegmentTotal['segment'], totalNs: ns, share: journey.latencyNs > 0 ? ns / journey.latencyNs : 0 }))
    .sort((a, b) => b.totalNs - a.totalNs);
}
