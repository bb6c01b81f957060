import {
  CelScalar,
  celEnv,
  celFunc,
  celList,
  isCelList,
  isCelMap,
  parse,
  plan,
  type CelEnv,
  type CelInput,
  type CelResult,
  type CelValue,
} from '@bufbuild/cel';

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
  /** The lists inside entries (tracked paths) the running rule read, by path: each list once. */
  #inner = new Map<string, Set<{ readonly size: number }>>();
  constructor(
    readonly deadline: number,
    private readonly clock: () => number,
  ) {}

  /** Starts a rule with this many units to spend. */
  start(budget: number): void {
    this.used = 0;
    this.#budget = budget;
    this.stopped = undefined;
    this.#inner = new Map();
  }

  /** Notes that the running rule read this list inside an entry (iterated it, or took an element). */
  read(path: string, list: { readonly size: number }): void {
    let lists = this.#inner.get(path);
    if (!lists) this.#inner.set(path, (lists = new Set()));
    lists.add(list);
  }

  /**
   * The lists inside entries the running rule read (InnerRead): a rule that holds over entries whose list is empty
   * (`sbom.all(b, b.licenses.all(...))` where no component names a licence) shows nothing about that list.
   */
  innerReads(): InnerRead[] {
    return [...this.#inner.entries()]
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([kind, lists]) => {
        let count = 0;
        let empty = 0;
        for (const l of lists) {
          count += l.size;
          if (l.size === 0) empty++;
        }
        return { kind, count, lists: lists.size, empty };
      });
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

  #paced = 0;

  /**
   * One step of a comprehension's loop: @bufbuild/cel turns a range into an array before its loop runs, so ticks come
   * first and the body's own work (a membership test over a long list, say) would never meet the clock. Once stopped,
   * every step stops again at once.
   */
  pace(): void {
    if (this.stopped) throw new MeterStop(this.stopped);
    if ((++this.#paced & 255) === 0 && this.clock() > this.deadline) this.stop('time');
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

/**
 * A list inside an entry that a rule read: `kind` is its path from the rule's variable (`sbom.licenses`,
 * `changes.host.approvers`), `count` the elements of those lists together, `lists` how many lists (one per entry that
 * was read), `empty` how many of them were empty.
 */
export interface InnerRead {
  kind: string;
  count: number;
  lists: number;
  empty: number;
}

/**
 * Lists inside entries whose emptiness is itself a finding (no failed threshold, no destructive change, no conflicting
 * statement): a rule over them that holds on an empty one shows evidence. Every other list inside an entry holds the
 * facts a rule is about (licences, SLOs, approvers, commits): where it is empty the rule saw none of them.
 */
export const FINDINGS_LISTS: ReadonlySet<string> = new Set([
  'k6.thresholds.failed',
  'terraform.destructiveAddresses',
  'migrations.destructive',
  'sbom.conformance.findings',
  'vulns.conflicts',
  'changes.host.unverified',
  'changes.host.problems',
  // No label (no `emergency` label) and no alias are answers in themselves, not facts left out.
  'changes.host.labels',
  'vulns.aliases',
]);

class MeteredList {
  readonly [CEL_LIST] = {};
  constructor(
    private readonly items: readonly unknown[],
    private readonly meter: Meter,
    /** The path of a list inside an entry whose reads are noted, or undefined. */
    private readonly path: string | undefined,
  ) {}

  get size(): number {
    return this.items.length;
  }

  get(index: number): CelValue | undefined {
    if (this.path !== undefined) this.meter.read(this.path, this);
    if (index < 0 || index >= this.items.length) return undefined;
    this.meter.tick();
    return toCelValue(this.items[index]);
  }

  *values(): IterableIterator<CelValue> {
    if (this.path !== undefined) this.meter.read(this.path, this);
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

/**
 * The bindings with every array, at any depth, made a metered list. The lists inside the entries of the evidence lists
 * (every variable but `manifest`) note their reads, by path (InnerRead), except FINDINGS_LISTS.
 */
export function meteredBindings(bindings: Record<string, unknown>, meter: Meter): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(bindings).map(([k, v]) => [k, metered(v, meter, k === 'manifest' ? undefined : k)]),
  );
}

function metered(value: unknown, meter: Meter, path: string | undefined): unknown {
  if (Array.isArray(value)) {
    const noted = path !== undefined && path.includes('.') && !FINDINGS_LISTS.has(path);
    return new MeteredList(
      value.map((v) => metered(v, meter, path)),
      meter,
      noted ? path : undefined,
    );
  }
  if (value !== null && typeof value === 'object')
    return Object.fromEntries(
      Object.entries(value).map(([k, v]) => [k, metered(v, meter, path === undefined ? undefined : `${path}.${k}`)]),
    );
  return value;
}

/** The functions a rule is rewritten with (meteredProgram); not for policies to call. */
const METERED_RANGE = '__evidence_metered_range';
const METERED_LIST = '__evidence_metered_list';
const PACED = '__evidence_paced';

/**
 * The CEL environment of one policy evaluation: the standard one, and the function that makes every range a rule
 * iterates a metered list, so that lists written in the rule itself (`[0, 1, ...].all(...)`) cost as the bundle's do.
 */
export function meteredEnv(meter: Meter): CelEnv {
  return celEnv({
    funcs: [
      // A map is iterated by its keys, as a list of them is; anything else the comprehension refuses itself.
      celFunc(METERED_RANGE, [CelScalar.DYN], CelScalar.DYN, (range: CelValue) =>
        isCelMap(range) ? meteredCopy([...range.keys()], meter) : asMetered(range, meter),
      ),
      // A list a membership test or an equality reads (a map is left as it is: a lookup, not a walk).
      celFunc(METERED_LIST, [CelScalar.DYN], CelScalar.DYN, (value: CelValue) => asMetered(value, meter)),
      celFunc(PACED, [CelScalar.DYN], CelScalar.DYN, (condition: CelValue) => {
        meter.pace();
        return condition;
      }),
    ],
  });
}

/** A list as a metered list (a metered one as it is); any other value as it is. */
function asMetered(value: CelValue, meter: Meter): CelValue {
  return isCelList(value) && !(value instanceof MeteredList) ? meteredCopy([...value], meter) : value;
}

function meteredCopy(items: unknown[], meter: Meter): CelValue {
  return new MeteredList(items, meter, undefined) as unknown as CelValue;
}

interface ExprNode {
  id: bigint;
  exprKind: { case: string | undefined; value?: unknown };
}

/** `fn(node)`, as a node of the parsed expression, under the node's id (errors still point at it). */
function call(fn: string, node: ExprNode): ExprNode {
  return {
    ...node,
    exprKind: { case: 'callExpr', value: { $typeName: 'cel.expr.Expr.Call', function: fn, args: [node] } },
  };
}

/**
 * A rule as a program whose comprehensions (`all`, `exists`, `exists_one`, `map`, `filter`) each iterate a metered
 * list, whose loops meet the clock at every step, and whose membership tests and equalities walk metered lists: the
 * parsed expression is rewritten to pass through METERED_RANGE, PACED and METERED_LIST. @bufbuild/cel meters nothing
 * itself, and only the bundle's lists are metered otherwise: a rule nesting comprehensions over lists it writes
 * would run unbounded (four levels over a hundred numbers: 41 s, a review's measure).
 */
export function meteredProgram(env: CelEnv, expr: string): (bindings: Record<string, unknown>) => CelResult {
  const parsed = parse(expr);
  // An explicit stack: an expression nested thousands deep must not overflow the walk.
  const stack: unknown[] = [parsed.expr];
  while (stack.length > 0) {
    const node = stack.pop() as ExprNode | undefined;
    if (!node?.exprKind) continue;
    const value = node.exprKind.value as Record<string, unknown> | undefined;
    switch (node.exprKind.case) {
      case 'selectExpr':
        stack.push(value?.operand);
        break;
      case 'callExpr': {
        stack.push(value?.target);
        const args = (value?.args as ExprNode[] | undefined) ?? [];
        for (const a of args) stack.push(a);
        // `x in list` and `a == b` walk their lists: each element they read costs one, as a comprehension's do.
        const fn = value?.function;
        if (fn === '@in' && args[1]) args[1] = call(METERED_LIST, args[1]);
        // An equality's sides are wrapped where they build a list (a literal, a map() or filter()): the bundle's lists
        // are metered already, and wrapping every comparison would slow every rule.
        if (fn === '_==_' || fn === '_!=_')
          for (const k of [0, 1]) {
            const side = args[k];
            if (side?.exprKind.case === 'listExpr' || side?.exprKind.case === 'comprehensionExpr')
              args[k] = call(METERED_LIST, side);
          }
        break;
      }
      case 'listExpr':
        for (const e of (value?.elements as unknown[]) ?? []) stack.push(e);
        break;
      case 'structExpr':
        for (const e of (value?.entries as { value?: unknown; keyKind?: { case?: string; value?: unknown } }[]) ?? []) {
          stack.push(e.value);
          if (e.keyKind?.case === 'mapKey') stack.push(e.keyKind.value);
        }
        break;
      case 'comprehensionExpr': {
        const c = value as Record<string, unknown>;
        for (const k of ['iterRange', 'accuInit', 'loopCondition', 'loopStep', 'result']) stack.push(c[k]);
        c.iterRange = call(METERED_RANGE, c.iterRange as ExprNode);
        // Each step of the loop meets the clock too (Meter.pace).
        c.loopCondition = call(PACED, c.loopCondition as ExprNode);
        break;
      }
    }
  }
  return plan(env, parsed) as (bindings: Record<string, unknown>) => CelResult;
}
