/**
 * A connection's messages still waiting for their reply, oldest first: the reply stream answers
 * them in order, so the head is the one the next reply bytes belong to. A ring of two typed arrays
 * so that sending and completing allocate nothing.
 */
export class PendingQueue {
  private times = new Float64Array(4);
  private works = new Uint8Array(4);
  private head = 0;
  length = 0;

  push(startMs: number, isWork: boolean): void {
    if (this.length === this.times.length) this.grow();
    const at = (this.head + this.length) & (this.times.length - 1);
    this.times[at] = startMs;
    this.works[at] = isWork ? 1 : 0;
    this.length++;
  }

  /** Start time of the oldest message; only valid when length > 0. */
  get headStartMs(): number {
    return this.times[this.head];
  }

  get headIsWork(): boolean {
    return this.works[this.head] === 1;
  }

  shift(): void {
    this.head = (this.head + 1) & (this.times.length - 1);
    this.length--;
  }

  clear(): void {
    this.head = 0;
    this.length = 0;
  }

  private grow(): void {
    const size = this.times.length * 2;
    const times = new Float64Array(size);
    const works = new Uint8Array(size);
    for (let i = 0; i < this.length; i++) {
      const from = (this.head + i) & (this.times.length - 1);
      times[i] = this.times[from];
      works[i] = this.works[from];
    }
    this.times = times;
    this.works = works;
    this.head = 0;
  }
}
