/**
 * The schema as prompt text: only the tables a question needs, one line per
 * column with its type, keys and known values, then how the tables join and
 * what the question's business words mean on them.
 */
import type { JoinPath, RelevantTable } from './contract.js';
import type { Column, Table } from '../../schema/types.js';
import type { AnalyzerDeps } from './lexicon.js';

/** Tables scoring below this are left out of the prompt: they only add noise. */
const CONTEXT_MIN_SCORE = 0.35;
const CONTEXT_MAX_TABLES = 6;

export function renderSchemaContext(tables: RelevantTable[], joins: JoinPath[], deps: AnalyzerDeps): string {
  const shown = tables.filter((t) => t.relevance_score >= CONTEXT_MIN_SCORE).slice(0, CONTEXT_MAX_TABLES);
  const lines: string[] = [];
  for (const rt of shown) {
    const table = deps.catalog.table(rt.table_name);
    if (!table) continue;
    const description = deps.vocabulary.tables[table.name]?.description;
    lines.push(`TABLE ${table.name}${description ? ` -- ${description}` : ''}`);
    for (const column of table.columns) lines.push(`  ${columnLine(column, table)}`);
    for (const fk of table.foreignKeys) lines.push(`  FOREIGN KEY (${fk.columns.join(', ')}) REFERENCES ${fk.refTable} (${fk.refColumns.join(', ')})`);
    for (const f of rt.filters) lines.push(`  -- filter ${f.source}: ${f.aggregate ? `${f.aggregate}(${f.column})` : f.column} ${f.operator} ${formatValue(f.value)}`);
    for (const m of rt.measures ?? []) lines.push(`  -- measure "${m.term}": ${m.sql} (${m.description})`);
  }
  const shownNames = new Set(shown.map((t) => t.table_name));
  const joinLines = joins
    .filter((j) => shownNames.has(j.from_table) && shownNames.has(j.to_table))
    .map((j) => `  ${j.from_table} -> ${j.to_table} (${j.join_type}): ${j.join_columns.join(' AND ')}`);
  if (joinLines.length > 0) lines.push('JOINS', ...joinLines);
  return lines.join('\n');
}

function columnLine(column: Column, table: Table): string {
  const parts = [column.name, column.type];
  if (column.primaryKey) parts.push(table.primaryKey.length > 1 ? 'PRIMARY KEY part' : 'PRIMARY KEY');
  else {
    if (column.unique) parts.push('UNIQUE');
    if (!column.nullable) parts.push('NOT NULL');
  }
  if (column.default !== undefined) parts.push(`DEFAULT ${column.default}`);
  let line = parts.join(' ');
  if (column.valueDomain) line += ` -- values: ${column.valueDomain.join(' | ')}`;
  else if (column.comment) line += ` -- ${column.comment}`;
  return line;
}

function formatValue(value: unknown): string {
  if (value === null) return '';
  if (typeof value === 'string') return `'${value.replaceAll("'", "''")}'`;
  if (Array.isArray(value)) return `(${value.map(formatValue).join(', ')})`;
  if (typeof value === 'object') {
    const v = value as Record<string, string>;
    if (v.sql) return v.sql;
    if (v.table) return `${v.table}.${v.column}`;
    if (v.column) return v.column;
  }
  return String(value);
}
