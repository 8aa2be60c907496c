/**
 * The semantic parser: annotated items → a query plan → a structured query.
 *
 * It works like an analyst reading the question: find what is being listed
 * or counted (the subject table), then read each phrase against it — values
 * and business filters become conditions, comparators take the nearest
 * column and number, "per"/"by" make groups, superlatives order and limit,
 * "with"/"without"/"that have" join or test existence along foreign keys,
 * and date phrases bind to the date column the verb names.
 */
import type { SchemaAnalysis } from '../../schema-analyzer/contract.js';
import type { Lexicon, Sense, TableFacts } from './lexicon.js';
import { hopCondition, selfReference, type Hop } from './joins.js';
import { aliasName, col, emptyQuery, lit, type Cond, type Expr, type OrderItem, type Query, type SelectItem } from './query.js';
import type { Item } from './tokens.js';

type ColumnSense = Extract<Sense, { kind: 'column' }>;
type ValueSense = Extract<Sense, { kind: 'value' }>;
type FilterSense = Extract<Sense, { kind: 'filter' }>;
type MeasureSense = Extract<Sense, { kind: 'measure' }>;

interface Aggregate {
  fn: string;
  arg?: Expr;
  distinct?: boolean;
  alias: string;
  /** COUNT of another table's rows. */
  countTable?: string;
}

interface Plan {
  subject: string;
  joins: Map<string, 'INNER' | 'LEFT'>;
  where: Cond[];
  computed: SelectItem[];
  aggregates: Aggregate[];
  groupBy: Array<{ expr: Expr; alias?: string }>;
  having: Cond[];
  orderBy: OrderItem[];
  limit?: number;
  distinct?: Expr[];
  steps: string[];
  guesses: string[];
  /** Source of the grouped query when it is not the subject (counting related rows). */
  from?: string;
  selfParent?: boolean;
  /** Groups start from this table's parent and keep those with no rows (LEFT JOIN). */
  keepZero?: string;
  /** Rows are multiplied by a join: count distinct keys. */
  countDistinct?: boolean;
}

export interface ParseOutcome {
  query: Query;
  steps: string[];
  guesses: string[];
  subject: string;
}

export interface ParseOptions {
  /** Use this table as the subject instead of the parser's choice (alternative candidates). */
  subject?: string;
  /** Join type for "with their …" listings. */
  withJoin?: 'INNER' | 'LEFT';
  /**
   * Rankings and top-N put NULLs last. Off by default: PostgreSQL's own order
   * (NULLs first when descending) is what analysts' reference queries return.
   */
  nullsLast?: boolean;
}

const CMP: Record<string, string> = { gt: '>', gte: '>=', lt: '<', lte: '<=', eq: '=', ne: '<>' };
const AGG: Record<string, string> = { sum: 'SUM', avg: 'AVG', max: 'MAX', min: 'MIN' };

function has(item: Item | undefined, ...kws: string[]): boolean {
  return item !== undefined && kws.some((k) => item.kws.has(k));
}

function senses<K extends Sense['kind']>(item: Item | undefined, kind: K): Array<Extract<Sense, { kind: K }>> {
  return (item?.senses ?? []).filter((s): s is Extract<Sense, { kind: K }> => s.kind === kind);
}

function isContent(item: Item): boolean {
  return item.kind !== 'phrase' || item.senses.some((s) => s.kind !== 'kw');
}

function plural(item: Item): boolean {
  const last = item.text.split(' ').at(-1) ?? '';
  return /s$/i.test(last) && !/(ss|us|is)$/i.test(last);
}

class Parser {
  private readonly items: Item[];
  private readonly used = new Set<number>();
  /** Tables tested by EXISTS / NOT EXISTS, with their subquery and the item that named them. */
  private readonly existsTargets = new Map<string, { query: Query; at: number }>();
  private lastFilterAt = -2;
  private lastExistence: 'have' | 'without' | undefined;
  private topLevel = false;
  /** Superlatives already read as a ranking of the subject's rows. */
  private readonly ranked = new Set<number>();
  private plan!: Plan;

  constructor(private readonly lex: Lexicon, items: Item[], private readonly analysis: SchemaAnalysis | undefined, private readonly options: ParseOptions) {
    this.items = items;
  }

  private facts(table: string): TableFacts {
    return this.lex.facts.get(table)!;
  }

  // ---------------------------------------------------------------- subject

  /** Score of each table from every item's senses, the analyzer's ranking as a tie-breaker. */
  private tableSupport(): Map<string, number> {
    const score = new Map<string, number>();
    const bump = (t: string, v: number) => score.set(t, (score.get(t) ?? 0) + v);
    for (const item of this.items) {
      const seen = new Set<string>();
      for (const s of item.senses) {
        if (s.kind === 'kw' || seen.has(s.table)) continue;
        seen.add(s.table);
        bump(s.table, s.kind === 'table' ? (s.rank === 0 ? 1 : 0.6) : s.kind === 'column' ? 0.4 / (1 + s.rank) : 0.5);
      }
    }
    this.analysis?.relevant_tables.forEach((t, i) => {
      const name = this.lex.catalog.table(t.table_name)?.name;
      if (name) bump(name, 0.05 / (i + 1));
    });
    return score;
  }

  /** The table an item names, choosing among its table senses by the rest of the question. */
  private tableOf(item: Item, support: Map<string, number>, avoid?: string): string | undefined {
    const all = senses(item, 'table');
    // A table named beside the subject ("companies without supplier properties") is another one when it can be.
    const tables = avoid && all.some((t) => t.table !== avoid) ? all.filter((t) => t.table !== avoid) : all;
    if (tables.length === 0) return undefined;
    let best = tables[0];
    let bestScore = -Infinity;
    for (const t of tables) {
      const own = item.senses.some((x) => x.kind !== 'kw' && x.kind !== 'table' && x.table === t.table) ? 0.5 : 0;
      const others = (support.get(t.table) ?? 0) - (t.rank === 0 ? 1 : 0.6) - own;
      const s = others + (t.rank === 0 ? 0.5 : 0) - 0.1 * t.rank;
      if (s > bestScore) {
        bestScore = s;
        best = t;
      }
    }
    return best.table;
  }

  private isTableItem(item: Item | undefined): boolean {
    if (!item || senses(item, 'table').length === 0) return false;
    // A phrase that is also a value, filter or measure reads as that ("allocation" the column stays a table word).
    return !item.senses.some((s) => s.kind === 'value' || s.kind === 'measure' || (s.kind === 'filter'));
  }

  private chooseSubject(support: Map<string, number>): { table: string; at: number } {
    if (this.options.subject) return { table: this.options.subject, at: -1 };
    const blockers = ['group', 'without', 'have', 'with', 'left', 'most', 'least', 'multiple'];
    // "Which consultants work on projects": a value used as a noun names rows of its own table.
    const leadAt = this.items.findIndex((it) => isContent(it) && !has(it, 'count', 'sum', 'avg', 'max', 'min', 'most', 'least', 'distinct'));
    const lead = this.items[leadAt];
    if (lead && !this.isTableItem(lead) && lead.kws.size === 0 && plural(lead) && this.nounAfter(leadAt, support) === undefined) {
      const named = [...senses(lead, 'value'), ...senses(lead, 'filter')].find((v) => !(v.kind === 'filter' && v.having));
      if (named && !senses(lead, 'column').length) return { table: named.table, at: -1 };
    }
    for (let i = 0; i < this.items.length; i++) {
      const item = this.items[i];
      if (!this.isTableItem(item)) continue;
      const prev = this.prevContent(i);
      if (prev && blockers.some((b) => prev.kws.has(b)) && !has(prev, 'list', 'count') && this.anyTableBefore(i)) continue;
      if (prev && has(prev, 'group') && !has(prev, 'list')) continue;
      if (prev && has(prev, 'without', 'have', 'left') && this.anyTableBefore(i)) continue;
      // Noun compounds name their head last: "project revisions", "staff assignments".
      let head = i;
      while (this.isTableItem(this.items[head + 1]) && this.items[head + 1].at === this.items[head].end && !has(this.items[head + 1], 'group', 'with', 'have')) head++;
      const table = this.tableOf(this.items[head], support);
      if (table) return { table, at: head };
    }
    // No table word in subject position: the columns, values and measures decide, then the tables named elsewhere.
    const evidence = new Map<string, number>();
    for (const it of this.items) {
      // A word naming columns of many tables ("status") says little; a grammar word read as a value, less.
      const named = it.senses.filter((x) => x.kind !== 'kw' && x.kind !== 'table' && !(x.kind === 'value' && it.kws.size > 0));
      const spread = new Set(named.map((x) => (x as { table: string }).table)).size;
      for (const sense of named) {
        if (sense.kind === 'kw' || sense.kind === 'table') continue;
        const w = (sense.kind === 'column' ? 1 / (1 + sense.rank) : 1) / spread;
        evidence.set(sense.table, (evidence.get(sense.table) ?? 0) + w + (support.get(sense.table) ?? 0) * 0.01);
      }
    }
    const ranked = [...(evidence.size ? evidence : support).entries()].sort((a, b) => b[1] - a[1]);
    if (ranked.length) {
      this.noteGuess(`no table named; ${ranked[0][0]} chosen from the columns and values mentioned`);
      return { table: ranked[0][0], at: -1 };
    }
    const first = this.analysis?.relevant_tables[0]?.table_name;
    const fallback = (first && this.lex.catalog.table(first)?.name) ?? this.lex.catalog.tables[0].name;
    this.noteGuess(`nothing in the question names a table; ${fallback} is a guess`);
    return { table: fallback, at: -1 };
  }

  /** Guesses made while choosing the subject, before the plan exists. */
  private pendingGuesses: string[] = [];
  private noteGuess(text: string): void {
    this.pendingGuesses.push(text);
  }

  private anyTableBefore(i: number): boolean {
    for (let j = 0; j < i; j++) if (this.isTableItem(this.items[j])) return true;
    return false;
  }

  private prevContent(i: number): Item | undefined {
    for (let j = i - 1; j >= 0; j--) {
      const it = this.items[j];
      if (has(it, 'all') && !isContent(it)) continue;
      return it;
    }
    return undefined;
  }

  // ----------------------------------------------------------- resolution

  /** Tables already part of the query. */
  private inPlay(): string[] {
    return [this.plan.subject, ...this.plan.joins.keys()];
  }

  private pickColumn(item: Item | undefined, prefer?: string): ColumnSense | undefined {
    const cols = senses(item, 'column');
    if (cols.length === 0) return undefined;
    const play = prefer ? [prefer, ...this.inPlay()] : this.inPlay();
    for (const t of play) {
      const hit = cols.filter((c) => c.table === t).sort((a, b) => a.rank - b.rank)[0];
      if (hit) return hit;
    }
    // A column of a table reachable by foreign keys joins that table in.
    const reachable = cols.filter((c) => this.lex.path(this.plan.subject, c.table, 2)).sort((a, b) => a.rank - b.rank);
    return reachable[0] ?? cols.sort((a, b) => a.rank - b.rank)[0];
  }

  private pickFromList<T extends { table: string }>(list: T[]): T | undefined {
    for (const t of this.inPlay()) {
      const hit = list.find((s) => s.table === t);
      if (hit) return hit;
    }
    return list.find((s) => this.lex.path(this.plan.subject, s.table, 2)) ?? list[0];
  }

  /** Makes sure a table takes part in the query, joined along its foreign-key path. */
  private ensure(table: string, type: 'INNER' | 'LEFT' = 'INNER'): string {
    if (table === this.plan.subject) return table;
    const current = this.plan.joins.get(table);
    if (current) {
      if (current === 'LEFT' && type === 'INNER') this.plan.joins.set(table, 'INNER');
      return table;
    }
    const path = this.lex.path(this.plan.subject, table);
    if (!path) {
      this.plan.guesses.push(`${table} has no foreign-key path from ${this.plan.subject}`);
      return table;
    }
    for (const hop of path) {
      if (hop.to !== this.plan.subject && !this.plan.joins.has(hop.to)) this.plan.joins.set(hop.to, type);
    }
    return table;
  }

  // -------------------------------------------------------------- reading

  private next(i: number, skip: (it: Item) => boolean = () => false): number {
    let j = i + 1;
    while (j < this.items.length && (skip(this.items[j]) || (!isContent(this.items[j]) && has(this.items[j], 'all')))) j++;
    return j;
  }

  /** The operand a comparator refers to: the nearest column or measure before it. */
  private leftOperand(i: number): { expr: Expr; label: string; table: string; aggregate?: string; grouped?: boolean } | undefined {
    for (let j = i - 1; j >= 0 && i - j <= 4; j--) {
      const it = this.items[j];
      const m = this.pickMeasure(it);
      if (m) {
        if (m.aggregate) this.useAggregateMeasure(m);
        return { expr: m.expr, label: m.label, table: m.table, grouped: m.aggregate };
      }
      const c = this.pickColumn(it);
      if (c && !this.isTableItem(it)) {
        // "budget minus actual cost": arithmetic between two columns.
        const op = has(this.items[j - 1], 'minus') ? '-' : has(this.items[j - 1], 'plus') ? '+' : has(this.items[j - 1], 'times') ? '*' : has(this.items[j - 1], 'divided') ? '/' : undefined;
        const other = op ? this.pickColumn(this.items[j - 2]) : undefined;
        if (op && other && !this.isTableItem(this.items[j - 2])) {
          this.used.add(j - 1);
          this.used.add(j - 2);
          const right: Expr = op === '/' ? { k: 'fn', name: 'NULLIF', args: [col(c.table, c.column), lit(0)] } : col(c.table, c.column);
          return { expr: { k: 'bin', op, left: col(other.table, other.column), right }, label: `${other.column} ${op} ${c.column}`, table: c.table };
        }
        const agg = this.items[j - 1] && Object.keys(AGG).find((k) => has(this.items[j - 1], k));
        return { expr: col(c.table, c.column), label: c.column, table: c.table, aggregate: agg ? AGG[agg] : undefined };
      }
      if (c && this.isTableItem(it) && senses(it, 'column').length) {
        return { expr: col(c.table, c.column), label: c.column, table: c.table };
      }
      if (this.isTableItem(it) || it.kind === 'num') break;
    }
    return undefined;
  }

  private leftOperandAt(i: number): { at: number; column?: ColumnSense } | undefined {
    const c = this.pickColumn(this.items[i - 1]);
    return c ? { at: i - 1, column: c } : undefined;
  }

  private pickMeasure(item: Item | undefined): MeasureSense | undefined {
    return this.pickFromList(senses(item, 'measure'));
  }

  /** A number, a date or a column after a comparator; how many items it took. */
  private rightOperand(i: number, left: { table: string }): { expr?: Expr; date?: DateValue; cmpCol?: string; span: number; average?: Cond[] } | undefined {
    const j = this.next(i);
    const it = this.items[j];
    if (!it) return undefined;
    const date = readDate(this.items, j, this.lex);
    if (date && date.value.kind !== 'relative' && date.value.kind !== 'this') return { date: date.value, span: date.span + (j - i - 1) };
    if (it.kind === 'num' && !(it.year && this.isDateColumnExpr(left))) {
      // "twice the budget", "3 times the cost rate", "50% of the budget": a multiple of another column.
      const percentOf = has(it, 'percent_number') && has(this.items[j + 1], 'in', 'eq') && !isContent(this.items[j + 1]);
      const k = has(this.items[j + 1], 'times') || percentOf ? j + 2 : j + 1;
      const other = this.items[k] && !this.used.has(k) && !this.isTableItem(this.items[k]) ? this.pickColumn(this.items[k], left.table) : undefined;
      if (other && this.lex.catalog.column(other.table, other.column)?.category === 'number') {
        const factor = percentOf ? it.num! / 100 : it.num!;
        return { expr: { k: 'bin', op: '*', left: lit(factor), right: col(other.table, other.column) }, cmpCol: `${factor} × ${other.column}`, span: k - i };
      }
      return { expr: lit(it.num!), span: j - i };
    }
    if (it.kind === 'num') {
      return { date: { kind: 'point', iso: `${it.num}-01-01`, endIso: `${it.num! + 1}-01-01` }, span: j - i };
    }
    if (it.kind === 'date') return { date: { kind: 'point', iso: it.text, endIso: it.text }, span: j - i };
    // "higher than the IT department average": an average, possibly over a subset.
    for (let k = j; k < this.items.length && k - j < 5; k++) {
      if (has(this.items[k], 'average_word', 'avg')) {
        const filters: Cond[] = [];
        for (let m = j; m < k; m++) {
          const v = this.pickFromList(senses(this.items[m], 'value'));
          if (v) {
            filters.push({ k: 'cmp', op: '=', left: col(`${v.table}#sub`, v.column), right: lit(v.value) });
            this.used.add(m);
          }
        }
        return { average: filters, span: k - i };
      }
    }
    const c = this.pickColumn(it, left.table);
    if (c && !it.kws.has('count')) return { expr: col(c.table, c.column), cmpCol: c.column, span: j - i };
    return undefined;
  }

  private isDateColumnExpr(left: { table: string } & Partial<{ expr: Expr }>): boolean {
    const e = left.expr;
    if (!e || e.k !== 'col') return false;
    const c = this.lex.catalog.column(left.table, e.column);
    return c?.category === 'date' || c?.category === 'timestamp';
  }

  private addAggregate(a: Aggregate): void {
    if (!this.plan.aggregates.some((x) => x.alias === a.alias)) this.plan.aggregates.push(a);
  }

  private addOrder(o: OrderItem): void {
    if (!this.plan.orderBy.some((x) => sameExpr(x.expr, o.expr))) this.plan.orderBy.push(o);
  }

  /** The column or measure at `j`, looking past "of" and a table word qualifying it ("of project budgets"). */
  private operandAt(j: number): { at: number; column?: ColumnSense; measure?: MeasureSense } | undefined {
    if (has(this.items[j], 'in', 'eq') && !isContent(this.items[j])) j++;
    if (this.isTableItem(this.items[j]) && (senses(this.items[j + 1], 'column').length || senses(this.items[j + 1], 'measure').length)) {
      this.used.add(j);
      j++;
    }
    const it = this.items[j];
    const measure = this.pickMeasure(it);
    if (measure) return { at: j, measure };
    const column = this.isTableItem(it) && !senses(it, 'column').length ? undefined : this.pickColumn(it);
    return column ? { at: j, column } : undefined;
  }

  // ---------------------------------------------------------------- parse

  parse(): ParseOutcome {
    const support = this.tableSupport();
    this.plan = {
      subject: '', joins: new Map(), where: [], computed: [], aggregates: [], groupBy: [], having: [], orderBy: [],
      steps: [], guesses: [],
    };
    const { table: subject, at } = this.chooseSubject(support);
    this.plan.subject = subject;
    const union = this.readUnion(support);
    if (union) return { query: union, steps: this.plan.steps, guesses: this.plan.guesses, subject };
    this.plan.guesses.push(...this.pendingGuesses);
    if (at >= 0) this.used.add(at);
    this.plan.steps.push(`Subject: ${subject}${at >= 0 ? ` (from "${this.items[at].text}")` : ''}.`);
    this.readModifiers(at, support);
    this.readRankings();
    this.readHierarchy();
    this.readTables(support);
    this.readDates();
    this.readTwoColumnMeasures();
    this.readComparisons();
    this.readPatterns();
    this.readNulls();
    this.readValuesAndFilters(support);
    this.readAggregates();
    this.readGroups(support);
    this.readDuplicates();
    this.readDefaults();
    this.readPercentage();
    if ((this.plan.aggregates.length || this.plan.having.length) && this.plan.groupBy.length === 0) this.firstIsColumnGroup();
    this.implicitSummary();
    this.readOrdering();
    this.readHighAmounts();
    this.readWindows();
    this.readDistinct();
    this.readLiterals();
    this.readMentionedColumns();
    for (let i = 0; i < this.items.length; i++) {
      const it = this.items[i];
      if (!this.used.has(i) && it.kind === 'unknown') this.plan.guesses.push(`word "${it.text}" not understood`);
      else if (it.fuzzy) this.plan.guesses.push(`"${it.text}" read as a misspelling`);
    }
    return { query: this.build(), steps: this.plan.steps, guesses: this.plan.guesses, subject };
  }

  /**
   * "Active suppliers and projects in one list": one list of the names of several
   * tables' rows, an adjective distributed over every noun it stands before.
   */
  private readUnion(support: Map<string, number>): Query | undefined {
    if (!this.items.some((it) => has(it, 'union'))) return undefined;
    const tables = [...new Set(this.items.filter((it) => this.isTableItem(it)).map((it) => this.tableOf(it, support)!))];
    const named = tables.filter((t) => this.facts(t).nameColumn);
    if (named.length < 2) return undefined;
    const parts = named.map((t) => {
      const q = emptyQuery({ table: t, key: t });
      q.select = [{ expr: col(t, this.facts(t).nameColumn!), alias: 'name' }];
      for (const it of this.items) {
        const filter = senses(it, 'filter').find((f) => f.table === t && !f.having);
        const value = senses(it, 'value').find((v) => v.table === t);
        if (filter) q.where.push(filter.cond);
        else if (value) q.where.push({ k: 'cmp', op: '=', left: col(t, value.column), right: lit(value.value) });
      }
      return q;
    });
    this.plan.steps.push(`Combined list (UNION) of the names of ${named.join(', ')}, each with the conditions that apply to it.`);
    return { ...parts[0], union: parts.slice(1) };
  }

  /** Table words just before the subject ("project revisions"): parents joined for their names. */
  private readModifiers(at: number, support: Map<string, number>): void {
    for (let j = at - 1; j >= 0 && this.isTableItem(this.items[j]); j--) {
      const t = this.tableOf(this.items[j], support);
      this.used.add(j);
      if (!t || t === this.plan.subject) continue;
      const path = this.lex.path(this.plan.subject, t, 1);
      if (path && path[0].toParent) {
        this.ensure(t, 'LEFT');
        this.plan.steps.push(`"${this.items[j].text}" qualifies ${this.plan.subject}: LEFT JOIN ${t} for its names (keeps every row).`);
      }
    }
  }

  private dateColumnFor(i: number, table = this.plan.subject): { table: string; column: string } {
    const f = this.facts(table);
    for (let j = i - 1; j >= 0 && i - j <= 4; j--) {
      const it = this.items[j];
      const c = senses(it, 'column').find((s) => {
        const k = this.lex.catalog.column(s.table, s.column);
        return (k?.category === 'date' || k?.category === 'timestamp') && this.inPlay().includes(s.table);
      });
      if (c && !has(it, 'start', 'end')) {
        this.used.add(j);
        return { table: c.table, column: c.column };
      }
      if (has(it, 'end') && f.endDate) return { table, column: f.endDate };
      if (has(it, 'start') && f.startDate) return { table, column: f.startDate };
      if (this.isTableItem(it)) break;
    }
    // "Contracts expiring …" names the verb after the date phrase's table; a verb anywhere decides.
    if (this.items.some((it) => has(it, 'end') && !has(it, 'start')) && f.endDate) return { table, column: f.endDate };
    if (this.items.some((it) => has(it, 'start') && !has(it, 'end')) && f.startDate) return { table, column: f.startDate };
    if (!f.defaultDate) return { table, column: f.table.columns[0].name };
    return { table, column: f.defaultDate };
  }

  private readDates(): void {
    for (let i = 0; i < this.items.length; i++) {
      if (this.used.has(i)) continue;
      const prev = this.items[i - 1];
      const d = readDate(this.items, i, this.lex);
      if (!d && has(this.items[i], 'start', 'end') && has(prev, 'neg') && !readDate(this.items, i + 1, this.lex)) {
        // "not started yet": the start lies ahead; "not ended": no end date, or one still ahead.
        const target = this.dateColumnFor(i + 1);
        const e = col(target.table, target.column);
        const ahead: Cond = { k: 'cmp', op: '>', left: e, right: { k: 'sql', text: 'CURRENT_DATE' } };
        this.plan.where.push(has(this.items[i], 'start') ? ahead : { k: 'or', items: [{ k: 'null', arg: e, negated: false }, ahead] });
        [i - 1, i].forEach((k) => this.used.add(k));
        this.plan.steps.push(`Not yet ${has(this.items[i], 'start') ? 'started' : 'ended'}: ${target.column} after today.`);
        continue;
      }
      if (!d && has(this.items[i], 'past', 'future') && !senses(this.items[i], 'filter').length) {
        // "whose end date has passed", "upcoming contracts": before or after today.
        const target = this.dateColumnFor(i);
        const past = has(this.items[i], 'past');
        this.plan.where.push({ k: 'cmp', op: past ? '<' : '>=', left: col(target.table, target.column), right: { k: 'sql', text: 'CURRENT_DATE' } });
        this.used.add(i);
        this.plan.steps.push(`${target.column} ${past ? 'before' : 'from'} today.`);
        continue;
      }
      if (!d) continue;
      if (has(prev, 'gt', 'gte', 'lt', 'lte') && !has(prev, 'in')) {
        i += d.span - 1;
        continue;
      }
      const target = this.dateColumnFor(i);
      const e = col(target.table, target.column);
      const conds = dateConditions(e, d.value, 'in');
      if (this.items.some((it) => has(it, 'expiring')) && d.value.kind !== 'relative') {
        conds.push({ k: 'cmp', op: '>=', left: e, right: { k: 'sql', text: 'CURRENT_DATE' } });
      }
      this.plan.where.push(...conds);
      for (let k = i; k < i + d.span; k++) this.used.add(k);
      if (has(prev, 'in', 'since', 'from')) this.used.add(i - 1);
      this.plan.steps.push(`Date "${this.items.slice(i, i + d.span).map((x) => x.text).join(' ')}" on ${target.table}.${target.column}.`);
      i += d.span - 1;
    }
  }

  private readComparisons(): void {
    for (let i = 0; i < this.items.length; i++) {
      const it = this.items[i];
      if (this.used.has(i)) continue;
      if (has(it, 'above_average', 'below_average')) {
        const operand = this.operandAt(this.next(i)) ?? (this.leftOperandAt(i));
        if (operand?.column) {
          const c = operand.column;
          const key = `${c.table}#sub`;
          const sub = emptyQuery({ table: c.table, key });
          sub.select = [{ expr: { k: 'fn', name: 'AVG', args: [col(key, c.column)] } }];
          const op = has(it, 'above_average') ? '>' : '<';
          this.ensure(c.table);
          this.plan.where.push({ k: 'cmp', op, left: col(c.table, c.column), right: { k: 'sub', query: sub } });
          [i, operand.at].forEach((k) => this.used.add(k));
          this.plan.steps.push(`Filter: ${c.column} ${op} its average (subquery).`);
        }
        continue;
      }
      const between = has(it, 'between');
      const opKw = Object.keys(CMP).find((k) => has(it, k));
      const multiple = has(it, 'multiple');
      if (!between && !opKw && !multiple) continue;
      if (opKw === 'eq' && !(this.items[i + 1]?.kind === 'num')) continue;
      if (has(it, 'in') && !(this.items[i + 1]?.kind === 'num') && !readDate(this.items, i + 1, this.lex)) continue;
      // "more than 5 projects", "multiple staff": a count of related rows.
      const countAt = multiple ? i + 1 : this.items[i + 1]?.kind === 'num' ? i + 2 : -1;
      const counted = countAt >= 0 ? this.items[countAt] : undefined;
      if (counted && this.isTableItem(counted) && !senses(counted, 'column').some((c) => this.inPlay().includes(c.table) && !this.isTableItem(counted))) {
        const n = multiple ? 1 : this.items[i + 1].num!;
        const op = multiple ? '>' : CMP[opKw ?? 'gt'] ?? '>';
        this.countCondition(counted, op, n, i, countAt);
        continue;
      }
      let left = this.leftOperand(i);
      // "more than 1000 records", "over 40 hours": the noun after the number names the column.
      const adjacent = this.items[i + 1]?.kind === 'num' && this.items[i + 2]?.at === this.items[i + 1].end;
      const unitColumn = adjacent && !this.isTableItem(this.items[i + 2]) ? this.pickColumn(this.items[i + 2]) : undefined;
      if (unitColumn && this.lex.catalog.column(unitColumn.table, unitColumn.column)?.category === 'number') {
        this.used.add(i + 2);
        left = { expr: col(unitColumn.table, unitColumn.column), label: unitColumn.column, table: unitColumn.table };
      }
      const dated = readDate(this.items, this.next(i), this.lex);
      if (dated && dated.value.kind !== 'relative' && !(left && this.isDateColumnExpr(left))) {
        // "started after January 2024": the date column the verb names.
        const d = this.dateColumnFor(i);
        left = { expr: col(d.table, d.column), label: d.column, table: d.table };
      }
      if (!left && (has(this.items[i - 1], 'duration') || has(it, 'duration'))) left = this.durationOperand();
      if (!left && this.unitAfterNumber(i)) left = this.durationOperand();
      if (!left) left = this.defaultNumeric(i);
      if (!left) continue;
      this.used.add(i);
      if (between) {
        const a = this.items[i + 1];
        const b = this.items[i + 3];
        if (a?.kind === 'num' && b?.kind === 'num' && has(this.items[i + 2], 'and')) {
          const cond: Cond = { k: 'between', arg: left.expr, low: lit(a.num!), high: lit(b.num!) };
          this.addCondition(cond, left);
          [i + 1, i + 2, i + 3].forEach((k) => this.used.add(k));
          this.plan.steps.push(`Filter: ${left.label} between ${a.num} and ${b.num}.`);
          i += 3;
        }
        continue;
      }
      const right = this.rightOperand(i, left);
      if (!right) continue;
      for (let k = i + 1; k <= i + right.span; k++) this.used.add(k);
      const op = CMP[opKw ?? 'gt'];
      if (right.date) {
        const conds = dateConditions(left.expr, right.date, opKw === 'gte' && has(it, 'from') ? 'gte' : (opKw as DateOp));
        conds.forEach((c) => this.addCondition(c, left));
        this.plan.steps.push(`Filter: ${left.label} ${op} ${describeDate(right.date)}.`);
      } else if (right.average) {
        const sub = emptyQuery({ table: left.table, key: `${left.table}#sub` });
        const e = left.expr.k === 'col' ? col(`${left.table}#sub`, left.expr.column) : left.expr;
        sub.select = [{ expr: { k: 'fn', name: 'AVG', args: [e] } }];
        sub.where = right.average;
        this.addCondition({ k: 'cmp', op, left: left.expr, right: { k: 'sub', query: sub } }, left);
        this.plan.steps.push(`Filter: ${left.label} ${op} the average${right.average.length ? ' of the subset named' : ''} (subquery).`);
      } else if (right.expr) {
        const value = right.expr.k === 'lit' && typeof right.expr.value === 'number' && this.unitScale(i + 1 + right.span);
        const expr = value ? lit((right.expr as { value: number }).value * value) : right.expr;
        // "over 40 hours": an unknown word right after the number is its unit.
        const unit = this.items[i + 1 + right.span];
        if (expr.k === 'lit' && unit?.kind === 'unknown' && unit.at === this.items[i + right.span].end) this.used.add(i + 1 + right.span);
        this.addCondition({ k: 'cmp', op, left: left.expr, right: expr }, left);
        this.plan.steps.push(`Filter: ${left.label} ${op} ${right.cmpCol ?? (expr.k === 'lit' ? String(expr.value) : 'value')}.`);
      }
    }
  }

  /** Multiplier from a unit word after a number ("2 years" of a day-valued duration). */
  private unitScale(at: number): number | undefined {
    const it = this.items[at];
    if (!it || it.kind !== 'unknown' && it.kind !== 'phrase') return undefined;
    const unit = this.lex.grammar.units[it.text.toLowerCase()];
    if (!unit) return undefined;
    this.used.add(at);
    return { day: 1, week: 7, month: 30, quarter: 91, year: 365 }[unit];
  }

  private unitAfterNumber(i: number): boolean {
    const it = this.items[i + 2];
    return this.items[i + 1]?.kind === 'num' && it !== undefined && this.lex.grammar.units[it.text.toLowerCase()] !== undefined;
  }

  /** The length of the subject's date range in days. */
  private durationOperand(): { expr: Expr; label: string; table: string } | undefined {
    const f = this.facts(this.plan.subject);
    if (!f.startDate || !f.endDate) return undefined;
    const s = this.plan.subject;
    return { expr: { k: 'bin', op: '-', left: col(s, f.endDate), right: col(s, f.startDate) }, label: 'duration in days', table: s };
  }

  /** "budget over 100k" reads budget; "projects over 100k" reads the subject's main money column. */
  private defaultNumeric(i: number): { expr: Expr; label: string; table: string } | undefined {
    const n = this.items[i + 1];
    if (n?.kind !== 'num') return undefined;
    const money = this.mainAmount(this.plan.subject);
    if (!money) return undefined;
    this.plan.guesses.push(`comparison without a column: ${money} assumed`);
    return { expr: col(this.plan.subject, money), label: money, table: this.plan.subject };
  }

  /** Places a condition: WHERE for row columns, HAVING when it is on an aggregate. */
  private addCondition(cond: Cond, left: { table: string; aggregate?: string; grouped?: boolean; expr: Expr }): void {
    if (left.aggregate && cond.k === 'cmp') {
      this.plan.having.push({ ...cond, left: { k: 'fn', name: left.aggregate, args: [left.expr] } });
      return;
    }
    if (left.grouped) {
      this.plan.having.push(cond);
      return;
    }
    this.ensure(left.table);
    this.plan.where.push(cond);
  }

  /** "with more than 3 staff": the number of related rows, kept as a column and compared. */
  private countCondition(counted: Item, op: string, n: number, at: number, countAt: number): void {
    let head = countAt;
    while (this.isTableItem(this.items[head + 1]) && this.items[head + 1].at === this.items[head].end) head++;
    const table = senses(this.items[head], 'table')[0].table;
    for (let k = at; k <= head; k++) this.used.add(k);
    const groupedHere = this.items.slice(0, at).some((it) => has(it, 'group')) || this.plan.groupBy.length > 0;
    const countExpr = this.relatedCount(table);
    if (!countExpr || groupedHere || table === this.plan.subject) {
      this.plan.having.push({ k: 'cmp', op, left: { k: 'fn', name: 'COUNT', args: [], star: true }, right: lit(n) });
      this.plan.steps.push(`Having: COUNT(*) ${op} ${n}.`);
      return;
    }
    const alias = aliasName(`${senses(counted, 'table')[0].table.split('_').at(-1)}_count`);
    this.plan.computed.push({ expr: countExpr, alias });
    this.plan.where.push({ k: 'cmp', op, left: countExpr, right: lit(n) });
    this.plan.steps.push(`Filter: number of related ${table} rows ${op} ${n} (correlated count).`);
  }

  /**
   * "high-budget projects", "high-value customers" with no bound given: the rows that
   * have the amount (or child rows to total), highest first ("low": lowest first); a bound would be invented.
   */
  private readHighAmounts(): void {
    for (let i = 0; i < this.items.length; i++) {
      const it = this.items[i];
      const j = this.next(i);
      if (this.used.has(i) || !has(it, 'high', 'low') || this.used.has(j)) continue;
      const c = this.isTableItem(this.items[j]) ? undefined : this.pickColumn(this.items[j]);
      if (!c || this.lex.catalog.column(c.table, c.column)?.category !== 'number') continue;
      const expr = this.perRowAmount(c);
      // A total over child rows: the rows that have any (a customer with no contracts has no value to rank).
      const hops = expr.k === 'col' ? undefined : this.lex.path(this.plan.subject, c.table, 1);
      if (hops) {
        this.plan.where.push({ k: 'exists', query: this.existsQuery(hops), negated: false });
      } else {
        this.ensure(c.table);
        this.plan.where.push({ k: 'null', arg: expr, negated: true });
      }
      this.addOrder({ expr, desc: has(it, 'high'), nullsLast: this.options.nullsLast });
      [i, j].forEach((k) => this.used.add(k));
      this.plan.steps.push(`"${it.text} ${this.items[j].text}" with no bound: rows with ${c.column}, ${has(it, 'high') ? 'highest' : 'lowest'} first.`);
    }
  }

  /**
   * A column's value for each subject row: its own or a parent's column, or —
   * "customers by contract value" — the total of the subject's child rows, shown as a column.
   */
  private perRowAmount(c: ColumnSense): Expr {
    const alias = aliasName(`total_${c.column}`);
    const known = this.plan.computed.find((x) => x.alias === alias);
    if (known && known.expr.k !== 'star') return known.expr;
    const hops = c.table !== this.plan.subject && !this.plan.from ? this.lex.path(this.plan.subject, c.table, 1) : undefined;
    const related = hops?.length === 1 && !hops[0].toParent ? this.relatedCount(c.table, 'SUM', c.column) : undefined;
    if (!related) return col(c.table, c.column);
    this.plan.computed.push({ expr: related, alias });
    this.plan.steps.push(`Total ${c.column} of each ${this.plan.subject} row's ${c.table} rows.`);
    return related;
  }

  /** A correlated COUNT of a related table's rows per subject row. */
  private relatedCount(table: string, fn = 'COUNT', column?: string): Expr | undefined {
    const path = this.lex.path(this.plan.subject, table, 1);
    if (!path || path.length !== 1) {
      // "resources on more than 2 projects": distinct rows reached through a linking table.
      const longer = this.lex.path(this.plan.subject, table, 2);
      const pk = this.lex.catalog.table(table)?.primaryKey[0];
      if (!longer || longer.length !== 2 || column || !pk) return undefined;
      const q = this.existsQuery(longer);
      q.select = [{ expr: { k: 'fn', name: 'COUNT', args: [col(`${table}#sub`, pk)], distinct: true } }];
      return { k: 'sub', query: q };
    }
    const hop = path[0];
    const key = `${table}#sub`;
    const sub = emptyQuery({ table, key });
    sub.select = [{ expr: column ? { k: 'fn', name: fn, args: [col(key, column)] } : { k: 'fn', name: 'COUNT', args: [], star: true } }];
    sub.where = [hopCondition({ ...hop, from: table, to: this.plan.subject, fromColumns: hop.toColumns, toColumns: hop.fromColumns, toParent: !hop.toParent }, key, this.plan.subject)];
    return { k: 'sub', query: sub };
  }

  private readPatterns(): void {
    for (let i = 0; i < this.items.length; i++) {
      const it = this.items[i];
      const kind = has(it, 'startswith') ? 'start' : has(it, 'endswith') ? 'end' : has(it, 'contains') ? 'contains' : undefined;
      const lit1 = this.items[i + 1];
      const quotedThenName = it.kind === 'quoted' && has(this.items[i + 1], 'inname');
      if (!kind && !quotedThenName) continue;
      const literalItem = quotedThenName ? it : lit1;
      if (!literalItem || (literalItem.kind !== 'quoted' && literalItem.kind !== 'unknown' && literalItem.kind !== 'phrase')) continue;
      const text = literalItem.text;
      const column = this.patternColumn(i, text, quotedThenName);
      if (!column) continue;
      const pattern = kind === 'start' ? `${text}%` : kind === 'end' ? `%${text}` : `%${text}%`;
      this.ensure(column.table);
      this.plan.where.push({ k: 'like', arg: col(column.table, column.column), pattern, negated: has(this.items[i - 1], 'neg') });
      [i, i + 1].forEach((k) => this.used.add(k));
      this.plan.steps.push(`Text pattern: ${column.column} ILIKE '${pattern}'.`);
      i++;
    }
  }

  /** The column a text pattern applies to: one named just before, a code column for code-like text, else the name. */
  private patternColumn(i: number, text: string, inName: boolean): { table: string; column: string } | undefined {
    const prev = this.items[i - 1];
    const named = this.pickColumn(prev);
    if (named && !this.isTableItem(prev) && this.lex.catalog.column(named.table, named.column)?.category === 'text') return named;
    const f = this.facts(this.plan.subject);
    const codeLike = /\d/.test(text) || (/^[A-Z0-9-]+$/.test(text) && text.length <= 5);
    if (!inName && codeLike && f.codeColumn && this.lex.catalog.column(f.table.name, f.codeColumn)?.category === 'text') {
      return { table: f.table.name, column: f.codeColumn };
    }
    return f.nameColumn ? { table: f.table.name, column: f.nameColumn } : undefined;
  }

  private readNulls(): void {
    for (let i = 0; i < this.items.length; i++) {
      if (this.used.has(i)) continue;
      const it = this.items[i];
      const before = has(it, 'null', 'without', 'notnull');
      if (!before) {
        // "end date is null", "email is not null"
        const c = this.pickColumn(it);
        if (c && !this.isTableItem(it) && has(this.items[i + 1], 'eq') && has(this.items[i + 2], 'null', 'notnull')) {
          const negated = has(this.items[i + 2], 'notnull') || has(this.items[i + 1], 'neg');
          this.nullCheck(c, negated, [i, i + 1, i + 2]);
        } else if (c && !this.isTableItem(it) && has(this.items[i + 1], 'null', 'notnull') &&
          !this.isTableItem(this.items[i + 2]) && !this.pickColumn(this.items[i + 2])) {
          // "budget not set", "email missing"
          this.nullCheck(c, has(this.items[i + 1], 'notnull') && !has(this.items[i + 1], 'null'), [i, i + 1]);
        }
        continue;
      }
      const j = this.next(i);
      const target = this.items[j];
      const c = this.pickColumn(target);
      if (!c || this.isTableItem(target) || has(this.items[j + 1], ...Object.keys(CMP), 'between')) continue;
      if (senses(target, 'measure').length) continue;
      this.nullCheck(c, has(it, 'notnull') && !has(it, 'null'), [i, j]);
    }
    // "contacts with email": a plain "with" before a nullable column that nothing compares.
    for (let i = 0; i < this.items.length; i++) {
      if (this.used.has(i) || !has(this.items[i], 'with') || this.items[i].text.toLowerCase() !== 'with') continue;
      const j = i + 1;
      const target = this.items[j];
      const c = this.pickColumn(target);
      if (!c || this.isTableItem(target) || this.used.has(j)) continue;
      const column = this.lex.catalog.column(c.table, c.column);
      if (!column?.nullable || column.category === 'number' || this.items[j + 1] && !has(this.items[j + 1], 'and', 'with')) continue;
      this.nullCheck(c, true, [i, j]);
    }
  }

  private nullCheck(c: ColumnSense, negated: boolean, at: number[]): void {
    this.ensure(c.table);
    this.plan.where.push({ k: 'null', arg: col(c.table, c.column), negated });
    at.forEach((k) => this.used.add(k));
    this.plan.steps.push(`Filter: ${c.column} IS ${negated ? 'NOT ' : ''}NULL.`);
  }

  /** The table item a value or filter stands before as an adjective ("active projects", "Finance department projects"). */
  private nounAfter(i: number, support: Map<string, number>): string | undefined {
    for (let j = i + 1; j < this.items.length && j - i <= 3; j++) {
      const it = this.items[j];
      if (it.at !== this.items[j - 1].end) return undefined;
      if (this.isTableItem(it)) return this.tableOf(it, support);
      if (has(it, 'and', 'or') || senses(it, 'value').length || senses(it, 'filter').length || (senses(it, 'column').length && !has(it, ...Object.keys(CMP)))) continue;
      return undefined;
    }
    return undefined;
  }

  /** A value of a table the question does not name counts only when written as a name (capitals, quotes). */
  private valueAllowed(v: ValueSense, item: Item, mentioned: Set<string>): boolean {
    if (this.inPlay().includes(v.table) || mentioned.has(v.table) || this.existsTargets.has(v.table)) return true;
    // "Average" is a grammar word before it is a supplier rating.
    return item.kws.size === 0 && item.at > 0 && /[A-Z]/.test(item.text);
  }

  private readValuesAndFilters(support: Map<string, number>): void {
    const mentioned = new Set(this.items.filter((it) => this.isTableItem(it)).map((it) => this.tableOf(it, support)!));
    const valueGroups = new Map<string, { sense: ValueSense; values: string[]; negated: boolean }>();
    for (let i = 0; i < this.items.length; i++) {
      if (this.used.has(i)) continue;
      const it = this.items[i];
      const noun = this.nounAfter(i, support);
      const values = senses(it, 'value').filter((v) => this.valueAllowed(v, it, mentioned));
      const filters = senses(it, 'filter');
      if (values.length === 0 && filters.length === 0) continue;
      const negated = has(this.items[i - 1], 'neg') || (has(this.items[i - 1], 'in') && has(this.items[i - 2], 'neg'));
      if (negated) this.used.add(i - 1);
      // A value written with its column ("high priority", "active status") is that value, not a business rule.
      const explicit = values.filter((v) => it.text.split(/\s+/).length > v.value.split(/\s+/).length);
      const byNoun = <T extends { table: string }>(list: T[]) => (noun ? list.find((x) => x.table === noun) : undefined) ?? this.pickFromList(list);
      let filter = filters.length ? byNoun(filters) : undefined;
      const value = values.length ? byNoun(explicit.length ? explicit : values) : undefined;
      // A business rule that only says "column = this value" is the value itself (so "a or b" becomes IN).
      if (filter && value && filter.table === value.table && filter.cond.k === 'cmp' && filter.cond.op === '=' &&
        filter.cond.left.k === 'col' && filter.cond.left.column === value.column && filter.cond.right.k === 'lit' && filter.cond.right.value === value.value) {
        filter = undefined;
      }
      const play = this.inPlay();
      const useValue = value && (explicit.length > 0 || !filter || (value.table === noun && filter.table !== noun) ||
        (play.includes(value.table) && !play.includes(filter.table) && filter.table !== noun));
      const target = useValue ? value!.table : filter?.table;
      this.used.add(i);
      const sub = target ? this.existsTargets.get(target) : undefined;
      if (sub && !play.includes(target!)) {
        // "projects without active contracts": the condition belongs to the existence test; after it, a participle.
        if (i < sub.at) {
          const cond: Cond = useValue
            ? { k: 'cmp', op: negated ? '<>' : '=', left: col(target!, value!.column), right: lit(value!.value) }
            : negated ? { k: 'not', item: filter!.cond } : filter!.cond;
          sub.query.where.push(rekey(cond, target!, `${target}#sub`));
          this.plan.steps.push(`Condition "${it.text}" applies inside the existence test on ${target}.`);
        }
        continue;
      }
      if (useValue && value) {
        const onSubject = this.viaForeignKey(value);
        const sense = onSubject && onSubject.table !== value.table ? { ...value, table: onSubject.table, column: onSubject.column } : value;
        const key = `${sense.table}.${sense.column}`;
        const group = valueGroups.get(key) ?? { sense, values: [], negated };
        group.values.push(value.value);
        valueGroups.set(key, group);
        continue;
      }
      if (filter) {
        const before = this.plan.where.length;
        this.applyFilter(filter, negated);
        // "overdue or on hold": alternatives joined by "or".
        if (has(this.items[i - 1], 'or') && before > 0 && this.plan.where.length === before + 1 && this.lastFilterAt === i - 2) {
          const added = this.plan.where.pop()!;
          const prior = this.plan.where.pop()!;
          this.plan.where.push({ k: 'or', items: [prior, added] });
        }
        this.lastFilterAt = i;
      }
    }
    for (const { sense, values, negated } of valueGroups.values()) {
      this.ensure(sense.table);
      const arg = col(sense.table, sense.column);
      const cond: Cond = values.length === 1
        ? { k: 'cmp', op: negated ? '<>' : '=', left: arg, right: lit(values[0]) }
        : { k: 'in', arg, values: values.map((v) => lit(v)), negated };
      this.plan.where.push(cond);
      this.plan.steps.push(`Filter: ${sense.table}.${sense.column} ${negated ? 'not ' : ''}${values.map((v) => `'${v}'`).join(' or ')} (value of the column).`);
    }
  }

  private applyFilter(filter: FilterSense, negated: boolean): void {
    if (filter.having) {
      // "overallocated resources": a condition on a per-key total of the filter's table.
      const h = filter.having;
      const base = filter.cond.k === 'cmp' ? filter.cond : undefined;
      const fk = this.facts(filter.table).table.foreignKeys.find((f) => f.columns.length === 1 && f.columns[0] === h.per);
      const parent = fk && this.lex.catalog.table(fk.refTable)?.name;
      const related = base && parent === this.plan.subject && (base.op === '<' || base.op === '<=') ? this.relatedCount(filter.table, h.fn, h.column) : undefined;
      if (base && related) {
        // "underutilized resources": a total below a bound includes the rows with nothing at all (total 0).
        const total: Expr = { k: 'fn', name: 'COALESCE', args: [related, lit(0)] };
        this.plan.computed.push({ expr: total, alias: aliasName(`total_${h.column}`) });
        this.plan.where.push({ ...base, left: total });
        this.plan.steps.push(`Business rule "${filter.label}": ${h.fn}(${h.column}) of each ${parent} row's ${filter.table} rows, none counting as 0.`);
        return;
      }
      this.plan.from = filter.table;
      const perExpr = col(filter.table, h.per);
      if (!this.plan.groupBy.some((g) => g.expr.k === 'col' && g.expr.column === h.per)) this.plan.groupBy.push({ expr: perExpr });
      const agg: Expr = { k: 'fn', name: h.fn, args: [col(filter.table, h.column)] };
      this.addAggregate({ fn: h.fn, arg: col(filter.table, h.column), alias: aliasName(`total_${h.column}`) });
      if (base) this.plan.having.push({ ...base, left: agg });
      this.plan.steps.push(`Business rule "${filter.label}": ${h.fn}(${h.column}) per ${h.per}.`);
      return;
    }
    this.ensure(filter.table);
    this.plan.where.push(negated ? { k: 'not', item: filter.cond } : filter.cond);
    // "over budget": by how much, the difference of the two columns the rule compares.
    const c = filter.cond;
    if (!negated && c.k === 'cmp' && c.left.k === 'col' && c.right.k === 'col' && ['>', '<', '>=', '<='].includes(c.op)) {
      const [hi, lo] = c.op.startsWith('>') ? [c.left, c.right] : [c.right, c.left];
      this.plan.computed.push({ expr: { k: 'bin', op: '-', left: hi, right: lo }, alias: aliasName(`${hi.column}_minus_${lo.column}`) });
    }
    this.plan.steps.push(`Business rule "${filter.label}"${negated ? ' (negated)' : ''} on ${filter.table}.`);
  }

  /** Other tables: joined, tested for existence, or counted, by the words before them. */
  private readTables(support: Map<string, number>): void {
    for (let i = 0; i < this.items.length; i++) {
      if (this.used.has(i) || !this.isTableItem(this.items[i])) continue;
      // "without staff assignments": a compound names one table, its head word last.
      let head = i;
      while (this.isTableItem(this.items[head + 1]) && this.items[head + 1].at === this.items[head].end && !this.used.has(head + 1)) head++;
      for (let k = i; k < head; k++) this.used.add(k);
      const prev = this.prevContent(i);
      // "more than 3 staff", "multiple contracts", "number of contracts": a count, read with the comparisons or measures.
      if ((prev?.kind === 'num' && has(this.items[i - 2], ...Object.keys(CMP))) || has(prev, 'multiple', 'count')) {
        for (let k = i; k <= head; k++) this.used.delete(k);
        i = head;
        continue;
      }
      i = head;
      const table = this.tableOf(this.items[i], support, has(prev, 'without', 'have', 'with', 'left') ? this.plan.subject : undefined);
      if (!table) continue;
      this.used.add(i);
      if (has(prev, 'group')) {
        this.used.delete(i);
        continue;
      }
      if (table === this.plan.subject) {
        this.selfRelation(i, prev);
        continue;
      }
      if (has(prev, 'most', 'least')) {
        this.used.delete(i);
        continue;
      }
      if (has(prev, 'left') || this.items.slice(i + 1).some((it) => has(it, 'left'))) {
        this.join(table, 'LEFT', `"${this.items[i].text}" optional: LEFT JOIN keeps rows without a match`);
      } else if (has(prev, 'without') || (has(prev, 'and', 'or') && this.lastExistence === 'without')) {
        // "without contracts or contacts": the coordinated noun shares the test.
        this.existence(table, true, i);
        this.lastExistence = 'without';
      } else if (has(prev, 'have') || (has(prev, 'and', 'or') && this.lastExistence === 'have')) {
        this.existence(table, false, i);
        this.lastExistence = 'have';
      } else if (has(prev, 'with')) {
        // "with their contact information": details shown where they exist, every row kept.
        const optional = /\b(information|info|details?)\b/i.test(this.items[i].text) && /\btheir\b|\bits\b/i.test(prev!.text);
        this.join(table, optional ? 'LEFT' : this.options.withJoin ?? 'INNER', `"${prev!.text} ${this.items[i].text}": ${optional ? 'optional details, LEFT' : ''} join`);
      } else if (this.plan.joins.has(table)) {
        this.ensure(table);
      } else {
        const path = this.lex.path(this.plan.subject, table);
        if (path?.every((h) => h.toParent)) this.join(table, 'LEFT', `"${this.items[i].text}" is a parent of ${this.plan.subject}: LEFT JOIN`);
        else this.join(table, this.options.withJoin ?? 'INNER', `"${this.items[i].text}": join`);
      }
    }
  }

  private join(table: string, type: 'INNER' | 'LEFT', why: string): void {
    this.ensure(table, type);
    this.plan.steps.push(`${why} ${table} along ${this.pathText(table)}.`);
  }

  private pathText(table: string): string {
    const path = this.lex.path(this.plan.subject, table) ?? [];
    return path.map((h) => `${h.from}.${h.fromColumns.join(',')} = ${h.to}.${h.toColumns.join(',')}`).join(', ') || 'no key';
  }

  private existence(table: string, negated: boolean, at: number): void {
    const path = this.lex.path(this.plan.subject, table);
    if (!path || path.length === 0) return;
    const query = this.existsQuery(path);
    this.existsTargets.set(table, { query, at });
    this.plan.where.push({ k: 'exists', query, negated });
    this.plan.steps.push(`${negated ? 'NOT EXISTS' : 'EXISTS'}: ${this.plan.subject} rows ${negated ? 'without' : 'with'} a ${table} row (${this.pathText(table)}).`);
  }

  /** `SELECT 1 FROM <path> WHERE <first hop> = outer` for EXISTS along a foreign-key path. */
  private existsQuery(path: Hop[]): Query {
    const keyOf = (t: string) => `${t}#sub`;
    const first = path[0];
    const q = emptyQuery({ table: first.to, key: keyOf(first.to) });
    q.select = [{ expr: lit(1) }];
    q.where = [hopCondition(first, this.plan.subject, keyOf(first.to))];
    for (const hop of path.slice(1)) q.joins.push({ type: 'INNER', source: { table: hop.to, key: keyOf(hop.to) }, on: hopCondition(hop, keyOf(hop.from), keyOf(hop.to)) });
    return q;
  }

  /** Parent/child words on a self-referencing table: "with their parent", "that have sub-projects". */
  private selfRelation(i: number, prev: Item | undefined): void {
    const self = selfReference(this.lex.catalog, this.plan.subject);
    if (!self) return;
    const childWord = this.items.some((it) => has(it, 'child'));
    if (childWord && has(prev, 'without', 'have')) {
      const key = `${this.plan.subject}#sub`;
      const q = emptyQuery({ table: this.plan.subject, key });
      q.select = [{ expr: lit(1) }];
      q.where = [{ k: 'cmp', op: '=', left: col(key, self.column), right: col(this.plan.subject, self.refColumn) }];
      this.plan.where.push({ k: 'exists', query: q, negated: has(prev, 'without') });
      this.plan.steps.push(`${has(prev, 'without') ? 'NOT EXISTS' : 'EXISTS'} a child row (${self.column} = ${self.refColumn}).`);
    } else if (!this.topLevel && this.items.some((it) => has(it, 'parent'))) {
      this.plan.selfParent = true;
      this.plan.steps.push(`LEFT JOIN ${this.plan.subject} as parent on ${self.column} = parent.${self.refColumn}.`);
    }
  }

  /** A measure that is itself a total ("utilization"): grouped by its key, shown as a column. */
  private useAggregateMeasure(m: MeasureSense): void {
    this.plan.from ??= m.table;
    if (m.per && !this.plan.groupBy.some((g) => g.expr.k === 'col' && g.expr.column === m.per)) this.plan.groupBy.push({ expr: col(m.table, m.per) });
    this.addAggregate({ fn: '', arg: m.expr, alias: aliasName(m.label) });
  }

  /** Rows of a self-referencing table as children ("sub-projects") and their parents. */
  private readHierarchy(): void {
    const self = selfReference(this.lex.catalog, this.plan.subject);
    if (!self) return;
    const childAt = this.items.findIndex((it) => has(it, 'child'));
    const parentAt = this.items.findIndex((it) => has(it, 'parent'));
    const afterParent = has(this.items[parentAt + 1], 'eq') ? this.items[parentAt + 2] : this.items[parentAt + 1];
    if (parentAt >= 0 && (has(afterParent, 'null', 'without') || has(this.items[parentAt - 1], 'without', 'null'))) {
      // "whose parent is missing", "without a parent": top-level rows.
      this.plan.where.push({ k: 'null', arg: col(this.plan.subject, self.column), negated: false });
      this.used.add(parentAt);
      this.topLevel = true;
      this.plan.steps.push(`Top-level rows: ${self.column} IS NULL.`);
      return;
    }
    if (childAt >= 0 && !has(this.prevContent(childAt), 'have', 'without')) {
      const s = this.plan.subject;
      this.plan.where.push({ k: 'null', arg: col(s, self.column), negated: true });
      this.plan.steps.push(`Child rows: ${self.column} IS NOT NULL.`);
      if (parentAt >= 0 && has(this.prevContent(parentAt), 'group') && this.items.some((it) => has(it, 'count'))) {
        this.plan.groupBy.push({ expr: col(s, self.column) });
        this.plan.steps.push(`Group by the parent (${self.column}).`);
      } else if (parentAt >= 0) {
        this.plan.selfParent = true;
        this.plan.steps.push(`LEFT JOIN ${s} as parent on ${self.column} = parent.${self.refColumn}.`);
      }
      this.used.add(childAt);
      if (parentAt >= 0) {
        this.used.add(parentAt);
        if (has(this.prevContent(parentAt), 'group')) this.used.add(this.items.indexOf(this.prevContent(parentAt)!));
      }
    }
  }

  /** "What percentage of projects are completed": the share of rows (or of a total) meeting the conditions. */
  private readPercentage(): void {
    const at = this.items.findIndex((it) => has(it, 'percent') && !has(it, 'percent_number'));
    if (at < 0 || this.plan.where.length === 0 || this.plan.aggregates.some((a) => a.fn !== 'SUM' && a.fn !== 'COUNT')) return;
    const when: Cond = this.plan.where.length === 1 ? this.plan.where[0] : { k: 'and', items: this.plan.where };
    const named = this.operandAt(this.next(at));
    const namedColumn = named?.column && this.lex.catalog.column(named.column.table, named.column.column)?.category === 'number' ? named.column : undefined;
    if (namedColumn) {
      this.used.add(named!.at);
      this.addAggregate({ fn: 'SUM', arg: col(namedColumn.table, namedColumn.column), alias: aliasName(`total_${namedColumn.column}`) });
    }
    const total = this.plan.aggregates.find((a) => a.fn === 'SUM' && a.arg);
    const part: Expr = { k: 'fn', name: 'SUM', args: [{ k: 'case', when, then: total ? total.arg! : lit(1), else: lit(0) }] };
    const whole: Expr = total ? { k: 'fn', name: 'SUM', args: [total.arg!] } : { k: 'fn', name: 'COUNT', args: [], star: true };
    const ratio: Expr = { k: 'bin', op: '/', left: { k: 'bin', op: '*', left: { k: 'sql', text: '100.0' }, right: part }, right: { k: 'fn', name: 'NULLIF', args: [whole, lit(0)] } };
    this.plan.where = [];
    this.plan.aggregates = [{ fn: '', arg: ratio, alias: 'percentage' }];
    this.used.add(at);
    this.plan.steps.push(`Percentage: rows meeting the conditions over ${total ? `total ${total.alias}` : 'all rows'} (CASE inside SUM).`);
  }

  private readAggregates(): void {
    for (let i = 0; i < this.items.length; i++) {
      const it = this.items[i];
      if (this.used.has(i)) continue;
      if (has(it, 'count') && !has(it, 'sum', 'avg')) {
        // "count the number of …": one count however many words say it.
        let j = this.next(i);
        while (has(this.items[j], 'count') && !isContent(this.items[j])) this.used.add(j++);
        const target = this.items[j];
        const distinct = has(target, 'distinct');
        const t2 = distinct ? this.items[j + 1] : target;
        const c = distinct ? this.pickColumn(t2) : undefined;
        this.used.add(i);
        if (c) {
          this.used.add(j);
          this.used.add(j + 1);
          this.addAggregate({ fn: 'COUNT', arg: col(c.table, c.column), distinct: true, alias: aliasName(`distinct_${c.column}`) });
          this.plan.steps.push(`Measure: COUNT(DISTINCT ${c.column}).`);
        } else {
          const table = t2 && this.isTableItem(t2) ? senses(t2, 'table')[0].table : this.plan.subject;
          const perRow = table !== this.plan.subject && this.subjectBefore(i) && !this.items.some((x) => has(x, 'group'));
          const counted = perRow ? this.relatedCount(table) : undefined;
          if (counted) {
            // "companies and their number of contracts": a count per listed row, zero included.
            this.used.add(j);
            this.plan.computed.push({ expr: counted, alias: aliasName(`${t2.text}_count`) });
            this.plan.steps.push(`Per ${this.plan.subject} row: the number of related ${table} rows (correlated COUNT).`);
            continue;
          }
          const noun = t2 && this.isTableItem(t2) ? t2.text : table.split('_').at(-1)!;
          this.addAggregate({ fn: 'COUNT', alias: aliasName(`${noun}_count`), countTable: table !== this.plan.subject ? table : undefined });
          this.plan.steps.push(`Measure: COUNT of ${table} rows.`);
        }
        continue;
      }
      const agg = Object.keys(AGG).find((k) => has(it, k));
      if (!agg || has(it, 'count')) continue;
      if (this.items.slice(i + 1, i + 3).some((x) => has(x, 'most', 'least'))) continue;
      let j = this.next(i);
      if (has(this.items[j], 'count')) continue;
      if (has(this.items[j], 'of', 'in')) j++;
      // "average project budget": the table word qualifies the column after it.
      if (this.isTableItem(this.items[j]) && (senses(this.items[j + 1], 'column').length || senses(this.items[j + 1], 'measure').length)) {
        this.used.add(j);
        j++;
      }
      const target = this.items[j];
      const m = this.pickMeasure(target);
      const c = m ? undefined : this.pickColumn(target);
      if (!m && (!c || (this.isTableItem(target) && !senses(target, 'column').length))) continue;
      this.used.add(i);
      this.used.add(j);
      if (m) {
        this.ensure(m.table);
        this.addAggregate({ fn: m.aggregate ? '' : AGG[agg], arg: m.expr, alias: aliasName(`${agg}_${m.label}`) });
        this.plan.steps.push(`Measure: ${AGG[agg]}(${m.label}).`);
      } else if (c) {
        this.ensure(c.table);
        this.addAggregate({ fn: AGG[agg], arg: col(c.table, c.column), alias: aliasName(`${agg === 'sum' ? 'total' : agg}_${c.column}`) });
        this.plan.steps.push(`Measure: ${AGG[agg]}(${c.column}).`);
      }
    }
    // Measures from the vocabulary named without an aggregate word.
    for (let i = 0; i < this.items.length; i++) {
      if (this.used.has(i)) continue;
      const m = this.pickMeasure(this.items[i]);
      if (!m) continue;
      this.used.add(i);
      if (m.aggregate) {
        this.useAggregateMeasure(m);
      } else {
        this.ensure(m.table);
        this.plan.computed.push({ expr: m.expr, alias: aliasName(m.label) });
        if (m.denominator && !this.plan.aggregates.length) this.plan.where.push({ k: 'cmp', op: '>', left: m.denominator, right: lit(0) });
      }
      this.plan.steps.push(`Derived measure "${m.label}" from the vocabulary.`);
    }
  }

  private readGroups(support: Map<string, number>): void {
    for (let i = 0; i < this.items.length; i++) {
      const it = this.items[i];
      if (!has(it, 'group') || this.used.has(i)) continue;
      let j = this.next(i);
      const target = this.items[j];
      if (!target) continue;
      const unit = this.lex.grammar.units[target.text.toLowerCase()];
      if (unit === 'year' || unit === 'month' || unit === 'quarter') {
        const d = this.dateColumnFor(i);
        const e = col(d.table, d.column);
        this.plan.groupBy.push({ expr: { k: 'extract', field: 'YEAR', arg: e }, alias: 'year' });
        if (unit !== 'year') this.plan.groupBy.push({ expr: { k: 'extract', field: unit.toUpperCase(), arg: e }, alias: unit });
        [i, j].forEach((k) => this.used.add(k));
        this.plan.steps.push(`Group by ${unit} of ${d.column}.`);
        continue;
      }
      // "by project department": a table word qualifying the column after it.
      const qualified = this.isTableItem(target) && this.items[j + 1]?.at === target.end && !this.isTableItem(this.items[j + 1])
        ? senses(this.items[j + 1], 'column').find((x) => senses(target, 'table').some((t) => t.table === x.table)) : undefined;
      if (qualified) this.used.add(j++);
      const c = qualified ?? (this.isTableItem(target) ? undefined : this.pickColumn(target));
      if (c) {
        const column = this.lex.catalog.column(c.table, c.column);
        const numeric = column?.category === 'number' && !column.primaryKey;
        const aggregating = this.plan.aggregates.length > 0 || this.items.some((x) => has(x, 'count'));
        [i, j].forEach((k) => this.used.add(k));
        if (it.text.toLowerCase() === 'by' && (numeric || column?.category === 'date') && !aggregating) {
          // "resources by capacity": an ordering, not a grouping.
          this.addOrder({ expr: this.perRowAmount(c), desc: numeric, nullsLast: this.options.nullsLast });
          this.plan.steps.push(`Order by ${c.column}${numeric ? ' descending' : ''}.`);
          continue;
        }
        this.ensure(c.table);
        this.plan.groupBy.push({ expr: col(c.table, c.column) });
        this.plan.steps.push(`Group by ${c.table}.${c.column}.`);
        // "by type and value": further columns joined by "and".
        let k = j + 1;
        while (has(this.items[k], 'and') && this.pickColumn(this.items[k + 1]) && !this.isTableItem(this.items[k + 1])) {
          const c2 = this.pickColumn(this.items[k + 1])!;
          const col2 = this.lex.catalog.column(c2.table, c2.column);
          if (col2?.category === 'number') this.addAggregate({ fn: 'SUM', arg: col(c2.table, c2.column), alias: aliasName(`total_${c2.column}`) });
          else this.plan.groupBy.push({ expr: col(c2.table, c2.column) });
          this.used.add(k);
          this.used.add(k + 1);
          k += 2;
        }
        continue;
      }
      if (this.isTableItem(target)) {
        const table = this.tableOf(target, support);
        if (!table) continue;
        [i, j].forEach((k) => this.used.add(k));
        this.groupByTable(table);
      }
    }
  }

  /** The columns a group of one table's rows is shown by: its key, then the columns that name it. */
  private keyAndNames(table: string): string[] {
    const f = this.facts(table);
    return [...new Set([...f.table.primaryKey, ...f.display])];
  }

  /** "including those with none", "even without contracts": groups with nothing counted stay, at zero. */
  private keepsZeroGroups(): boolean {
    if (this.items.some((it) => has(it, 'zero_rows'))) return true;
    const opener = this.items.findIndex((it) => /^(including|even|all)\b/i.test(it.text));
    return opener >= 0 && this.items.slice(opener + 1).some((it) => has(it, 'none', 'without', 'left'));
  }

  /** "per company": group by the key that leads to the group's table, with its name when reachable. */
  private groupByTable(table: string): void {
    const subject = this.plan.from ?? this.plan.subject;
    if (this.plan.aggregates.length === 0 && !this.items.some((it) => has(it, 'count', 'sum', 'avg', 'max', 'min', 'most', 'least', 'percent'))) {
      // "the contact email for each company": no measure, so the rows are listed with that table's names.
      const path = this.lex.path(subject, table);
      if (path && table !== subject) this.join(table, path.every((h) => h.toParent) ? 'LEFT' : 'INNER', `"each ${table}" without a measure:`);
      return;
    }
    if (table === subject) {
      // "margin per project" over the projects themselves: one row each, no grouping needed.
      if (this.plan.aggregates.length === 0) return;
      for (const k of this.keyAndNames(table)) this.plan.groupBy.push({ expr: col(table, k) });
      return;
    }
    const keepZero = this.keepsZeroGroups();
    const path = this.lex.path(subject, table);
    if (!path || path.length === 0) return;
    if (keepZero) {
      // Counts that keep zero rows: start from the group's table, LEFT JOIN what is counted.
      this.plan.from = table;
      for (const k of this.keyAndNames(table)) this.plan.groupBy.push({ expr: col(table, k) });
      this.plan.joins.delete(table);
      this.plan.joins.set(subject, 'LEFT');
      this.plan.keepZero = subject;
      this.plan.steps.push(`Group by ${table} keeping groups with no ${subject} (LEFT JOIN, COUNT of matched keys).`);
      return;
    }
    const last = path[path.length - 1];
    if (last.toParent) {
      // The referencing column on the near side of the last hop is the group key.
      const keyTable = last.from;
      if (keyTable !== subject) this.ensure(keyTable);
      for (const c of last.fromColumns) this.plan.groupBy.push({ expr: col(keyTable, c) });
      if (path.length > 1) this.plan.countDistinct = true;
      this.plan.steps.push(`Group by ${keyTable}.${last.fromColumns.join(',')} (the key of ${table}).`);
    } else {
      this.ensure(table);
      for (const k of this.keyAndNames(table)) this.plan.groupBy.push({ expr: col(table, k) });
      this.plan.countDistinct = true;
      this.plan.steps.push(`Group by ${table} (${this.facts(table).display.join(', ')}).`);
    }
  }

  private readOrdering(): void {
    let limit: number | undefined;
    for (let i = 0; i < this.items.length; i++) {
      const it = this.items[i];
      if (it.kind === 'num' && !this.used.has(i)) {
        const prev = this.items[i - 1];
        const next = this.items[i + 1];
        if (has(prev, 'most', 'least', 'recent', 'oldest') || has(next, 'most', 'least', 'recent', 'oldest') || (this.isTableItem(next) && !has(prev, ...Object.keys(CMP)))) {
          limit = it.num;
          this.used.add(i);
        }
      }
    }
    const descWord = this.items.some((it) => has(it, 'desc'));
    const ascWord = this.items.some((it) => has(it, 'asc'));
    for (let i = 0; i < this.items.length; i++) {
      const it = this.items[i];
      if (this.used.has(i) && (!has(it, 'most', 'least') || this.ranked.has(i))) continue;
      if (has(it, 'order')) {
        const c = this.pickColumn(this.items[this.next(i)]);
        if (c) {
          this.ensure(c.table);
          this.addOrder({ expr: col(c.table, c.column), desc: descWord && !ascWord });
          this.used.add(i);
          this.used.add(this.next(i));
          this.plan.steps.push(`Order by ${c.column}${descWord ? ' descending' : ''}.`);
        }
      } else if (has(it, 'alphabetical')) {
        const name = this.facts(this.plan.subject).nameColumn;
        if (name) this.addOrder({ expr: col(this.plan.subject, name), desc: false });
        this.used.add(i);
        this.plan.steps.push(`Order by ${name} alphabetically.`);
      } else if (has(it, 'most', 'least') && !has(it, 'recent', 'oldest', 'previous')) {
        this.superlative(i, has(it, 'most') && !has(it, 'least'), limit);
        limit = undefined;
      } else if (has(it, 'recent', 'oldest') && !this.used.has(i) && !has(this.items[i + 1], 'count')) {
        const unitNext = this.items[i + 1] && this.lex.grammar.units[this.items[i + 1].text.toLowerCase()];
        if (unitNext) continue;
        const named = this.operandAt(this.next(i))?.column;
        const dateNamed = named && ['date', 'timestamp'].includes(this.lex.catalog.column(named.table, named.column)?.category ?? '') ? named : undefined;
        const d = dateNamed ?? this.dateColumnFor(i);
        this.addOrder({ expr: col(d.table, d.column), desc: has(it, 'recent'), nullsLast: this.options.nullsLast });
        this.used.add(i);
        this.plan.steps.push(`Order by ${d.column} ${has(it, 'recent') ? 'newest' : 'oldest'} first.`);
        if (limit !== undefined) this.plan.limit = limit;
        else if (this.singularSubject()) this.plan.limit = 1;
        limit = undefined;
      }
    }
    if (limit !== undefined && this.plan.orderBy.length) this.plan.limit = limit;
    else if (limit !== undefined) {
      this.plan.limit = limit;
      this.plan.guesses.push('a row limit without an order');
    }
    if (descWord && this.plan.orderBy.length === 0 && this.plan.aggregates.length) {
      this.addOrder({ expr: { k: 'sql', text: this.plan.aggregates[0].alias }, desc: true });
    }
  }

  /** The subject's own word comes before position i ("companies and their number of …"). */
  private subjectBefore(i: number): boolean {
    return this.items.slice(0, i).some((it) => this.isTableItem(it) && senses(it, 'table').some((s) => s.table === this.plan.subject));
  }

  private singularSubject(): boolean {
    const item = this.items.find((it) => this.isTableItem(it) && senses(it, 'table').some((s) => s.table === this.plan.subject));
    return item !== undefined && !plural(item);
  }

  /** "highest budget", "most contracts", "department with the highest total budget". */
  private superlative(i: number, desc: boolean, limit: number | undefined): void {
    let j = this.next(i);
    if (this.items[j]?.kind === 'num') {
      limit = this.items[j].num;
      this.used.add(j);
      j++;
    }
    if (has(this.items[j], 'most', 'least')) j++;
    const aggKw = Object.keys(AGG).find((k) => has(this.items[j], k));
    if (aggKw || has(this.items[j], 'count')) j++;
    const target = this.items[j];
    this.used.add(i);
    const withThe = has(this.prevContent(i), 'with') || /^the$/i.test(this.items[i - 1]?.text ?? '');
    const n = limit ?? (this.singularSubject() || this.firstIsColumnGroup() || withThe || this.items.some((it) => has(it, 'which')) ? 1 : undefined);
    const m = this.pickMeasure(target);
    const c = m ? undefined : this.pickColumn(target);
    if (target && this.isTableItem(target) && senses(target, 'table').some((s) => s.table === this.plan.subject)) {
      this.used.add(j);
      this.rankSubject(j, desc, n ?? limit);
      return;
    }
    if (target && this.isTableItem(target) && !(c && !this.isTableItem(target))) {
      // "which company has the most contracts": count related rows per subject row.
      const table = senses(target, 'table')[0].table;
      this.used.add(j);
      const counted = this.relatedCount(table);
      if (counted && table !== this.plan.subject) {
        const alias = aliasName(`${table.split('_').at(-1)}_count`);
        this.plan.computed.push({ expr: counted, alias });
        this.addOrder({ expr: { k: 'sql', text: alias }, desc, nullsLast: this.options.nullsLast });
      } else if (this.plan.groupBy.length || this.firstIsColumnGroup()) {
        this.addAggregate({ fn: 'COUNT', alias: 'count' });
        this.addOrder({ expr: { k: 'sql', text: 'count' }, desc });
      }
      if (n !== undefined) this.plan.limit = n;
      this.plan.steps.push(`Order by the number of ${table} rows, ${desc ? 'most' : 'fewest'} first${n ? `, keep ${n}` : ''}.`);
      return;
    }
    if (!m && !c) return;
    this.used.add(j);
    if (c && !this.isTableItem(target) && this.lex.catalog.column(c.table, c.column)?.category === 'text' && has(this.items[j + 1], 'group')) {
      // "top 3 departments by number of projects": rank the groups by the measure after "by".
      this.ensure(c.table);
      this.plan.groupBy.push({ expr: col(c.table, c.column) });
      this.used.add(j + 1);
      const k = this.next(j + 1);
      const by = this.items[k];
      const aggAfter = Object.keys(AGG).find((x) => has(by, x));
      const measureAt = aggAfter ? this.operandAt(this.next(k)) : this.operandAt(k);
      let alias = 'count';
      if (has(by, 'count') || !measureAt) {
        alias = this.plan.aggregates.find((x) => x.fn === 'COUNT' && !x.arg)?.alias ?? alias;
        this.addAggregate({ fn: 'COUNT', alias });
        this.used.add(k);
        const counted = this.items[this.next(k)];
        if (counted && this.isTableItem(counted)) this.used.add(this.next(k));
      } else {
        const e: Expr = measureAt.measure ? measureAt.measure.expr : col(measureAt.column!.table, measureAt.column!.column);
        const fn = AGG[aggAfter ?? 'sum'];
        alias = aliasName(`${aggAfter === 'avg' ? 'avg' : 'total'}_${measureAt.measure?.label ?? measureAt.column!.column}`);
        this.addAggregate({ fn, arg: e, alias });
        [k, measureAt.at].forEach((x) => this.used.add(x));
      }
      this.addOrder({ expr: { k: 'sql', text: alias }, desc, nullsLast: this.options.nullsLast });
      if (n !== undefined) this.plan.limit = n;
      this.plan.steps.push(`Rank ${c.column} groups by ${alias}${n ? `, keep ${n}` : ''}.`);
      return;
    }
    const expr: Expr = m ? m.expr : col(c!.table, c!.column);
    if (m) this.ensure(m.table);
    if (c) this.ensure(c.table);
    const label = m ? m.label : c!.column;
    const grouped = this.plan.groupBy.length > 0 || this.firstIsColumnGroup();
    if (grouped || aggKw) {
      const fn = AGG[aggKw ?? 'sum'];
      const alias = aliasName(`${aggKw === 'avg' ? 'avg' : 'total'}_${label}`);
      if (!this.plan.aggregates.some((a) => a.alias === alias)) this.addAggregate({ fn, arg: expr, alias });
      this.addOrder({ expr: { k: 'sql', text: alias }, desc, nullsLast: this.options.nullsLast });
    } else {
      if (m) this.plan.computed.push({ expr, alias: aliasName(label) });
      this.addOrder({ expr, desc, nullsLast: this.options.nullsLast });
    }
    if (n !== undefined) this.plan.limit = n;
    this.plan.steps.push(`Order by ${label} ${desc ? 'descending' : 'ascending'}${n ? `, keep ${n}` : ''}.`);
  }

  /** Superlatives over the subject's own rows, read before anything else claims their words. */
  private readRankings(): void {
    for (let i = 0; i < this.items.length; i++) {
      const it = this.items[i];
      if (!has(it, 'most', 'least') || has(it, 'recent', 'oldest', 'previous')) continue;
      let j = this.next(i);
      let n: number | undefined;
      const before = this.items[i - 1];
      if (before?.kind === 'num') n = before.num;
      if (this.items[j]?.kind === 'num') {
        n = this.items[j].num;
        this.used.add(j);
        j++;
      }
      const target = this.items[j];
      if (!target || !this.isTableItem(target) || !senses(target, 'table').some((s) => s.table === this.plan.subject)) continue;
      if (this.plan.subject && !has(this.items[j + 1], 'group') && this.pickColumn(this.items[j + 1])) continue;
      this.used.add(i);
      this.ranked.add(i);
      if (before?.kind === 'num') this.used.add(i - 1);
      this.rankSubject(j, has(it, 'most') && !has(it, 'least'), n ?? (plural(target) ? undefined : 1));
    }
  }

  /**
   * "the 10 largest contracts", "top 5 companies by total contract value": the
   * subject's rows ranked by the measure after "by", else by its main amount.
   */
  private rankSubject(j: number, desc: boolean, n: number | undefined): void {
    const s = this.plan.subject;
    let expr: Expr | undefined;
    let label = '';
    if (has(this.items[j + 1], 'group')) {
      const k = this.next(j + 1);
      const aggKw = Object.keys(AGG).find((x) => has(this.items[k], x));
      const countKw = has(this.items[k], 'count');
      const operand = this.operandAt(aggKw || countKw ? this.next(k) : k);
      const counted = countKw ? this.items[this.next(k)] : undefined;
      if (countKw && counted && this.isTableItem(counted)) {
        const table = senses(counted, 'table')[0].table;
        expr = this.relatedCount(table);
        label = `${table.split('_').at(-1)}_count`;
        [j + 1, k, this.next(k)].forEach((x) => this.used.add(x));
      } else if (operand?.column) {
        const c = operand.column;
        expr = c.table === s ? col(s, c.column) : this.relatedCount(c.table, AGG[aggKw ?? 'sum'], c.column);
        label = c.table === s ? c.column : `${aggKw === 'avg' ? 'avg' : 'total'}_${c.column}`;
        [j + 1, k, operand.at].forEach((x) => this.used.add(x));
      } else if (operand?.measure) {
        expr = operand.measure.expr;
        label = operand.measure.label;
        [j + 1, k, operand.at].forEach((x) => this.used.add(x));
      }
    }
    if (!expr) {
      const main = this.mainAmount(s);
      if (!main) return;
      expr = col(s, main);
      label = main;
    }
    if (expr.k !== 'col') this.plan.computed.push({ expr, alias: aliasName(label) });
    this.addOrder({ expr: expr.k === 'col' ? expr : { k: 'sql', text: aliasName(label) }, desc, nullsLast: this.options.nullsLast });
    if (n !== undefined) this.plan.limit = n;
    this.plan.steps.push(`Rank ${s} rows by ${label} ${desc ? 'descending' : 'ascending'}${n ? `, keep ${n}` : ''}.`);
  }

  /** The column that measures a row's size: a money amount, else the first numeric non-key column. */
  private mainAmount(table: string): string | undefined {
    const t = this.facts(table).table;
    const fk = new Set(t.foreignKeys.flatMap((f) => f.columns));
    const cols = t.columns.filter((c) => c.category === 'number' && !c.primaryKey && !fk.has(c.name) && !/_id$/i.test(c.name));
    return (cols.find((c) => /budget|value|amount|revenue|price|limit/i.test(c.name)) ?? cols[0])?.name;
  }

  /** "Department with the highest …": the question opens on a column, which becomes the group. */
  private firstIsColumnGroup(): boolean {
    const first = this.items.findIndex((it) => isContent(it) && !has(it, 'list', 'which'));
    const it = this.items[first];
    if (!it || this.isTableItem(it)) return false;
    const c = this.pickColumn(it);
    if (!c || this.plan.aggregates.some((a) => a.arg?.k === 'col' && a.arg.column === c.column)) return false;
    const column = this.lex.catalog.column(c.table, c.column);
    if (column?.category !== 'text' || this.plan.groupBy.some((g) => g.expr.k === 'col' && g.expr.column === c.column)) {
      return this.plan.groupBy.some((g) => g.expr.k === 'col' && g.expr.column === c.column);
    }
    this.ensure(c.table);
    this.plan.groupBy.push({ expr: col(c.table, c.column) });
    this.used.add(first);
    this.plan.steps.push(`Group by ${c.column} (the question asks which ${c.column}).`);
    return true;
  }

  /** "Opportunities by stage" with no measure named: a count with totals and averages of the numeric columns. */
  private implicitSummary(): void {
    if (this.plan.groupBy.length === 0 || this.plan.aggregates.length || this.plan.having.length || this.plan.from) return;
    // "Revenue by year": the amount named before the grouping is totalled.
    const named = this.items.map((it, k) => (this.used.has(k) || this.isTableItem(it) ? undefined : this.pickColumn(it)))
      .filter((c): c is ColumnSense => c !== undefined && this.lex.catalog.column(c.table, c.column)?.category === 'number');
    if (named.length) {
      for (const c of named) this.addAggregate({ fn: 'SUM', arg: col(c.table, c.column), alias: aliasName(`total_${c.column}`) });
      this.plan.steps.push(`Total of ${named.map((c) => c.column).join(', ')} per group.`);
      return;
    }
    this.addAggregate({ fn: 'COUNT', alias: 'count' });
    const table = this.facts(this.plan.subject).table;
    const fkColumns = new Set(table.foreignKeys.flatMap((f) => f.columns));
    for (const c of table.columns) {
      if (c.category !== 'number' || c.primaryKey || fkColumns.has(c.name) || /_id$/i.test(c.name)) continue;
      this.addAggregate({ fn: 'SUM', arg: col(table.name, c.name), alias: aliasName(`total_${c.name}`) });
      this.addAggregate({ fn: 'AVG', arg: col(table.name, c.name), alias: aliasName(`avg_${c.name}`) });
    }
    this.plan.steps.push('No measure named: count per group, with totals and averages of the numeric columns.');
  }

  /** "ratio of revenue to budget", "difference between budget and actual cost": arithmetic on two columns. */
  private readTwoColumnMeasures(): void {
    for (let i = 0; i < this.items.length; i++) {
      const it = this.items[i];
      const ratio = has(it, 'ratio');
      if (this.used.has(i) || (!ratio && !has(it, 'difference'))) continue;
      const a = this.operandAt(this.next(i));
      if (!a?.column) continue;
      let k = a.at + 1;
      if (has(this.items[k], 'and', 'in', 'eq') && !isContent(this.items[k])) k++;
      const b = this.operandAt(k);
      if (!b?.column) continue;
      const left = col(a.column.table, a.column.column);
      const right = col(b.column.table, b.column.column);
      const expr: Expr = ratio
        ? { k: 'bin', op: '/', left, right: { k: 'fn', name: 'NULLIF', args: [right, lit(0)] } }
        : { k: 'bin', op: '-', left, right };
      const alias = aliasName(`${a.column.column}_${ratio ? 'to' : 'minus'}_${b.column.column}`);
      [i, a.at, b.at, k - 1].forEach((x) => this.used.add(x));
      this.ensure(a.column.table);
      this.ensure(b.column.table);
      const grouped = this.items.some((x, g) => has(x, 'group') && !senses(this.items[this.next(g)], 'table').some((t) => t.table === this.plan.subject));
      if (grouped) this.addAggregate({ fn: ratio ? 'AVG' : 'SUM', arg: expr, alias });
      else this.plan.computed.push({ expr, alias });
      this.plan.steps.push(`${ratio ? 'Ratio' : 'Difference'} of ${a.column.column} and ${b.column.column}.`);
    }
  }

  /** "budget or zero": a missing value shown as zero. */
  private readDefaults(): void {
    for (let i = 0; i + 2 < this.items.length; i++) {
      const c = this.pickColumn(this.items[i]);
      const zero = this.items[i + 2];
      if (!c || this.isTableItem(this.items[i]) || !has(this.items[i + 1], 'or') || zero.kind !== 'num' || zero.num !== 0) continue;
      this.ensure(c.table);
      this.plan.computed.push({ expr: { k: 'fn', name: 'COALESCE', args: [col(c.table, c.column), lit(0)] }, alias: aliasName(`${c.column}_or_zero`) });
      [i, i + 1, i + 2].forEach((k) => this.used.add(k));
      this.plan.steps.push(`${c.column} with missing values shown as 0 (COALESCE).`);
    }
  }

  /** "duplicate project codes": values occurring more than once. */
  private readDuplicates(): void {
    for (let i = 0; i < this.items.length; i++) {
      if (!has(this.items[i], 'duplicate')) continue;
      const j = this.next(i);
      const c = this.pickColumn(this.items[j]);
      if (!c) continue;
      this.ensure(c.table);
      this.plan.groupBy.push({ expr: col(c.table, c.column) });
      this.addAggregate({ fn: 'COUNT', alias: 'occurrences' });
      this.plan.having.push({ k: 'cmp', op: '>', left: { k: 'fn', name: 'COUNT', args: [], star: true }, right: lit(1) });
      [i, j].forEach((k) => this.used.add(k));
      this.plan.steps.push(`Duplicates: GROUP BY ${c.column} HAVING COUNT(*) > 1.`);
    }
  }

  private readWindows(): void {
    for (let i = 0; i < this.items.length; i++) {
      const it = this.items[i];
      if (has(it, 'rank') && !this.used.has(i)) {
        let j = this.next(i);
        while (j < this.items.length && !has(this.items[j], 'group', 'order')) j++;
        const target = this.items[this.next(j)];
        const m = this.pickMeasure(target);
        const c = m ? undefined : this.pickColumn(target);
        if (!m && !c) continue;
        const expr = m ? m.expr : this.perRowAmount(c!);
        const asc = this.items.some((x) => has(x, 'asc', 'least'));
        this.plan.computed.push({ expr: { k: 'fn', name: 'RANK', args: [], over: { order: [{ expr, desc: !asc, nullsLast: this.options.nullsLast }] } }, alias: 'rank_position' });
        if (m) this.plan.computed.push({ expr, alias: aliasName(m.label) });
        [i, j, this.next(j)].forEach((k) => this.used.add(k));
        this.plan.steps.push(`Window: RANK() over ${m ? m.label : c!.column} ${asc ? 'ascending' : 'descending'}.`);
      }
      if (has(it, 'running') && (has(it, 'sum') || it.text.toLowerCase().includes('total') || it.text.toLowerCase().includes('cumulative'))) {
        const operand = this.operandAt(this.next(i));
        const c = operand?.column;
        if (!operand || !c) continue;
        const j = operand.at;
        const d = this.dateColumnFor(i, c.table);
        this.ensure(c.table);
        this.plan.computed.push({
          expr: { k: 'fn', name: 'SUM', args: [col(c.table, c.column)], over: { order: [{ expr: col(d.table, d.column), desc: false }] } },
          alias: 'running_total',
        });
        [i, j].forEach((k) => this.used.add(k));
        this.plan.steps.push(`Window: running SUM(${c.column}) ordered by ${d.column}.`);
      }
    }
  }

  private readDistinct(): void {
    for (let i = 0; i < this.items.length; i++) {
      if (!has(this.items[i], 'distinct') || has(this.items[i], 'count') || has(this.items[i - 1], 'count')) continue;
      const cols: Expr[] = [];
      const startAt = this.operandAt(this.next(i))?.at ?? this.next(i);
      for (let j = startAt; j < this.items.length; j++) {
        const c = this.pickColumn(this.items[j]);
        if (c && (!this.isTableItem(this.items[j]) || senses(this.items[j], 'column').length)) {
          const table = this.isTableItem(this.items[j]) && cols.length ? undefined : c;
          if (!table) break;
          this.ensure(c.table);
          cols.push(col(c.table, c.column));
          this.used.add(j);
          if (!has(this.items[j + 1], 'and')) break;
          j++;
        } else break;
      }
      if (cols.length) {
        this.plan.distinct = cols;
        this.used.add(i);
        this.plan.steps.push(`DISTINCT ${cols.map((c) => (c.k === 'col' ? c.column : '')).join(', ')}.`);
      }
    }
  }

  /** "staff assignments with project names": a column of a parent table is shown through a LEFT JOIN. */
  private readMentionedColumns(): void {
    if (this.plan.aggregates.length || this.plan.groupBy.length || this.plan.distinct) return;
    for (let i = 0; i < this.items.length; i++) {
      const it = this.items[i];
      if (this.used.has(i) || this.isTableItem(it)) continue;
      const cols = senses(it, 'column');
      if (cols.length === 0 || cols.some((c) => this.inPlay().includes(c.table))) continue;
      // A parent's column joins without losing rows; a child's only when asked "with" it.
      const parent = cols.find((x) => this.lex.path(this.plan.subject, x.table)?.every((h) => h.toParent));
      const child = has(this.prevContent(i), 'with') ? cols.find((x) => this.lex.path(this.plan.subject, x.table, 1)) : undefined;
      const c = parent ?? child;
      if (!c) continue;
      this.used.add(i);
      this.ensure(c.table, parent ? 'LEFT' : 'INNER');
      this.plan.steps.push(`"${it.text}" is a column of ${c.table}: ${parent ? 'LEFT JOIN' : 'JOIN'} along ${this.pathText(c.table)}.`);
    }
  }

  /** Quoted text and codes the other readers left: equal to a known value, else a name pattern. */
  private readLiterals(): void {
    for (let i = 0; i < this.items.length; i++) {
      const it = this.items[i];
      if (this.used.has(i) || (it.kind !== 'quoted' && !(it.kind === 'unknown' && /[A-Z0-9]/.test(it.text) && /\d|^[A-Z]/.test(it.text)))) continue;
      if (it.kind === 'unknown' && i === 0) continue;
      const found = this.viaForeignKey(this.findValue(it.text));
      this.used.add(i);
      if (found) {
        this.ensure(found.table);
        this.plan.where.push({ k: 'cmp', op: has(this.items[i - 1], 'neg') ? '<>' : '=', left: col(found.table, found.column), right: lit(found.value) });
        this.plan.steps.push(`Literal "${it.text}" is a ${found.table}.${found.column} value.`);
        continue;
      }
      if (it.kind !== 'quoted' && !/\d/.test(it.text)) continue;
      // "the resource RES001": a code right after a table word is that table's code.
      const named = this.isTableItem(this.items[i - 1]) ? senses(this.items[i - 1], 'table')[0].table : undefined;
      const namedCode = named && /\d/.test(it.text) ? this.facts(named).codeColumn : undefined;
      const column = named && namedCode ? { table: named, column: namedCode } : this.patternColumn(i, it.text, false);
      if (!column) continue;
      this.ensure(column.table);
      this.plan.where.push(/\d/.test(it.text) && column.column === this.facts(column.table).codeColumn
        ? { k: 'cmp', op: '=', left: col(column.table, column.column), right: lit(it.text) }
        : { k: 'like', arg: col(column.table, column.column), pattern: `%${it.text}%`, negated: false });
      this.plan.guesses.push(`literal "${it.text}" not found among known values`);
      this.plan.steps.push(`Literal "${it.text}" matched against ${column.column}.`);
    }
  }

  /** A key value of a parent table is read on the subject's own referencing column (no join needed). */
  private viaForeignKey(found: { table: string; column: string; value: string } | undefined): typeof found {
    if (!found || found.table === this.plan.subject) return found;
    const fk = this.facts(this.plan.subject).table.foreignKeys.find((f) => f.columns.length === 1 &&
      f.refTable.toLowerCase() === found.table.toLowerCase() && f.refColumns[0].toLowerCase() === found.column.toLowerCase());
    return fk ? { table: this.plan.subject, column: fk.columns[0], value: found.value } : found;
  }

  private findValue(text: string): { table: string; column: string; value: string } | undefined {
    const lower = text.toLowerCase();
    let best: { table: string; column: string; value: string; score: number } | undefined;
    for (const [key, values] of this.lex.values) {
      const v = values.find((x) => x.toLowerCase() === lower);
      if (!v) continue;
      const [table, column] = key.split('.');
      const score = this.inPlay().includes(table) ? 2 : this.lex.path(this.plan.subject, table, 2) ? 1 : 0;
      if (!best || score > best.score) best = { table, column, value: v, score };
    }
    return best;
  }

  // ---------------------------------------------------------------- build

  private build(): Query {
    const p = this.plan;
    const from = p.from ?? p.subject;
    const q = emptyQuery({ table: from, key: from });
    const joined = new Set([from]);
    const order = [...p.joins.keys()];
    if (p.from && p.from !== p.subject && !p.joins.has(p.subject) && !p.keepZero) order.unshift(p.subject);
    for (const t of order) this.addJoin(q, joined, t, p.joins.get(t) ?? 'INNER');
    if (p.selfParent) {
      const self = selfReference(this.lex.catalog, p.subject)!;
      const key = `${p.subject}#parent`;
      q.joins.push({ type: 'LEFT', source: { table: p.subject, key }, on: { k: 'cmp', op: '=', left: col(p.subject, self.column), right: col(key, self.refColumn) } });
      const name = this.facts(p.subject).nameColumn;
      if (name) p.computed.push({ expr: col(key, name), alias: 'parent_name' });
    }
    q.where = p.where;
    q.orderBy = p.orderBy;
    q.limit = p.limit;
    const aggregating = p.aggregates.length > 0 || p.groupBy.length > 0 || p.having.length > 0;
    if (p.distinct && !aggregating) {
      q.distinct = true;
      q.select = p.distinct.map((e) => ({ expr: e }));
      q.orderBy = q.orderBy.filter((o) => p.distinct!.some((d) => sameExpr(d, o.expr)));
      return q;
    }
    if (!aggregating) {
      // A table that links two others (staff: project and resource) is listed with the names of both.
      const parents = [...new Set(this.facts(from).table.foreignKeys.map((f) => this.lex.catalog.table(f.refTable)?.name).filter((t): t is string => t !== undefined && t !== from))];
      if (from === p.subject && parents.length >= 2) {
        for (const t of parents) {
          if (joined.has(t)) continue;
          this.addJoin(q, joined, t, 'LEFT');
          order.push(t);
        }
      }
      const sources = [from, ...order.filter((t) => joined.has(t))];
      q.select = [...sources.map((t) => ({ expr: { k: 'star' as const, src: t } })), ...p.computed];
      if (q.select.length === sources.length && sources.length === 1) q.select = [{ expr: { k: 'star' } }];
      return q;
    }
    const aggs = p.aggregates.length || p.having.length ? p.aggregates : [{ fn: 'COUNT', alias: 'count' }];
    if (aggs.length === 0) aggs.push({ fn: 'COUNT', alias: 'count' });
    q.groupBy = p.groupBy.map((g) => g.expr);
    q.select = p.groupBy.map((g) => ({ expr: g.expr, alias: g.alias }));
    // A grouped key that points at another table is shown with that table's names.
    for (const g of p.groupBy) {
      if (g.expr.k !== 'col') continue;
      const fk = this.lex.catalog.table(g.expr.src.split('#')[0])?.foreignKeys.find((f) => f.columns.length === 1 && f.columns[0] === (g.expr as { column: string }).column && f.refTable.toLowerCase() !== (g.expr as { src: string }).src.toLowerCase());
      if (!fk || joined.has(this.lex.catalog.table(fk.refTable)!.name)) continue;
      const parent = this.lex.catalog.table(fk.refTable)!.name;
      const name = this.facts(parent).nameColumn;
      if (!name) continue;
      q.joins.push({ type: 'LEFT', source: { table: parent, key: parent }, on: { k: 'cmp', op: '=', left: g.expr, right: col(parent, fk.refColumns[0]) } });
      joined.add(parent);
      q.groupBy.push(col(parent, name));
      q.select.push({ expr: col(parent, name) });
    }
    for (const a of aggs) {
      const counted = a.countTable;
      let expr: Expr;
      if (a.fn === '') expr = a.arg!;
      else if (a.fn === 'COUNT' && !a.arg) {
        const key = p.keepZero ?? (p.countDistinct || counted ? counted ?? p.subject : undefined);
        const pk = key ? this.lex.catalog.table(key)?.primaryKey[0] : undefined;
        if (key && counted && counted !== from) this.addJoin(q, joined, counted, 'INNER');
        expr = key && pk ? { k: 'fn', name: 'COUNT', args: [col(key, pk)], distinct: !p.keepZero } : { k: 'fn', name: 'COUNT', args: [], star: true };
      } else expr = { k: 'fn', name: a.fn, args: a.arg ? [a.arg] : [], distinct: a.distinct };
      q.select.push({ expr, alias: a.alias });
    }
    for (const c of p.computed) {
      if (c.expr.k === 'fn' && c.expr.over) continue;
      // Only what the groups determine can stand next to aggregates.
      if (q.groupBy.some((g) => sameExpr(g, c.expr as Expr))) q.select.push(c);
    }
    q.having = p.having;
    return q;
  }

  private addJoin(q: Query, joined: Set<string>, table: string, type: 'INNER' | 'LEFT'): void {
    if (joined.has(table)) return;
    const root = q.from.table;
    const path = this.lex.path(root, table) ?? [];
    for (const hop of path) {
      if (joined.has(hop.to)) continue;
      const hopType = this.plan.joins.get(hop.to) ?? type;
      q.joins.push({ type: hopType, source: { table: hop.to, key: hop.to }, on: hopCondition(hop, hop.from, hop.to) });
      joined.add(hop.to);
    }
  }
}

/** The same condition over another instance of its table (inside a subquery). */
function rekey(c: Cond, from: string, to: string): Cond {
  const visit = (x: unknown): unknown => {
    if (Array.isArray(x)) return x.map(visit);
    if (!x || typeof x !== 'object') return x;
    const o = { ...(x as Record<string, unknown>) };
    if (o.k === 'col' && o.src === from) o.src = to;
    if (o.k === 'tpl' && o.src === from) o.src = to;
    for (const [key, v] of Object.entries(o)) if (key !== 'query') o[key] = visit(v);
    return o;
  };
  return visit(c) as Cond;
}

function sameExpr(a: Expr, b: Expr): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}


// ------------------------------------------------------------------ dates

export type DateValue =
  | { kind: 'point'; iso: string; endIso: string }
  | { kind: 'year'; year: number }
  | { kind: 'month'; year: number; month: number }
  | { kind: 'this'; unit: string }
  | { kind: 'relative'; n: number; unit: string; future: boolean }
  | { kind: 'today' };

type DateOp = 'in' | 'gt' | 'gte' | 'lt' | 'lte' | 'eq' | 'ne';

const pad = (n: number) => String(n).padStart(2, '0');

/** Reads a date phrase starting at `i`: "2024", "March 2024", "this year", "last 3 months", "next quarter". */
export function readDate(items: Item[], i: number, lex: Lexicon): { value: DateValue; span: number } | undefined {
  const it = items[i];
  if (!it) return undefined;
  const unitOf = (x: Item | undefined) => (x ? lex.grammar.units[x.text.toLowerCase()] ?? lex.grammar.units[x.text.toLowerCase().replace(/s$/, '')] : undefined);
  const monthOf = (x: Item | undefined) => (x && (x.kind === 'unknown' || x.kind === 'phrase') ? lex.grammar.months[x.text.toLowerCase()] : undefined);
  if (it.kind === 'num' && it.year) return { value: { kind: 'year', year: it.num! }, span: 1 };
  if (it.kind === 'date') return { value: { kind: 'point', iso: it.text, endIso: it.text }, span: 1 };
  const month = monthOf(it);
  if (month !== undefined && items[i + 1]?.kind === 'num' && items[i + 1].year) {
    return { value: { kind: 'month', year: items[i + 1].num!, month }, span: 2 };
  }
  if (has(it, 'today') && it.text.toLowerCase() === 'today') return { value: { kind: 'today' }, span: 1 };
  if (has(it, 'this')) {
    const u = unitOf(items[i + 1]);
    if (u) return { value: { kind: 'this', unit: u }, span: 2 };
  }
  // "within 30 days": ahead when the question is about expiring or coming things, else behind.
  const within = it.text.toLowerCase() === 'within' && items[i + 1]?.kind === 'num';
  if (has(it, 'previous', 'next', 'recent') || within) {
    const future = within ? items.some((x) => has(x, 'expiring', 'next', 'future')) : has(it, 'next') && !has(it, 'previous');
    const n = items[i + 1]?.kind === 'num' ? items[i + 1].num! : undefined;
    const u = unitOf(items[i + (n !== undefined ? 2 : 1)]);
    if (u) return { value: { kind: 'relative', n: n ?? 1, unit: u, future }, span: n !== undefined ? 3 : 2 };
  }
  return undefined;
}

function describeDate(v: DateValue): string {
  switch (v.kind) {
    case 'point':
      return v.iso;
    case 'year':
      return String(v.year);
    case 'month':
      return `${v.year}-${pad(v.month)}`;
    case 'this':
      return `this ${v.unit}`;
    case 'relative':
      return `${v.future ? 'next' : 'last'} ${v.n} ${v.unit}(s)`;
    case 'today':
      return 'today';
  }
}

function firstDay(v: DateValue): string | undefined {
  if (v.kind === 'year') return `${v.year}-01-01`;
  if (v.kind === 'month') return `${v.year}-${pad(v.month)}-01`;
  if (v.kind === 'point') return v.iso;
  return undefined;
}

function dayAfter(v: DateValue): string | undefined {
  if (v.kind === 'year') return `${v.year + 1}-01-01`;
  if (v.kind === 'month') return v.month === 12 ? `${v.year + 1}-01-01` : `${v.year}-${pad(v.month + 1)}-01`;
  if (v.kind === 'point') return v.endIso;
  return undefined;
}

const CURRENT: Expr = { k: 'sql', text: 'CURRENT_DATE' };
const interval = (n: number, unit: string): Expr => ({ k: 'sql', text: `INTERVAL '${n * (unit === 'quarter' ? 3 : 1)} ${unit === 'quarter' ? 'month' : unit}s'` });

/** The conditions that put a date column in (or before, after) a period. */
export function dateConditions(e: Expr, v: DateValue, op: DateOp): Cond[] {
  const date = (iso: string): Expr => ({ k: 'sql', text: `DATE ${`'${iso}'`}` });
  if (v.kind === 'relative') {
    const bound: Expr = { k: 'bin', op: v.future ? '+' : '-', left: CURRENT, right: interval(v.n, v.unit) };
    return v.future
      ? [{ k: 'cmp', op: '>=', left: e, right: CURRENT }, { k: 'cmp', op: '<=', left: e, right: bound }]
      : [{ k: 'cmp', op: '>=', left: e, right: bound }];
  }
  if (v.kind === 'this') {
    const part = (f: string): Cond => ({ k: 'cmp', op: '=', left: { k: 'extract', field: f, arg: e }, right: { k: 'extract', field: f, arg: CURRENT } });
    if (v.unit === 'year') return [part('YEAR')];
    if (v.unit === 'month') return [part('MONTH'), part('YEAR')];
    if (v.unit === 'quarter') return [part('QUARTER'), part('YEAR')];
    if (v.unit === 'week') return [part('WEEK'), part('YEAR')];
    return [{ k: 'cmp', op: '=', left: e, right: CURRENT }];
  }
  if (v.kind === 'today') {
    const map: Record<DateOp, string> = { in: '=', eq: '=', ne: '<>', gt: '>', gte: '>=', lt: '<', lte: '<=' };
    return [{ k: 'cmp', op: map[op], left: e, right: CURRENT }];
  }
  const start = firstDay(v)!;
  const end = dayAfter(v)!;
  switch (op) {
    case 'gt':
      return [{ k: 'cmp', op: '>', left: e, right: date(start) }];
    case 'gte':
      return [{ k: 'cmp', op: '>=', left: e, right: date(start) }];
    case 'lt':
      return [{ k: 'cmp', op: '<', left: e, right: date(start) }];
    case 'lte':
      return [{ k: 'cmp', op: '<', left: e, right: date(end) }];
    case 'ne':
      return [{ k: 'or', items: [{ k: 'cmp', op: '<', left: e, right: date(start) }, { k: 'cmp', op: '>=', left: e, right: date(end) }] }];
    default:
      if (v.kind === 'year') return [{ k: 'cmp', op: '=', left: { k: 'extract', field: 'YEAR', arg: e }, right: lit(v.year) }];
      return [{ k: 'cmp', op: '>=', left: e, right: date(start) }, { k: 'cmp', op: '<', left: e, right: date(end) }];
  }
}

export function parseItems(lex: Lexicon, items: Item[], analysis: SchemaAnalysis | undefined, options: ParseOptions = {}): ParseOutcome {
  return new Parser(lex, items, analysis, options).parse();
}
