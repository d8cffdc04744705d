/**
 * The panel's request journeys: every client message followed through the server
 * (src/core/trace/requests.ts, the same matcher as `server-models trace requests`), the one the
 * user picked and where it went, lane by lane. No DOM (its colours are colors.ts's
 * PIECE_THEME_COLOR).
 */
import { requestJourneys, type RequestJourney, type RequestJourneys } from '../../src/core/trace/requests';
import type { TraceModel } from '../../src/core/trace/model';
import { LaneKind } from '../../src/core/trace/states';

/**
 * Beyond this many events the journeys are not followed in the panel: the matcher walks every
 * lane's spans per connection, and a benchmark-sized recording is for the command line.
 */
export const MAX_JOURNEY_EVENTS = 2_000_000;


/** A hand-over on a followed request's path: from a lane at a time to another lane at a time. */
export interface JourneyHandOver {
  readonly fromLane: number;
  readonly fromNs: number;
  readonly toLane: number;
  readonly toNs: number;
}

/** The followed request, with where it went: its client's lane and its hand-overs, in order. */
export interface FollowedJourney {
  readonly journey: RequestJourney;
  readonly clientLane: number;
  readonly handOvers: readonly JourneyHandOver[];
}

export class PanelJourneys {
  private found: RequestJourneys | undefined;
  private foundVersion = -1;
  /** The journey the user picked (drawn over the lanes, broken down in its pane). */
  private followedJourney: FollowedJourney | undefined;
  /** True when the recording has more events than the panel follows. */
  tooMany = false;

  reset(): void {
    this.found = undefined;
    this.foundVersion = -1;
    this.followedJourney = undefined;
    this.tooMany = false;
  }

  get selected(): RequestJourney | undefined {
    return this.followedJourney?.journey;
  }

  get followed(): FollowedJourney | undefined {
    return this.followedJourney;
  }

  /** Follows `journey` (undefined: none); its path is worked out once, here, not per frame. */
  follow(model: TraceModel, journey: RequestJourney | undefined): void {
    const clientLane = journey ? model.lanes.findIndex((l) => l.kind === LaneKind.client && l.name === journey.connection) : -1;
    this.followedJourney = journey && clientLane >= 0 ? { journey, clientLane, handOvers: handOvers(model, clientLane, journey) } : undefined;
  }

  /** Follows the requests again if the model changed since; true if anything did. */
  update(model: TraceModel): boolean {
    if (model.version === this.foundVersion) return false;
    this.foundVersion = model.version;
    this.tooMany = model.eventCount > MAX_JOURNEY_EVENTS;
    this.found = this.tooMany ? undefined : requestJourneys(model);
    // A live run's newest events can complete the picked request: keep the same one, renewed.
    const picked = this.selected;
    this.follow(model, picked && this.found?.requests.find((r) => r.connection === picked.connection && r.index === picked.index));
    return true;
  }

  get all(): RequestJourneys | undefined {
    return this.found;
  }

  /**
   * The request a click at `timeNs` on `lane` means: on a client lane, that connection's request
   * under the click (else the next one, else its last); on a server lane, the request of the connection whose fd
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

/**
 * Where a request went, lane by lane: every boundary between two of its stretches is an event's
 * time (the client's send, the server's read, a pool thread taking the work and finishing it, the
 * loop's callback, the client's receive), and that event's lane is where the request was. Each
 * change of lane is a hand-over ("who woke whom"), from the last moment on the one lane to the
 * first on the next.
 */
function handOvers(model: TraceModel, clientLane: number, journey: RequestJourney): JourneyHandOver[] {
  const { pieces } = journey;
  const times = [pieces[0].startNs, ...pieces.map((p) => p.endNs)];
  const found: JourneyHandOver[] = [];
  let at = { lane: clientLane, lastNs: times[0] };
  const reach = (lane: number, t: number) => {
    if (lane === at.lane) at.lastNs = t;
    else {
      found.push({ fromLane: at.lane, fromNs: at.lastNs, toLane: lane, toNs: t });
      at = { lane, lastNs: t };
    }
  };
  for (let i = 1; i < times.length - 1; i++) {
    // Of the events at exactly this time, one on a server lane (the client's own are the ends).
    for (let p = model.positionAtTime(times[i]); p >= 0; p--) {
      const e = model.eventAt(p);
      if (model.events.time.get(e) !== times[i]) break;
      const lane = model.events.lane.get(e);
      if (model.lanes[lane].kind !== LaneKind.client) {
        reach(lane, times[i]);
        break;
      }
    }
  }
  reach(clientLane, times[times.length - 1]);
  return found;
}
