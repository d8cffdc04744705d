/**
 * The open-loop clock of an echo group: one timer for all its connections, each with its next
 * intended send time. Sends happen on the clock, not per-connection timer ticks (thousands of
 * Node timers fire late); when the process falls behind, every due send goes out at once and its
 * latency still counts from the intended time, so neither a stalled server nor a slow client can
 * hide a stall.
 */
import { performance } from 'node:perf_hooks';

/** Sends one message that was due at `dueMs`; returns when the next one is due, or undefined when done. */
export type PacedSend = (dueMs: number) => number | undefined;

export class SendPacer {
  private readonly due: number[] = [];
  private readonly sends: PacedSend[] = [];
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;

  /** Adds a sender whose first message is due at `firstDueMs`. */
  add(firstDueMs: number, send: PacedSend): void {
    if (this.stopped) return;
    this.push(firstDueMs, send);
    this.arm();
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  private fire(): void {
    this.timer = undefined;
    const now = performance.now();
    while (this.due.length > 0 && this.due[0] <= now && !this.stopped) {
      const dueMs = this.due[0];
      const send = this.pop();
      const next = send(dueMs);
      if (next !== undefined) this.push(next, send);
    }
    this.arm();
  }

  private arm(): void {
    if (this.stopped || this.due.length === 0) return;
    const wait = Math.max(0, this.due[0] - performance.now());
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.fire(), wait);
  }

  // A binary min-heap on `due`, with `sends` moved alongside.
  private push(dueMs: number, send: PacedSend): void {
    let i = this.due.length;
    this.due.push(dueMs);
    this.sends.push(send);
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (this.due[parent] <= this.due[i]) break;
      this.swap(i, parent);
      i = parent;
    }
  }

  private pop(): PacedSend {
    const top = this.sends[0];
    const lastDue = this.due.pop()!;
    const lastSend = this.sends.pop()!;
    if (this.due.length > 0) {
      this.due[0] = lastDue;
      this.sends[0] = lastSend;
      for (let i = 0; ; ) {
        const left = 2 * i + 1;
        const right = left + 1;
        let least = i;
        if (left < this.due.length && this.due[left] < this.due[least]) least = left;
        if (right < this.due.length && this.due[right] < this.due[least]) least = right;
        if (least === i) break;
        this.swap(i, least);
        i = least;
      }
    }
    return top;
  }

  private swap(a: number, b: number): void {
    [this.due[a], this.due[b]] = [this.due[b], this.due[a]];
    [this.sends[a], this.sends[b]] = [this.sends[b], this.sends[a]];
  }
}
