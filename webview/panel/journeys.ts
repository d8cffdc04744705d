/**
 * The panel's request journeys: every client message followed through the server
 * (src/core/trace/requests.ts, the same matcher as `server-models trace requests`), the one the
 * user picked, and the colour of each stretch of a journey. A stretch takes the colour of the
 * state that explains it (the backlog's is the client's "queued", a wait for the loop the loop's
 * wait), so a journey drawn over the lanes reads in the legend's words. No DOM.
 */
import { requestJourneys, type PieceName, type RequestJourney, type RequestJourneys } from '../../src/core/trace/requests';
import type { TraceModel } from '../../src/core/trace/model';
import { LaneKind, STATE_THEME_COLOR } from '../../src/core/trace/states';

/**
 * Beyond this many events the journeys are not followed in the panel: the matcher walks every
 * lane's spans per connection, and a benchmark-sized recording is for the command line.
 */
export const MAX_JOURNEY_EVENTS = 2_000_000;

/** The theme colour of each stretch of a journey. */
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

export class PanelJourneys {
  private found: RequestJourneys | undefined;
  private foundVersion = -1;
  /** The journey the user picked (drawn over the lanes, broken down in its pane). */
  selected: RequestJourney | undefined;
  /** True when the recording has more events than the panel follows. */
  tooMany = false;

  reset(): void {
    this.found = undefined;
    this.foundVersion = -1;
    this.selected = undefined;
    this.tooMany = false;
  }

  /** Follows the requests again if the model changed since; true if anything did. */
  update(model: TraceModel): boolean {
    if (model.version === this.foundVersion) return false;
    this.foundVersion = model.version;
    this.tooMany = model.eventCount > MAX_JOURNEY_EVENTS;
    this.found = this.tooMany ? undefined : requestJourneys(model);
    // A live run's newest events can complete the picked request: keep the same one, renewed.
    const picked = this.selected;
    this.selected = picked && this.found?.requests.find((r) => r.connection === picked.connection && r.index === picked.index);
    return true;
  }

  get all(): RequestJourneys | undefined {
    return this.found;
  }

  /**
   * The request a click at `timeNs` on `lane` means: on a client lane, that connection's request
   * under the click (or the next one); on a server lane, the request of the connection whose fd
   * the clicked event names and whose journey is under the click.
   */
  pick(model: TraceModel, lane: number, event: number, timeNs: number): RequestJourney | undefined {
    const found = this.found;
    if (!found) return undefined;
    const under = (r: RequestJourney) => r.startNs <= timeNs && timeNs <= r.endNs;
    const l = model.lanes[lane];
    if (l.kind === LaneKind.client) {
      const mine = found.requests.filter((r) => r.connection === l.name);
      return mine.find(under) ?? mine.find((r) => r.startNs >= timeNs) ?? mine[mine.length - 1];
    }
    if (event < 0) return undefined;
    // fds are reused: of the connections that had this fd, the one with a request under the click.
    const fd = model.events.fd.get(event);
    const names = new Set(found.connections.filter((c) => c.serverFd === fd).map((c) => c.connection));
    return found.requests.find((r) => names.has(r.connection) && under(r));
  }
}
