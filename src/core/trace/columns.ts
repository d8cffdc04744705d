/**
 * Growable typed-array columns. The state model keeps a million events and their slices in
 * these instead of objects: no per-event allocation, and the panel draws straight from them.
 */

type TypedArray = Float64Array | Uint32Array | Int32Array | Uint8Array;
type TypedArrayCtor<T extends TypedArray> = new (length: number) => T;

abstract class Column<T extends TypedArray> {
  protected array: T;
  length = 0;

  constructor(
    private readonly ctor: TypedArrayCtor<T>,
    capacity = 16,
  ) {
    this.array = new ctor(capacity);
  }

  /** The backing array; valid indices are [0, length). Re-read after every push. */
  get data(): T {
    return this.array;
  }

  push(value: number): number {
    if (this.length === this.array.length) this.grow(this.length + 1);
    this.array[this.length] = value;
    return this.length++;
  }

  get(index: number): number {
    return this.array[index];
  }

  set(index: number, value: number): void {
    this.array[index] = value;
  }

  last(): number {
    return this.array[this.length - 1];
  }

  /** Makes room for `capacity` values at once (one copy instead of many doublings). */
  reserve(capacity: number): void {
    if (capacity > this.array.length) this.grow(capacity);
  }

  /** Inserts `value` at `index`, shifting the tail right (rare: out-of-order arrivals). */
  insert(index: number, value: number): void {
    if (this.length === this.array.length) this.grow(this.length + 1);
    this.array.copyWithin(index + 1, index, this.length);
    this.array[index] = value;
    this.length++;
  }

  private grow(min: number): void {
    const next = new this.ctor(Math.max(min, this.array.length * 2));
    next.set(this.array.subarray(0, this.length));
    this.array = next;
  }
}

export class F64Column extends Column<Float64Array> {
  constructor(capacity?: number) {
    super(Float64Array, capacity);
  }
}

export class U32Column extends Column<Uint32Array> {
  constructor(capacity?: number) {
    super(Uint32Array, capacity);
  }
}

export class I32Column extends Column<Int32Array> {
  constructor(capacity?: number) {
    super(Int32Array, capacity);
  }
}

export class U8Column extends Column<Uint8Array> {
  constructor(capacity?: number) {
    super(Uint8Array, capacity);
  }
}

/** Index of the first of the sorted `array[0, length)` that is >= `value` (or `length`). */
export function lowerBound(array: ArrayLike<number>, length: number, value: number): number {
  let lo = 0;
  let hi = length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (array[mid] < value) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Index of the first of the sorted `array[0, length)` that is > `value` (or `length`). */
export function upperBound(array: ArrayLike<number>, length: number, value: number): number {
  let lo = 0;
  let hi = length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (array[mid] <= value) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * For entries sorted by event key (time, then arrival index), how many are at or before the key
 * (`time`, `event`): the index of the first entry after it. `timeOf(i)` and `eventOf(i)` give
 * entry i's key.
 */
export function keyUpperBound(
  length: number,
  timeOf: (i: number) => number,
  eventOf: (i: number) => number,
  time: number,
  event: number,
): number {
  let lo = 0;
  let hi = length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    const t = timeOf(mid);
    if (t < time || (t === time && eventOf(mid) <= event)) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
