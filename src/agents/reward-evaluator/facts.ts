/**
 * What the reward needs to know about a SQL text, read from its parse tree:
 * the tables and columns it touches, whether it joins or filters, and a
 * structural complexity on one scale for the candidate and the expected SQL.
 */
import { collect, nameParts, walk } from '../../sql/ast.js';
import { parseSql } from '../../sql/parser.js';

export interface SqlFacts {
  /** Base tables (CTE names excluded), lower case. */
  tables: Set<string>;
  /** Column names referenced (output aliases excluded), lower case. */
  columns: Set<string>;
  /** Columns referenced inside join conditions. */
  joinColumns: Set<string>;
  /** Columns and literal values inside WHERE and HAVING. */
  filterTerms: Set<string>;
  /** Selects `*` or `t.*`: every column of its tables. */
  star: boolean;
  joins: boolean;
  filters: boolean;
  /** Tables + joins + 2 × (subqueries, set operations) + window functions + CTEs. */
  complexity: number;
}

/** Facts of a SQL text, or undefined when it does not parse. The parser must be loaded. */
export function sqlFacts(sql: string): SqlFacts | undefined {
  const parsed = parseSql(sql);
  if (!parsed.ok) return undefined;
  const tree = parsed.tree;

  const cteNames = new Set(collect(tree, 'CommonTableExpr').map((c) => String(c.ctename).toLowerCase()));
  const tables = new Set(
    collect(tree, 'RangeVar').map((r) => String(r.relname).toLowerCase()).filter((name) => !cteNames.has(name)),
  );
  const aliases = new Set(collect(tree, 'ResTarget').flatMap((t) => (t.name ? [String(t.name).toLowerCase()] : [])));
  const joinExprs = collect(tree, 'JoinExpr');
  const usingColumns = joinExprs.flatMap((j) => nameParts(j.usingClause).map((c) => c.toLowerCase()));
  const columns = new Set([...columnNames(tree).filter((c) => !aliases.has(c)), ...usingColumns]);
  const joinColumns = new Set([...joinExprs.flatMap((j) => columnNames(j.quals)), ...usingColumns]);
  const selects = collect(tree, 'SelectStmt');
  const filterClauses = selects.flatMap((s) => [s.whereClause, s.havingClause]).filter((c) => c !== undefined);
  const filterTerms = new Set([...columnNames(filterClauses), ...literalValues(filterClauses)]);
  const fromListJoins = selects.some((s) => Array.isArray(s.fromClause) && s.fromClause.length > 1);

  let setOperations = 0;
  walk(tree, ({ type, node }) => {
    if (type === 'SelectStmt' && node.op && node.op !== 'SETOP_NONE') setOperations++;
  });
  const subqueries = collect(tree, 'SubLink').length + collect(tree, 'RangeSubselect').length;
  const complexity = collect(tree, 'RangeVar').length + joinExprs.length + 2 * (subqueries + setOperations) +
    collect(tree, 'WindowDef').length + cteNames.size;

  return {
    tables,
    columns,
    joinColumns,
    filterTerms,
    star: collect(tree, 'ColumnRef').some((ref) => nameParts(ref.fields).includes('*')),
    joins: joinExprs.length > 0 || fromListJoins,
    filters: filterClauses.length > 0,
    complexity,
  };
}

function columnNames(root: unknown): string[] {
  return collect(root, 'ColumnRef').flatMap((ref) => {
    const parts = nameParts(ref.fields);
    const last = parts[parts.length - 1];
    return last && last !== '*' ? [last.toLowerCase()] : [];
  });
}

function literalValues(root: unknown): string[] {
  return collect(root, 'A_Const').flatMap((c) => {
    const value = c.sval?.sval ?? c.ival?.ival ?? c.fval?.fval;
    return value === undefined ? [] : [String(value).toLowerCase()];
  });
}

/** The bare table name: `public.pac_mnt_projects` → `pac_mnt_projects`. */
export function bareName(name: string): string {
  const parts = name.toLowerCase().split('.');
  return parts[parts.length - 1].replace(/^"|"$/g, '');
}
