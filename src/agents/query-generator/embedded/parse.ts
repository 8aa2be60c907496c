/**
 * The semantic parser as a pass pipeline: annotated items → a plan → a query.
 *
 * It works like an analyst reading the question: find what is being listed
 * or counted (the subject table), then read each phrase against it. Each
 * reader (`read/`) handles one kind of phrase, marks the items it used and
 * adds to the plan; `lower.ts` compiles the plan over the foreign-key graph.
 * Order matters because a reader skips items an earlier one used: the list
 * below says why each stands where it does.
 */
import type { SchemaAnalysis } from '../../schema-analyzer/contract.js';
import type { Lexicon } from './lexicon.js';
import { build } from './lower.js';
import type { Query } from './query.js';
import { readAccounting } from './read/accounting.js';
import { readAggregates, implicitSummary } from './read/aggregates.js';
import { readDefaults, readTwoColumnMeasures } from './read/arithmetic.js';
import { readMentionedColumns, readProjection } from './read/columns.js';
import { readComparisons } from './read/comparisons.js';
import { readDates } from './read/dates.js';
import { readDegreeRankings } from './read/degrees.js';
import { readDistinct } from './read/distinct.js';
import { readFilters } from './read/filters.js';
import { readDuplicates, readGroups, readOpeningGroup } from './read/groups.js';
import { readHierarchy } from './read/hierarchy.js';
import { readLiterals } from './read/literals.js';
import { readModifiers } from './read/modifiers.js';
import { readNulls } from './read/nulls.js';
import { readHighAmounts, readOrdering } from './read/ordering.js';
import { readPatterns } from './read/patterns.js';
import { readRankings } from './read/rankings.js';
import { readTables } from './read/relations.js';
import { readPercentage } from './read/shares.js';
import { readSubject } from './read/subject.js';
import { readUnion } from './read/union.js';
import { readWindows } from './read/windows.js';
import { createState, type ParseOptions, type ParseState } from './state.js';
import type { Item } from './tokens.js';

export type { ParseOptions } from './state.js';

export interface ParseOutcome {
  query: Query;
  steps: string[];
  guesses: string[];
  subject: string;
  /** Content words no reader used ("second"), named in the reasoning and counted against the confidence. */
  unused: string[];
}

export type Reader = (s: ParseState) => void;

export const READERS: ReadonlyArray<readonly [Reader, string]> = [
  [readSubject, 'every other phrase is read against the subject table'],
  [readUnion, 'a combined list of several tables is a whole reading by itself: the rest is skipped'],
  [readModifiers, 'table words just before the subject qualify it, before they can be read as other tables'],
  [readDegreeRankings, '"the youngest", "the heaviest" alone rank by the column their adjective measures, before "oldest" can read as a date'],
  [readRankings, 'superlatives over the subject\'s own rows claim "largest … by …" before comparisons and groups read its words'],
  [readHierarchy, 'parent and child words on a self-referencing table, before the table words are joined'],
  [readTables, 'other tables decide joins and existence tests, which later conditions attach to'],
  [readDates, 'date phrases, before comparisons take their numbers (a year is not an amount)'],
  [readTwoColumnMeasures, 'ratios and differences claim their two columns before comparisons pick operands'],
  [readComparisons, 'comparators take the nearest column and number; before values, which would claim those words'],
  [readPatterns, 'text patterns take their literal before it is searched as a value'],
  [readNulls, 'NULL tests ("without an email") before "without" reads as a value'],
  [readFilters, 'values and business rules, once joins and existence tests exist to place them'],
  [readAggregates, 'measures, once conditions have taken the columns they compare'],
  [readGroups, 'groups, after measures (a "by" without a measure is an ordering)'],
  [readDuplicates, 'duplicates are a grouping of their own'],
  [readDefaults, 'NULL fallbacks on the columns still shown'],
  [readPercentage, 'a share turns the conditions read so far into its numerator'],
  [readOpeningGroup, 'a question opening on a column ("which department …") groups by it when it measures'],
  [implicitSummary, 'groups with no measure named get a count and totals'],
  [readOrdering, 'order and limit last among clauses: they rank what the measures and groups produced'],
  [readHighAmounts, '"high-value" with no bound: the ranking of what is left'],
  [readWindows, 'windows rank or total the rows as they now stand'],
  [readDistinct, 'DISTINCT over the columns named, once nothing else groups'],
  [readLiterals, 'quoted text and codes that no reader claimed'],
  [readMentionedColumns, 'columns of other tables named only for display'],
  [readProjection, 'columns left over before the subject are what is asked: they replace whole rows'],
  [readAccounting, 'last: every content word no reader used is named'],
];

export function parseItems(lex: Lexicon, items: Item[], analysis: SchemaAnalysis | undefined, options: ParseOptions = {}): ParseOutcome {
  const s = createState(lex, items, analysis, options);
  for (const [reader] of READERS) {
    reader(s);
    if (s.complete) break;
  }
  const { steps, guesses, subject } = s.plan;
  return { query: s.complete ?? build(s), steps, guesses, subject, unused: s.unused };
}
