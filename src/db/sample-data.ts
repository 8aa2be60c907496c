/**
 * Deterministic synthetic sample data for any catalog: a pure function of
 * (catalog, seed, reference date). Values are chosen from each column's type,
 * name, value domain and keys, so the generator works on any schema; a few
 * shapes that analysts ask about are built in on purpose: parents without
 * children (projects nobody is staffed on, companies holding no contract), skewed
 * fan-out (a company with many contracts, a resource on several projects),
 * costs over budget, hierarchies through self-references, NULL end dates, and
 * dates in this month, last month, last quarter, this year, last year and next
 * year relative to the reference date (so "this year" and "in 2024" have
 * answers, and "expiring this year" has rows after today).
 *
 * Foreign-key columns are never NULL except self-references: a NULL in a
 * child's key makes `x NOT IN (SELECT fk FROM child)` empty, which would make
 * correct anti-join queries look wrong on every seed.
 */
import type { Catalog, Column, ForeignKey, Table } from '../schema/types.js';
import { createRandom, type Random } from './random.js';
import * as W from './sample-words.js';
import { dictionary } from '../dictionary.js';

/** Bumped whenever the generator's output changes, so cached databases are rebuilt. */
export const SAMPLE_DATA_VERSION = 2;

/** Dates are `YYYY-MM-DD`, timestamps `YYYY-MM-DD HH:MM:SS`; DECIMALs are numbers rounded to the column's scale. */
export type SampleValue = string | number | boolean | null;

export interface TableData {
  table: string;
  columns: string[];
  rows: SampleValue[][];
}

export interface SampleDataOptions {
  seed?: number;
  /** The day relative dates are spread around; default today (UTC). */
  today?: Date;
}

const DAY_MS = 86_400_000;

type Row = Map<string, SampleValue>;

interface Generated {
  table: Table;
  rows: Row[];
}

interface TableContext {
  catalog: Catalog;
  table: Table;
  rnd: Random;
  today: number;
  n: number;
  hasEmail: boolean;
}

interface ColumnPlan {
  /** Values fixed before the rows are drawn (value domains, forced dates). */
  fixed?: Map<number, SampleValue>;
}

/**
 * Tables in an order where every table comes after the tables it references
 * (self-references aside): rounds of the tables whose references are all
 * placed, each round in catalog order, found by counting (Kahn's algorithm),
 * so an ERP's thousands of tables cost one pass over their keys.
 */
export function insertOrder(catalog: Catalog): Table[] {
  const key = (name: string) => name.toLowerCase();
  const pending = new Map(catalog.tables.map((t) => [key(t.name), t]));
  const position = new Map(catalog.tables.map((t, i) => [key(t.name), i]));
  const waitingOn = new Map<string, number>();
  const dependents = new Map<string, string[]>();
  for (const t of catalog.tables) {
    const refs = new Set(t.foreignKeys.map((fk) => key(fk.refTable)).filter((r) => r !== key(t.name) && pending.has(r)));
    waitingOn.set(key(t.name), refs.size);
    for (const r of refs) {
      const list = dependents.get(r);
      if (list) list.push(key(t.name));
      else dependents.set(r, [key(t.name)]);
    }
  }
  const ordered: Table[] = [];
  let ready = catalog.tables.filter((t) => waitingOn.get(key(t.name)) === 0).map((t) => key(t.name));
  while (pending.size > 0) {
    // A reference cycle between tables: take the first one; its references into the cycle are left NULL.
    if (ready.length === 0) ready = [pending.keys().next().value as string];
    const next: string[] = [];
    for (const name of ready) {
      const table = pending.get(name);
      if (!table) continue;
      ordered.push(table);
      pending.delete(name);
      for (const d of dependents.get(name) ?? []) {
        const left = waitingOn.get(d)! - 1;
        waitingOn.set(d, left);
        if (left === 0 && pending.has(d)) next.push(d);
      }
    }
    ready = next.sort((a, b) => position.get(a)! - position.get(b)!);
  }
  return ordered;
}

/**
 * Rows of the whole sample database at most (about): a schema whose tables
 * would together hold more has each table's count scaled down, so an ERP's
 * thousands of tables build, boot and answer look-ups in seconds. The shipped
 * schema and the Spider databases stay well under it, untouched.
 */
export const ROW_BUDGET = 30_000;
/** The fewest rows a table is scaled down to (before its value domain's own minimum). */
const MIN_SCALED_ROWS = 10;

export function generateSampleData(catalog: Catalog, options: SampleDataOptions = {}): TableData[] {
  const seed = options.seed ?? 1;
  const today = dayNumber(options.today ?? new Date());
  const generated = new Map<string, Generated>();
  const out: TableData[] = [];
  const counts = rowCounts(catalog, seed);
  for (const table of insertOrder(catalog)) {
    const rows = generateTable(catalog, table, seed, today, generated, counts.get(table)!);
    generated.set(table.name.toLowerCase(), { table, rows });
    out.push({
      table: table.name,
      columns: table.columns.map((c) => c.name),
      rows: rows.map((r) => table.columns.map((c) => r.get(c.name) ?? null)),
    });
  }
  return out;
}

/** The sample data as INSERT statements, in foreign-key order. */
export function sampleDataSql(catalog: Catalog, seed = 1, today?: Date): string {
  const parts: string[] = [`-- gl-rl-model sample data: seed ${seed}, generator v${SAMPLE_DATA_VERSION}`];
  for (const data of generateSampleData(catalog, { seed, today })) {
    if (data.rows.length === 0) continue;
    const head = `INSERT INTO ${sqlIdentifier(data.table)} (${data.columns.map(sqlIdentifier).join(', ')}) VALUES`;
    for (let i = 0; i < data.rows.length; i += 200) {
      const chunk = data.rows.slice(i, i + 200).map((r) => `  (${r.map(sqlLiteral).join(', ')})`);
      parts.push(`${head}\n${chunk.join(',\n')};`);
    }
  }
  return `${parts.join('\n\n')}\n`;
}

/**
 * Catalog names keep the DDL's case; unquoted DDL names were folded to lower
 * case by Postgres, so they are written unquoted too. Only names that cannot
 * be written bare are quoted.
 */
export function sqlIdentifier(name: string): string {
  return /^[A-Za-z_][A-Za-z0-9_$]*$/.test(name) ? name : `"${name.replaceAll('"', '""')}"`;
}

export function sqlLiteral(value: SampleValue): string {
  if (value === null) return 'NULL';
  if (typeof value === 'boolean') return value ? 'TRUE' : 'FALSE';
  if (typeof value === 'number') return String(value);
  return `'${value.replaceAll("'", "''")}'`;
}

// ---------------------------------------------------------------------------
// Tables

function generateTable(catalog: Catalog, table: Table, seed: number, today: number, generated: Map<string, Generated>, n: number): Row[] {
  const rnd = tableRandom(seed, table);
  // The count was drawn from this stream's first number (see rowCounts): draw it again so every later value is as before.
  rnd.next();
  const ctx: TableContext = {
    catalog, table, rnd, today, n,
    hasEmail: table.columns.some((c) => /e_?mail/i.test(c.name)),
  };
  const plans = new Map<string, ColumnPlan>(table.columns.map((c) => [c.name, planColumn(ctx, c, seed)]));
  const fkPickers = table.foreignKeys
    .filter((fk) => fk.refTable.toLowerCase() !== table.name.toLowerCase())
    .map((fk) => foreignKeyPicker(fk, generated, createRandom(seed, `fk:${table.name}:${fk.columns.join(',')}`)));
  const selfKeys = table.foreignKeys.filter((fk) => fk.refTable.toLowerCase() === table.name.toLowerCase());
  // Display names are kept distinct within a table, as an ERP's users keep them: two projects
  // called alike would make "per project" groupings ambiguous in a way real data rarely is.
  const names = table.columns.filter((c) => c.category === 'text' && /(^|_)name$/i.test(c.name) && !c.primaryKey && !c.unique).map((c) => [c.name]);
  const keys = [table.primaryKey, ...table.uniqueKeys, ...names].filter((k) => k.length > 0);
  const seen = keys.map(() => new Set<string>());
  const rows: Row[] = [];

  for (let i = 0; i < n; i++) {
    for (let attempt = 0; attempt < 20; attempt++) {
      const row: Row = new Map();
      for (const pick of fkPickers) pick(row, i);
      for (const fk of selfKeys) pickSelfReference(ctx, fk, row, rows);
      // Planned values first: later columns read them (a resource's name follows its type).
      for (const column of table.columns) {
        const fixed = plans.get(column.name)?.fixed;
        if (!row.has(column.name) && fixed?.has(i)) row.set(column.name, fixed.get(i)!);
      }
      for (const column of table.columns) {
        if (!row.has(column.name)) row.set(column.name, columnValue(ctx, column, row, i, attempt));
      }
      adjustRow(ctx, row);
      const tuples = keys.map((k) => (k.some((c) => row.get(c) === null) ? undefined : JSON.stringify(k.map((c) => row.get(c)))));
      if (tuples.some((t, k) => t !== undefined && seen[k].has(t))) continue;
      tuples.forEach((t, k) => t !== undefined && seen[k].add(t));
      rows.push(row);
      break;
    }
  }
  return rows;
}

function tableRandom(seed: number, table: Table): Random {
  return createRandom(seed, `table:${table.name.toLowerCase()}`);
}

/**
 * Small lookup tables (classes, types) are referenced by others and reference
 * nothing; plain entities get a few dozen rows; tables that reference others
 * (assignments, contracts, tickets) get more, so parents fan out. Past
 * ROW_BUDGET in all, every count is scaled down alike.
 */
function rowCounts(catalog: Catalog, seed: number): Map<Table, number> {
  const incoming = new Map<string, number>();
  for (const t of catalog.tables) {
    const self = t.name.toLowerCase();
    for (const ref of new Set(t.foreignKeys.map((fk) => fk.refTable.toLowerCase()))) {
      if (ref !== self) incoming.set(ref, (incoming.get(ref) ?? 0) + 1);
    }
  }
  const natural = new Map<Table, { count: number; least: number }>();
  for (const table of catalog.tables) {
    const self = table.name.toLowerCase();
    const outgoing = new Set(table.foreignKeys.map((fk) => fk.refTable.toLowerCase()).filter((t) => t !== self)).size;
    const referenced = incoming.get(self) ?? 0;
    const lookup = outgoing === 0 && referenced > 0 && /class|type|categor|lookup|level|tier/i.test(table.name);
    const base = lookup ? 8 : outgoing === 0 ? 40 + 5 * referenced : 50 + 25 * outgoing;
    const least = table.columns.reduce((m, c) => Math.max(m, c.valueDomain?.length ?? 0), 0) + 2;
    natural.set(table, { count: Math.max(least, Math.round(base * (0.85 + 0.3 * tableRandom(seed, table).next()))), least });
  }
  let total = 0;
  for (const { count } of natural.values()) total += count;
  const scale = total > ROW_BUDGET ? ROW_BUDGET / total : 1;
  return new Map([...natural].map(([table, { count, least }]) => [
    table, scale === 1 ? count : Math.max(least, Math.min(count, MIN_SCALED_ROWS), Math.round(count * scale)),
  ]));
}

/**
 * Fixed values: every value of a column's domain placed at least once, and the
 * date shapes (rows ending between today and the end of the year).
 */
function planColumn(ctx: TableContext, column: Column, seed: number): ColumnPlan {
  const rnd = createRandom(seed, `plan:${ctx.table.name}:${column.name}`.toLowerCase());
  const domain = column.valueDomain;
  if (domain && domain.length > 0 && !column.primaryKey) {
    const weights = domain.map((_, k) => 1 / (k + 1) ** 0.8);
    const values = [...domain];
    while (values.length < ctx.n) values.push(domain[rnd.weighted(weights)]);
    return { fixed: new Map(rnd.shuffle(values.slice(0, ctx.n)).map((v, i) => [i, v])) };
  }
  if (column.category !== 'date' && column.category !== 'timestamp') return {};
  const { today } = ctx;
  const role = dateRole(column.name);
  const rows = rnd.shuffle([...Array(ctx.n).keys()]);
  if (role === 'end') {
    const ending = rows.slice(0, Math.min(4, Math.ceil(ctx.n / 10)));
    return { fixed: new Map(ending.map((i) => [i, formatDate(column, rnd.int(today, yearEnd(today)), rnd)])) };
  }
  if (role === 'start' || role === 'past') {
    // Two rows in each calendar window, so relative-date questions have answers on every seed.
    const windows = calendarWindows(today, role === 'start');
    const placed = rows.slice(0, Math.min(ctx.n, 2 * windows.length));
    return { fixed: new Map(placed.map((i, k) => [i, formatDate(column, rnd.int(...windows[k % windows.length]), rnd)])) };
  }
  return {};
}

/**
 * Chooses the parent row for a foreign key: about a quarter of the parents
 * get no children at all, the rest Zipf-weighted so a few get many.
 */
function foreignKeyPicker(fk: ForeignKey, generated: Map<string, Generated>, rnd: Random): (row: Row, i: number) => void {
  const parents = generated.get(fk.refTable.toLowerCase())?.rows ?? [];
  const order = rnd.shuffle(parents.map((_, k) => k));
  const used = parents.length < 4 ? order : order.slice(0, Math.ceil(parents.length * 0.75));
  const weights = used.map((_, k) => 1 / (k + 1) ** 0.7);
  return (row) => {
    const parent = used.length > 0 ? parents[used[rnd.weighted(weights)]] : undefined;
    fk.columns.forEach((c, k) => row.set(c, parent?.get(fk.refColumns[k]) ?? null));
  };
}

/** About a third of rows hang under an earlier row, which builds hierarchies several levels deep. */
function pickSelfReference(ctx: TableContext, fk: ForeignKey, row: Row, earlier: Row[]): void {
  const parent = earlier.length >= 3 && ctx.rnd.chance(0.35) ? ctx.rnd.pick(earlier) : undefined;
  fk.columns.forEach((c, k) => row.set(c, parent?.get(fk.refColumns[k]) ?? null));
}

// ---------------------------------------------------------------------------
// Columns

function columnValue(ctx: TableContext, column: Column, row: Row, i: number, attempt: number): SampleValue {
  const { rnd } = ctx;
  const keyed = column.primaryKey || column.unique;
  if (!keyed && column.nullable && column.default === undefined && rnd.chance(nullRate(column))) return null;
  switch (column.category) {
    case 'number':
      return keyed && isInteger(column) ? i + 1 + attempt * ctx.n : numberValue(ctx, column, row);
    case 'text':
      return fitText(column, keyed && isCodeLike(column) ? codeValue(ctx, column, i + attempt * ctx.n) : textValue(ctx, column, row, i, attempt));
    case 'date':
    case 'timestamp':
      return formatDate(column, dateValue(ctx, column, row), rnd);
    case 'boolean':
      return rnd.chance(/primary|default|main/i.test(column.name) ? 0.3 : 0.5);
    default:
      return otherValue(ctx, column, i);
  }
}

function nullRate(column: Column): number {
  const name = column.name.toLowerCase();
  if (column.category === 'date' && dateRole(name) === 'end') return 0.12;
  if (/description|comment|note|resolution|content|terms/.test(name)) return 0.15;
  return 0.05;
}

function isInteger(column: Column): boolean {
  return /int|serial/.test(column.type);
}

function isCodeLike(column: Column): boolean {
  return /(code|number|_no|num|ref|key|sku)$/i.test(column.name) || column.category === 'text' && !/name|title/i.test(column.name);
}

/** `PRJ001`, `RES014`, `CMP007`: a prefix from the column's entity word, numbered by row. */
function codeValue(ctx: TableContext, column: Column, i: number): string {
  const entity = entityWord(column.name) || entityWord(ctx.table.name);
  const prefix = CODE_PREFIXES[entity] ?? (entity.replace(/[^a-z]/g, '').slice(0, 3).toUpperCase() || 'ID');
  const width = ctx.n >= 1000 ? 4 : 3;
  return /number/i.test(column.name) ? `${prefix}-${String(i + 1).padStart(width + 1, '0')}` : `${prefix}${String(i + 1).padStart(width, '0')}`;
}

const CODE_PREFIXES = dictionary<string>({
  project: 'PRJ', resource: 'RES', company: 'CMP', contract: 'CNT', class: 'CLS', customer: 'CUS', client: 'CLT',
  supplier: 'SUP', employee: 'EMP', invoice: 'INV', account: 'ACC', order: 'ORD', product: 'PRD', vendor: 'VND',
});

/** The entity a name is about: `Project_Code` → project, `PAC_MNT_RESOURCES` → resource. */
function entityWord(name: string): string {
  const words = name.toLowerCase().split(/[^a-z]+/).filter((w) => w && !GENERIC_WORDS.has(w));
  const word = words.find((w) => CODE_PREFIXES[singular(w)]) ?? words[0] ?? '';
  return singular(word);
}

const GENERIC_WORDS = new Set(['code', 'id', 'number', 'name', 'pac', 'mnt', 'srm', 'biz', 'gen', 'com', 'sup', 'properties', 'no', 'num', 'ref', 'tbl']);

function singular(word: string): string {
  if (word.endsWith('ies')) return `${word.slice(0, -3)}y`;
  if (word.endsWith('sses')) return word.slice(0, -2);
  return word.endsWith('s') && !word.endsWith('ss') ? word.slice(0, -1) : word;
}

function numberValue(ctx: TableContext, column: Column, row: Row): number {
  const { rnd } = ctx;
  const name = column.name.toLowerCase();
  const get = (pattern: RegExp) => numberIn(row, pattern);
  let value: number;
  if (/budget/.test(name)) {
    value = logUniform(rnd, 20_000, 2_500_000);
  } else if (/actual|spent|cost$/.test(name) && !/rate/.test(name)) {
    const budget = get(/budget/);
    // A quarter of the rows run over budget.
    value = budget !== undefined ? budget * (rnd.chance(0.25) ? 1 + rnd.next() * 0.4 : 0.2 + rnd.next() * 0.78) : logUniform(rnd, 10_000, 2_000_000);
  } else if (/revenue|income|sales/.test(name)) {
    const cost = get(/actual|spent|cost$/);
    value = rnd.chance(0.1) ? 0 : (cost ?? logUniform(rnd, 10_000, 2_000_000)) * (0.6 + rnd.next() * 1.1);
  } else if (/rate|price|fee/.test(name)) {
    const cost = /bill/.test(name) ? get(/cost_?rate/) : undefined;
    value = cost !== undefined ? cost * (1.2 + rnd.next() * 0.6) : 25 + rnd.next() * 225;
  } else if (/value|amount|limit|total|balance/.test(name)) {
    value = logUniform(rnd, 10_000, 3_000_000);
  } else if (/percent|allocation|capacity|utili/.test(name)) {
    value = rnd.pick([100, 100, 100, 100, 75, 50, 50, 25, 80, 60, 40, 20]);
  } else if (/probability|likelihood|chance/.test(name)) {
    value = rnd.int(1, 19) * 5;
  } else if (/priority|rank|level|score/.test(name)) {
    value = rnd.int(1, 10);
  } else if (/count|quantity|qty|records|hours/.test(name)) {
    value = Math.round(logUniform(rnd, 10, 100_000));
  } else if (/(_id|id)$/.test(name)) {
    value = rnd.int(1, 50);
  } else {
    value = isInteger(column) ? rnd.int(1, 100) : rnd.next() * 10_000;
  }
  return fitNumber(column, value);
}

function numberIn(row: Row, pattern: RegExp): number | undefined {
  for (const [name, value] of row) if (typeof value === 'number' && pattern.test(name.toLowerCase())) return value;
  return undefined;
}

function logUniform(rnd: Random, min: number, max: number): number {
  return Math.exp(Math.log(min) + rnd.next() * (Math.log(max) - Math.log(min)));
}

/** Rounds to the column's scale and keeps it inside DECIMAL(p,s) / integer ranges. */
function fitNumber(column: Column, value: number): number {
  if (isInteger(column)) return Math.min(Math.round(value), column.type.startsWith('smallint') ? 32_767 : 2_147_483_647);
  const m = /\((\d+)\s*,\s*(\d+)\)/.exec(column.type);
  if (!m) return Math.round(value * 100) / 100;
  const [precision, scale] = [Number(m[1]), Number(m[2])];
  const max = 10 ** (precision - scale) - 10 ** -scale;
  const factor = 10 ** scale;
  return Math.round(Math.min(value, max) * factor) / factor;
}

function textValue(ctx: TableContext, column: Column, row: Row, i: number, attempt: number): string {
  const { rnd, table } = ctx;
  const name = column.name.toLowerCase();
  const person = () => `${rnd.pick(W.FIRST_NAMES)} ${rnd.pick(W.LAST_NAMES)}`;
  if (/e_?mail/.test(name)) {
    const who = textIn(row, /contact|person|employee|name/) ?? person();
    return `${who.toLowerCase().replace(/[^a-z]+/g, '.')}@${rnd.pick(W.COMPANY_ROOTS).toLowerCase().replace(/\s+/g, '')}.com`;
  }
  if (/phone|mobile|fax/.test(name)) return `+1-555-${rnd.int(100, 999)}-${rnd.int(1000, 9999)}`;
  if (/currency/.test(name)) return W.CURRENCIES[rnd.weighted([6, 2, 1, 1])];
  if (/department|division/.test(name)) return rnd.pick(W.DEPARTMENTS);
  if (/industry|sector/.test(name)) return rnd.pick(W.INDUSTRIES);
  if (/role|position|title/.test(name)) return rnd.pick(ctx.hasEmail ? W.CONTACT_ROLES : W.STAFF_ROLES);
  if (/status|availability|stage|state$/.test(name)) return statusValue(column, rnd);
  if (/type$|kind$|category$/.test(name)) {
    const word = Object.keys(W.TYPE_WORDS).find((w) => name.includes(w) || table.name.toLowerCase().includes(w));
    return rnd.pick(word ? W.TYPE_WORDS[word] : W.GENERIC_TYPES);
  }
  if (/rating|grade/.test(name)) return rnd.pick(W.RATINGS);
  if (/payment/.test(name)) return rnd.pick(W.PAYMENT_TERMS);
  if (/cost_?cent/.test(name)) return `CC-${rnd.int(1, 9)}00`;
  if (/table_?name/.test(name)) return rnd.pick(ctx.catalog.tables).name;
  if (/location|path|url|uri/.test(name)) return `archive/${2020 + rnd.int(0, 6)}/${table.name.toLowerCase()}-${i + 1}.tar.gz`;
  if (/revision_?n|version/.test(name)) return `v${rnd.int(1, 5)}.${rnd.int(0, 9)}`;
  if (/owner|_by$|manager|assignee|approver|author/.test(name)) return person();
  if (/name|title/.test(name)) return nameValue(ctx, column, row, i, attempt, person);
  if (/code|number|_no$|ref/.test(name)) return codeValue(ctx, column, i);
  const varchar = /varchar\((\d+)\)/.exec(column.type);
  if (varchar && Number(varchar[1]) <= 20) return `${entityWord(column.name) || 'value'}-${rnd.int(1, 20)}`;
  return sentence(rnd);
}

function textIn(row: Row, pattern: RegExp): string | undefined {
  for (const [name, value] of row) if (typeof value === 'string' && pattern.test(name.toLowerCase()) && !/mail/i.test(name)) return value;
  return undefined;
}

function statusValue(column: Column, rnd: Random): string {
  const fallback = column.default?.replace(/^'(.*)'.*$/, '$1');
  const family = W.STATUS_FAMILIES.find((f) => fallback !== undefined && f.includes(fallback)) ??
    (fallback ? [fallback, 'Active', 'Inactive'] : W.STATUS_FAMILIES[0]);
  const ordered = fallback && family.includes(fallback) ? [fallback, ...family.filter((v) => v !== fallback)] : family;
  return ordered[rnd.weighted(ordered.map((_, k) => 1 / (k + 1)))];
}

function nameValue(ctx: TableContext, column: Column, row: Row, i: number, attempt: number, person: () => string): string {
  const { rnd } = ctx;
  const entity = entityWord(column.name) || entityWord(ctx.table.name);
  const unique = attempt > 0 ? ` ${attempt + 1}` : '';
  if (/company|client|customer|vendor|supplier|organi|firm|account/.test(entity)) {
    const roots = W.COMPANY_ROOTS.length;
    const root = W.COMPANY_ROOTS[(i + attempt * 7) % roots];
    return `${root} ${W.COMPANY_SUFFIXES[Math.floor(i / roots + rnd.int(0, W.COMPANY_SUFFIXES.length - 1)) % W.COMPANY_SUFFIXES.length]}`;
  }
  if (/contact|person|employee|staff|user|owner|member/.test(entity)) return person();
  if (/project|program|initiative/.test(entity)) return `${rnd.pick(W.PROJECT_AREAS)} ${rnd.pick(W.PROJECT_KINDS)}${unique}`;
  if (/resource|asset/.test(entity)) {
    const kind = String(textIn(row, /type|kind/) ?? 'human').toLowerCase();
    if (kind.startsWith('equip')) return `${rnd.pick(W.EQUIPMENT)} ${String.fromCharCode(65 + rnd.int(0, 25))}-${rnd.int(100, 999)}`;
    if (kind.startsWith('mater')) return `${rnd.pick(W.MATERIALS)} Lot ${rnd.int(1, 99)}`;
    return person();
  }
  if (/class|tier|level|segment/.test(entity)) return `${W.CLASS_NAMES[(i + attempt) % W.CLASS_NAMES.length]}${i >= W.CLASS_NAMES.length ? ` ${i + 1}` : ''}`;
  if (/opportunit|deal|lead/.test(entity)) return `${rnd.pick(W.COMPANY_ROOTS)} ${rnd.pick(W.PROJECT_AREAS)} ${rnd.pick(W.OPPORTUNITY_KINDS)}`;
  if (/unique/.test(column.name.toLowerCase())) return `${entityWord(ctx.table.name) || 'item'}-${i + 1}`;
  return `${capitalize(entity || 'item')} ${i + 1}`;
}

function capitalize(word: string): string {
  return word.charAt(0).toUpperCase() + word.slice(1);
}

function sentence(rnd: Random): string {
  return `${rnd.pick(W.SENTENCE_SUBJECTS)} ${rnd.pick(W.SENTENCE_VERBS)}.`;
}

function fitText(column: Column, value: string): string {
  const m = /(?:varchar|char|character varying|character)\((\d+)\)/.exec(column.type);
  return m ? value.slice(0, Number(m[1])) : value;
}

function otherValue(ctx: TableContext, column: Column, i: number): SampleValue {
  if (column.valueDomain?.length) return ctx.rnd.pick(column.valueDomain);
  if (/uuid/.test(column.type)) {
    const hex = () => Math.floor(ctx.rnd.next() * 0x10000).toString(16).padStart(4, '0');
    return `${hex()}${hex()}-${hex()}-4${hex().slice(1)}-a${hex().slice(1)}-${hex()}${hex()}${hex()}`;
  }
  if (/json/.test(column.type)) return JSON.stringify({ n: i + 1 });
  return column.nullable ? null : String(i + 1);
}

// ---------------------------------------------------------------------------
// Dates

type DateRole = 'start' | 'end' | 'past' | 'created' | 'modified' | 'future';

function dateRole(columnName: string): DateRole {
  const name = columnName.toLowerCase();
  if (/modif|updated|changed/.test(name)) return 'modified';
  if (/created|inserted|registered/.test(name)) return 'created';
  if (/expected|due|deadline|close/.test(name)) return 'future';
  if (/end|expir|finish|resolved|approv|purge|complet|closed|until/.test(name)) return 'end';
  if (/start|begin|from|effective|open/.test(name)) return 'start';
  return 'past';
}

/**
 * Start and event dates: two rows of each column are planned in each calendar
 * window relative to today (this month, last month, last quarter, earlier this
 * year, last year, two and three years ago, next year); the rest fall in a
 * window by chance or anywhere in the last four years.
 */
function dateValue(ctx: TableContext, column: Column, row: Row): number {
  const { rnd, today } = ctx;
  const role = dateRole(column.name);
  const anchor = firstDay(row);
  // Audit timestamps stay before today: a time later today would be in the future.
  if (role === 'modified') return anchor === undefined ? today - rnd.int(1, 700) : Math.min(anchor + rnd.int(0, Math.max(0, today - anchor)), today - 1);
  if (role === 'created') return anchor === undefined ? today - rnd.int(1, 1400) : Math.min(anchor - rnd.int(0, 45), today - 1);
  if (role === 'end') return anchor === undefined ? today - rnd.int(0, 700) : anchor + rnd.int(30, 900);
  if (role === 'future') return today + rnd.int(-90, 365);
  const windows = calendarWindows(today, role === 'start');
  const w = rnd.chance(0.45) ? rnd.pick(windows) : [today - 4 * 365, role === 'start' ? today + 180 : today];
  return rnd.int(w[0], w[1]);
}

function calendarWindows(today: number, future: boolean): Array<[number, number]> {
  const d = new Date(today * DAY_MS);
  const y = d.getUTCFullYear();
  const day = (year: number, month: number, date: number) => dayNumber(new Date(Date.UTC(year, month, date)));
  const monthStart = day(y, d.getUTCMonth(), 1);
  const windows: Array<[number, number]> = [
    [monthStart, today],
    [today - 30, today - 1],
    [today - 90, today - 31],
    [day(y, 0, 1), today],
    [day(y - 1, 0, 1), day(y - 1, 11, 31)],
    [day(y - 2, 0, 1), day(y - 2, 11, 31)],
    [day(y - 3, 0, 1), day(y - 3, 11, 31)],
  ];
  if (future) windows.push([day(y + 1, 0, 1), day(y + 1, 11, 31)]);
  return windows;
}

function firstDay(row: Row): number | undefined {
  for (const value of row.values()) if (typeof value === 'string' && /^\d{4}-\d{2}-\d{2}/.test(value)) return isoDay(value);
  return undefined;
}

/** Keeps each row's dates in a plausible order and its statuses consistent with them. */
function adjustRow(ctx: TableContext, row: Row): void {
  orderRates(row);
  const dates = ctx.table.columns.filter((c) => (c.category === 'date' || c.category === 'timestamp') && row.get(c.name) !== null);
  const start = dates.find((c) => dateRole(c.name) === 'start' || dateRole(c.name) === 'past');
  if (!start) return;
  const status = [...row.entries()].find(([k]) => /status|state$/i.test(k))?.[1];
  const done = typeof status === 'string' && /^(completed|closed|resolved|expired|terminated|released)$/i.test(status);
  const open = typeof status === 'string' && /^(open|in progress|pending|planning|draft)$/i.test(status);
  for (const c of dates) {
    if (dateRole(c.name) !== 'end') continue;
    const resolution = /resolv|approv|purge|complet|closed/i.test(c.name);
    if (resolution && open && c.nullable) {
      row.set(c.name, null);
      continue;
    }
    let end = isoDay(row.get(c.name) as string);
    const startDay = isoDay(row.get(start.name) as string);
    // Resolutions and approvals happen soon after the event and never in the future.
    if (resolution) end = Math.min(startDay + ctx.rnd.int(0, 60), ctx.today);
    // Finished rows end in the past, except those planned to end later this year.
    if (done && end > yearEnd(ctx.today)) end = ctx.today - ctx.rnd.int(1, 300);
    row.set(c.name, formatDate(c, end, ctx.rnd));
    if (startDay > end) row.set(start.name, formatDate(start, end - ctx.rnd.int(resolution ? 0 : 30, resolution ? 30 : 400), ctx.rnd));
  }
}

/** A billing rate below its cost rate is a data-entry error, not a sample. */
function orderRates(row: Row): void {
  const names = [...row.keys()];
  const bill = names.find((k) => /bill.*rate/i.test(k));
  const cost = names.find((k) => /cost.*rate/i.test(k));
  if (!bill || !cost) return;
  const [b, c] = [row.get(bill), row.get(cost)];
  if (typeof b === 'number' && typeof c === 'number' && b < c) {
    row.set(bill, c);
    row.set(cost, b);
  }
}

function yearEnd(today: number): number {
  return dayNumber(new Date(Date.UTC(new Date(today * DAY_MS).getUTCFullYear(), 11, 31)));
}

export function dayNumber(date: Date): number {
  return Math.floor(date.getTime() / DAY_MS);
}

function isoDay(text: string): number {
  return Math.floor(Date.parse(`${text.slice(0, 10)}T00:00:00Z`) / DAY_MS);
}

/** Day number → `YYYY-MM-DD`; memoized because Date formatting dominates the generator's time. */
const isoDates = new Map<number, string>();

function isoDate(day: number): string {
  let text = isoDates.get(day);
  if (text === undefined) {
    text = new Date(day * DAY_MS).toISOString().slice(0, 10);
    isoDates.set(day, text);
  }
  return text;
}

function formatDate(column: Column, day: number, rnd: Random): string {
  const date = isoDate(day);
  if (column.category !== 'timestamp') return date;
  const two = (v: number) => String(v).padStart(2, '0');
  return `${date} ${two(rnd.int(7, 19))}:${two(rnd.int(0, 59))}:${two(rnd.int(0, 59))}`;
}
