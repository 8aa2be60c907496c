/**
 * Schema layer: every table and column the query names exists, qualified
 * names and aliases resolve, unqualified names are not ambiguous; unknown
 * names get "did you mean" candidates by edit distance over whole names and
 * over their words (`projects` → PAC_MNT_PROJECTS, SRM_PROJECTS). Equality
 * joins between two tables that follow no foreign key are warned about.
 */
import { identifierWords, singular } from '../../language/index.js';
import { allowedEdits, closest, damerauLevenshtein } from '../../schema/fuzzy.js';
import type { Table } from '../../schema/types.js';
import { nameParts, type AstNode } from '../../sql/ast.js';
import type { ValidationIssue } from './contract.js';
import type { ValidationContext } from './context.js';
import { columnKey } from './prepared.js';
import { conjuncts, type ColumnUse, type QueryModel, type RangeEntry, type SelectScope } from './resolve.js';
import type { LayerReport } from './types.js';

/** PostgreSQL's built-in type names as the parser gives them (`int` is `int4`, `decimal` is `numeric`). */
const BUILTIN_TYPES = new Set([
  'int2', 'int4', 'int8', 'numeric', 'float4', 'float8', 'money', 'bool', 'text', 'varchar', 'bpchar', 'char', 'name',
  'date', 'time', 'timetz', 'timestamp', 'timestamptz', 'interval', 'uuid', 'json', 'jsonb', 'bytea', 'bit', 'varbit',
  'inet', 'cidr', 'macaddr', 'xml', 'oid', 'regclass', 'regtype', 'point', 'tsvector', 'tsquery', 'record',
  'int4range', 'int8range', 'numrange', 'daterange', 'tsrange', 'tstzrange',
]);

export function schemaLayer(ctx: ValidationContext): LayerReport {
  const model = ctx.model;
  const issues: ValidationIssue[] = [];
  const error = (message: string, location: number | undefined, suggestion?: string) =>
    issues.push({ layer: 'schema', severity: 'error', message, position: ctx.position(location), suggestion });

  for (const rel of model.relations) {
    if (rel.table || rel.cte || rel.system) continue;
    const qualified = asWritten(ctx, rel.location, rel.schema ? `${rel.schema}.${rel.name}` : rel.name);
    const candidates = similarTables(ctx, rel.name);
    error(`table ${qualified} does not exist`, rel.location, candidates.length > 0 ? `did you mean ${candidates.join(' or ')}?` : `known tables: ${tableList(ctx)}`);
  }
  for (const dup of model.duplicateNames) {
    error(`the name ${dup.name} is used for more than one table in one FROM clause`, dup.location, 'give each table its own alias');
  }
  for (const use of model.columns) {
    const problem = columnProblem(ctx, use);
    if (problem) error(problem.message, use.location, problem.suggestion);
  }
  for (const cast of ctx.nodes('TypeCast')) {
    const type = nameParts(cast.typeName?.names).at(-1)?.toLowerCase();
    if (type && !BUILTIN_TYPES.has(type)) {
      error(`type ${type} does not exist`, cast.typeName?.location ?? cast.location, 'cast to a PostgreSQL type: integer, numeric, text, date, timestamp, boolean, interval, …');
    }
  }
  issues.push(...nonForeignKeyJoins(ctx, model));

  const tables = new Set<string>();
  for (const rel of model.relations) if (rel.table) tables.add(rel.table.name);
  const columns = new Set<string>();
  for (const use of model.columns) if (use.column) columns.add(`${use.column.table}.${use.column.name}`);
  const errors = issues.filter((i) => i.severity === 'error').map((i) => i.message);
  return {
    layer: 'schema',
    issues,
    details: { schema_compliant: errors.length === 0, schema_errors: errors, tables_used: [...tables], columns_referenced: [...columns] },
  };
}

function columnProblem(ctx: ValidationContext, use: ColumnUse): { message: string; suggestion?: string } | undefined {
  const written = asWritten(ctx, use.location, use.fields.join('.'));
  const name = written.split('.').at(-1)!;
  switch (use.status) {
    case 'ambiguous': {
      const owners = (use.candidates ?? []).map(entryName);
      const column = use.candidates?.[0]?.columns?.find((c) => c.name === name.toLowerCase());
      const exact = column?.source?.name ?? name;
      return { message: `column reference ${name} is ambiguous: ${owners.join(', ')} all have it`, suggestion: `qualify it: ${owners.map((o) => `${o}.${exact}`).join(' or ')}` };
    }
    case 'unknown_qualifier': {
      const qualifier = written.split('.').at(-2)!;
      const aliased = use.candidates?.[0];
      if (aliased) return { message: `${written}: table ${qualifier} is known in this query by its alias ${aliased.name}`, suggestion: `write ${aliased.name}.${name}` };
      const names = visibleEntries(use.scope).map(entryName).filter((n) => n !== '');
      const near = closest(qualifier, names, { max: 1, minSimilarity: 0.4 })[0];
      const hint = near ? `did you mean ${near.value}.${name}?` : names.length > 0 ? `tables in scope: ${names.join(', ')}` : undefined;
      return { message: `${written}: no table or alias named ${qualifier} in the FROM clause`, suggestion: hint };
    }
    case 'unknown_column': {
      const quoted = doubleQuotedWord(ctx, use);
      if (quoted !== undefined) {
        return { message: `column "${quoted}" does not exist; double quotes make an identifier in PostgreSQL`, suggestion: `for a string literal write '${quoted}'` };
      }
      const scope = use.entry ? [use.entry] : visibleEntries(use.scope);
      const where = use.entry ? ` in ${entryLabel(use.entry)}` : '';
      return { message: `column ${written} does not exist${where}`, suggestion: columnSuggestion(ctx, name.toLowerCase(), scope) };
    }
    default:
      return undefined;
  }
}

function columnSuggestion(ctx: ValidationContext, name: string, entries: RangeEntry[]): string | undefined {
  const local = entries.flatMap((e) =>
    (e.columns ?? []).map((c) => {
      const written = c.source?.name ?? c.name;
      return { label: e.name ? `${entryName(e)}.${written}` : written, name: c.name };
    }));
  const found = closest(name, local.map((c) => c.name), { max: 3, minSimilarity: 0.5 });
  // Only the candidates about as near as the nearest: one clear fix beats a list.
  const near = found.filter((n) => n.similarity >= found[0].similarity - 0.1);
  if (near.length > 0) {
    const labels = near.map((n) => local.find((c) => c.name === n.value)!.label);
    return `did you mean ${[...new Set(labels)].join(' or ')}?`;
  }
  const inScope = new Set(entries.map((e) => e.table?.name.toLowerCase()));
  const homes = (ctx.deps.columnHomes.get(name) ?? []).filter((t) => !inScope.has(t.name.toLowerCase()));
  if (homes.length > 0) return `${homes.map((t) => t.name).join(', ')} ${homes.length === 1 ? 'has' : 'have'} a column ${ctx.deps.catalog.column(homes[0].name, name)!.name}: join ${homes.length === 1 ? 'it' : 'one of them'}`;
  const elsewhere = closest(name, ctx.deps.columnHomes.keys(), { max: 1, minSimilarity: 0.6 })[0];
  if (elsewhere) {
    const t = ctx.deps.columnHomes.get(elsewhere.value)![0];
    return `did you mean ${t.name}.${ctx.deps.catalog.column(t.name, elsewhere.value)!.name}?`;
  }
  return undefined;
}

/**
 * Tables whose whole name is near `name`, or one of whose words is (singular forms, within the
 * edits a word of that length may carry): `projects` → PAC_MNT_PROJECTS and SRM_PROJECTS.
 */
export function similarTables(ctx: ValidationContext, name: string): string[] {
  const tables = ctx.deps.catalog.tables;
  const whole = closest(name, tables.map((t) => t.name), { max: 3, minSimilarity: 0.6 }).map((s) => s.value);
  const words = identifierWords(name).map(singular);
  // Among tables that match by words, the one more tables refer to is the likelier meaning.
  const byWords = tables
    .map((t) => ({ t, score: wordScore(words, identifierWords(t.name).map(singular)), links: ctx.deps.catalog.foreignKeysOf(t.name).length }))
    .filter((x) => x.score > 0)
    .sort((a, b) => b.score - a.score || b.links - a.links || a.t.name.localeCompare(b.t.name))
    .map((x) => x.t.name);
  const exact = whole.filter((w) => closest(name, [w], { minSimilarity: 0.85 }).length > 0);
  return [...new Set([...exact, ...byWords, ...whole])].slice(0, 3);
}

/** How many of the query's words match one of the table's words within their allowed edits. */
function wordScore(words: string[], tableWords: string[]): number {
  let score = 0;
  for (const w of words) {
    const limit = allowedEdits(w.length);
    if (tableWords.some((tw) => damerauLevenshtein(w, tw, limit) <= limit || (w.length >= 4 && tw.startsWith(w)))) score++;
  }
  return words.length > 0 && score === words.length ? score : 0;
}

function tableList(ctx: ValidationContext): string {
  return ctx.deps.catalog.tables.map((t: Table) => t.name).join(', ');
}

function visibleEntries(scope: SelectScope): RangeEntry[] {
  const all: RangeEntry[] = [];
  for (let s: SelectScope | undefined = scope; s; s = s.parent) all.push(...s.entries);
  return all;
}

/** The name an entry is known by, in the DDL's case for a table without an alias. */
function entryName(entry: RangeEntry): string {
  return entry.table && !entry.aliased ? entry.table.name : entry.name;
}

/** A name as the query wrote it (the parser folds unquoted names to lower case). */
function asWritten(ctx: ValidationContext, byteOffset: number, folded: string): string {
  const at = ctx.position(byteOffset);
  if (at === undefined) return folded;
  const raw = ctx.sql.slice(at, at + folded.length);
  return raw.toLowerCase() === folded.toLowerCase() ? raw : folded;
}

function entryLabel(entry: RangeEntry): string {
  if (entry.table) return entry.aliased ? `${entry.table.name} (alias ${entry.name})` : entry.table.name;
  return entry.kind === 'cte' ? `the CTE ${entry.name}` : entry.name ? `the subquery ${entry.name}` : 'the subquery';
}

/** The word inside `"…"` when an unknown single-name column was written in double quotes (a string meant). */
function doubleQuotedWord(ctx: ValidationContext, use: ColumnUse): string | undefined {
  const at = ctx.position(use.location);
  if (use.fields.length !== 1 || at === undefined || ctx.sql.charAt(at) !== '"') return undefined;
  const end = ctx.sql.indexOf('"', at + 1);
  return end === -1 ? undefined : ctx.sql.slice(at + 1, end);
}

/**
 * `a.x = b.y` between two base tables, in a JOIN … ON or a WHERE conjunct, that matches no
 * foreign key in either direction: often the wrong column pair (a warning: it may be intended).
 */
function nonForeignKeyJoins(ctx: ValidationContext, model: QueryModel): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  const seen = new Set<string>();
  for (const scope of model.scopes) {
    for (const eq of joinEqualities(scope, model)) {
      const [l, r] = eq;
      if (!l.column || !r.column || l.entry === r.entry) continue;
      const a = columnKey(l.column.table, l.column.name);
      const b = columnKey(r.column.table, r.column.name);
      if (ctx.deps.foreignKeyPairs.has(`${a}=${b}`)) continue;
      const text = `${l.column.table}.${l.column.name} = ${r.column.table}.${r.column.name}`;
      if (seen.has(text)) continue;
      seen.add(text);
      const fk = foreignKeyBetween(ctx, l.column.table, r.column.table);
      issues.push({
        layer: 'schema',
        severity: 'warning',
        message: `join condition ${text} does not follow a foreign key`,
        position: ctx.position(l.location),
        suggestion: fk ? `the foreign key between them is ${fk}` : `no foreign key links ${l.column.table} and ${r.column.table}; check that the columns mean the same thing`,
      });
    }
  }
  return issues;
}

/** Equalities between columns of two different entries of `scope`, in its join conditions and WHERE conjuncts. */
function joinEqualities(scope: SelectScope, model: QueryModel): Array<[ColumnUse, ColumnUse]> {
  const found: Array<[ColumnUse, ColumnUse]> = [];
  const visitConjuncts = (expr: AstNode | undefined) => {
    for (const c of conjuncts(expr)) {
      const e = c.A_Expr;
      if (e?.kind !== 'AEXPR_OP' || e.name?.[0]?.String?.sval !== '=') continue;
      const l = e.lexpr?.ColumnRef ? model.byNode.get(e.lexpr.ColumnRef) : undefined;
      const r = e.rexpr?.ColumnRef ? model.byNode.get(e.rexpr.ColumnRef) : undefined;
      if (l?.entry && r?.entry && l.entry.scope === scope && r.entry.scope === scope) found.push([l, r]);
    }
  };
  const visitFrom = (item: AstNode) => {
    if (!item?.JoinExpr) return;
    visitFrom(item.JoinExpr.larg);
    visitFrom(item.JoinExpr.rarg);
    visitConjuncts(item.JoinExpr.quals);
  };
  for (const item of scope.stmt.fromClause ?? []) visitFrom(item);
  visitConjuncts(scope.stmt.whereClause);
  return found;
}

function foreignKeyBetween(ctx: ValidationContext, a: string, b: string): string | undefined {
  const fk = ctx.deps.catalog.foreignKeysOf(a).find((k) =>
    (k.table.toLowerCase() === a.toLowerCase() && k.refTable.toLowerCase() === b.toLowerCase()) ||
    (k.table.toLowerCase() === b.toLowerCase() && k.refTable.toLowerCase() === a.toLowerCase()));
  return fk ? `${fk.table}.${fk.columns.join(', ')} → ${fk.refTable}.${fk.refColumns.join(', ')}` : undefined;
}
