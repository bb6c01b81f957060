import { celList, type CelInput, type CelValue } from '@bufbuild/cel';

/**
 * CEL itself has no limits, and @bufbuild/cel no cost tracking: a quadratic
 * rule over a bundle of 50,000 entries would run for minutes. Every list the
 * rules can read is therefore a metered list: each element a rule visits
 * costs one unit, and past the rule's budget or the policy's deadline the
 * evaluation stops (docs/policy.md, "Limits").
 */
export class Meter {
  used = 0;
  stopped: 'cost' | 'time' | undefined;
  #budget = 0;
  constructor(
    readonly deadline: number,
    private readonly clock: () => number,
  ) {}

  /** Starts a rule with this many units to spend. */
  start(budget: number): void {
    this.used = 0;
    this.#budget = budget;
    this.stopped = undefined;
  }

  tick(): void {
    this.used++;
    if (this.used > this.#budget) this.stop('cost');
    // Reading the clock on every element would cost more than the element.
    if ((this.used & 1023) === 0 && this.clock() > this.deadline) this.stop('time');
  }

  overDeadline(): boolean {
    return this.clock() > this.deadline;
  }

  private stop(why: 'cost' | 'time'): never {
    this.stopped = why;
    throw new MeterStop(why);
  }
}

export class MeterStop extends Error {
  constructor(readonly why: 'cost' | 'time') {
    super(why === 'cost' ? 'the rule exceeded its evaluation cost' : 'the policy exceeded its evaluation time');
  }
}

// @bufbuild/cel recognises its lists by this registered symbol (list.js).
const CEL_LIST = Symbol.for('@bufbuild/cel/list');

class MeteredList {
  readonly [CEL_LIST] = {};
  constructor(
    private readonly items: readonly unknown[],
    private readonly meter: Meter,
  ) {}

  get size(): number {
    return this.items.length;
  }

  get(index: number): CelValue | undefined {
    if (index < 0 || index >= this.items.length) return undefined;
    this.meter.tick();
    return toCelValue(this.items[index]);
  }

  *values(): IterableIterator<CelValue> {
    for (const item of this.items) {
      this.meter.tick();
      yield toCelValue(item);
    }
  }

  [Symbol.iterator](): IterableIterator<CelValue> {
    return this.values();
  }
}

/** One value as CEL sees it, converted by @bufbuild/cel itself. */
function toCelValue(v: unknown): CelValue {
  return celList([v] as CelInput[]).get(0) as CelValue;
}

/** The bindings with every array, at any depth, made a metered list. */
export function metered(value: unknown, meter: Meter): unknown {
  if (Array.isArray(value))
    return new MeteredList(
      value.map((v) => metered(v, meter)),
      meter,
    );
  if (value !== null && typeof value === 'object')
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, metered(v, meter)]));
  return value;
}
