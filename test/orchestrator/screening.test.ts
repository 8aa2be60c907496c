import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { screenRequest } from '../../src/orchestrator/screening.js';

const lines: Array<{ query: string; expect?: string }> = readFileSync(join(import.meta.dirname, '../fixtures/gl-dev.jsonl'), 'utf8')
  .trim().split('\n').map((l) => JSON.parse(l));

const refusalOf = (q: string) => screenRequest(q).refusal;

describe('write requests are refused', () => {
  it.each(lines.filter((l) => l.expect === 'refuse').map((l) => l.query))('dev: %s', (q) => {
    const r = refusalOf(q);
    expect(r?.error_code).toBe('WRITE_NOT_ALLOWED');
    expect(r?.suggestions.length).toBeGreaterThan(0);
  });

  it.each([
    'Remove the cancelled contracts',
    'Please drop the PROJSTAFF table',
    'Can you set the budget of PRJ001 to 500000?',
    'Truncate the purge list',
    'Create a table for invoices',
    'Add a new resource called Crane 7',
    'Change the status of all tickets to Closed',
    'Modify the billing rate for every developer',
    'Grant select on SRM_COMPANIES to analyst',
    'Revoke access for the intern',
    'alter table projects add column owner text',
    'I want to delete all inactive companies',
    'Go ahead and mark project PRJ002 as completed',
    'Create a table called invoices',
    'Make a backup table of the contracts',
    'Delete all cancelled projects',
    'Mark invoice 12 as paid',
    'Update status to completed',
    'DELETE FROM invoices WHERE 1=1',
    'DROP TABLE projects',
    'insert into projects values (1)',
    'Show all projects and delete the cancelled ones',
  ])('own: %s', (q) => {
    expect(refusalOf(q)?.error_code).toBe('WRITE_NOT_ALLOWED');
  });

  it.each([
    'Show deleted projects',
    'List changes approved last month',
    'Which contracts were updated last month?',
    'List project revisions with their changes',
    'Give me the total budget',
    'Add up the budgets of IT projects',
    'How many contracts were created this year?',
    'Show the change log for project PRJ001',
    'Find projects whose status was set to On Hold',
    'Create a list of active projects',
    'Update me on the contracts expiring this month',
    'Change in budget per department',
    // Write-like letters and words in another sense: a comparative, participles, nouns.
    'players taller than 200',
    'Show players taller than 200',
    'Which players are taller than 200 cm?',
    'updated contracts',
    'List updated contracts',
    'created date of each project',
    'Show the created date of each project',
    'drop in revenue by month',
    'What was the drop in revenue last year?',
    'insert date of the invoices',
    'Insert date for each invoice',
    'Store names with more than 5 employees',
    'Close dates of the projects',
    'Lower bound of the budgets',
    'List students, mark and grade',
  ])('read questions that mention such words are answered: %s', (q) => {
    expect(refusalOf(q)).toBeNull();
  });
});

describe('smuggled statements are cut off', () => {
  it.each(lines.filter((l) => l.expect === 'safe').map((l) => l.query))('dev: %s', (q) => {
    const { refusal, question, dropped } = screenRequest(q);
    expect(refusal).toBeNull();
    expect(dropped.length).toBeGreaterThan(0);
    expect(question).not.toMatch(/delete|drop|update/i);
  });

  it('keeps a question that is only a question', () => {
    expect(screenRequest('Show active projects in IT')).toEqual({ refusal: null, question: 'Show active projects in IT', dropped: [] });
  });

  it('drops every clause after the first instruction', () => {
    const { question, dropped } = screenRequest('List companies. Then truncate SRM_COMPANIES. And show contacts');
    expect(question).toBe('List companies.');
    expect(dropped).toHaveLength(2);
  });
});

// Generated phrasings: the decision follows the imperative's structure, whatever the wording around it.
const leadIn = fc.constantFrom('', 'please ', 'can you ', 'I want to ', 'go ahead and ', 'could you please ', 'now ');
const writeVerb = fc.constantFrom('delete', 'remove', 'update', 'drop', 'truncate', 'insert', 'erase', 'purge', 'wipe', 'modify', 'alter', 'change');
const determiner = fc.constantFrom('all ', 'the ', 'every ', 'any ', 'these ', '');
const adjective = fc.constantFrom('', 'cancelled ', 'inactive ', 'old ', 'duplicate ', 'closed ');
const noun = fc.constantFrom('projects', 'contracts', 'invoices', 'companies', 'records', 'rows', 'resources', 'employees');
const tail = fc.constantFrom('', ' from last year', ' in the IT department', ' where status is closed', '?', '.');
const casing = fc.constantFrom((s: string) => s, (s: string) => s.toUpperCase(), (s: string) => s[0]!.toUpperCase() + s.slice(1));

describe('generated phrasings', () => {
  it('an imperative write with an object is refused, however it is introduced and cased', () => {
    fc.assert(
      fc.property(leadIn, writeVerb, determiner, adjective, noun, tail, casing, (l, v, d, a, n, t, c) => {
        const q = c(`${l}${v} ${d}${a}${n}${t}`);
        expect(refusalOf(q)?.error_code, q).toBe('WRITE_NOT_ALLOWED');
      }),
      { numRuns: 500 },
    );
  });

  it('the same verbs as nouns, participles or compound modifiers are answered', () => {
    const participle = fc.constantFrom('deleted', 'removed', 'updated', 'dropped', 'inserted', 'created', 'modified', 'changed', 'cancelled', 'altered');
    const attribute = fc.constantFrom('date', 'dates', 'time', 'amount', 'count', 'rate', 'status', 'type', 'name');
    const readVerb = fc.constantFrom('show', 'list', 'which are the', 'how many', 'count the', 'find');
    const read = fc.oneof(
      // "show updated contracts", "how many deleted projects"
      fc.tuple(readVerb, participle, noun, tail).map(([r, p, n, t]) => `${r} ${p} ${n}${t}`),
      // "projects updated last month"
      fc.tuple(noun, participle, fc.constantFrom('last month', 'this year', 'in 2024', 'by the manager')).map(([n, p, w]) => `${n} ${p} ${w}`),
      // "drop in revenue", "change over the year", "set of contracts"
      fc.tuple(writeVerb, fc.constantFrom('in', 'of', 'over', 'per', 'by', 'between'), noun).map(([v, p, n]) => `${v} ${p} ${n}`),
      // "insert date of the invoices", "update frequency by department"
      fc.tuple(writeVerb, attribute, fc.constantFrom('of the', 'for each', 'by', 'per'), noun).map(([v, a, p, n]) => `${v} ${a} ${p} ${n}`),
      // comparatives that contain a verb's letters: "taller", "alternative", "dropdown"
      fc.tuple(noun, fc.constantFrom('taller than 200', 'with alternative names', 'shorter than 150', 'updater notes'), tail).map(([n, w, t]) => `${n} ${w}${t}`),
    );
    fc.assert(
      fc.property(read, casing, (q, c) => {
        expect(refusalOf(c(q)), c(q)).toBeNull();
      }),
      { numRuns: 500 },
    );
  });
});
