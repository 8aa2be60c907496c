import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isolateQuestion, writeRequestRefusal } from '../../../src/agents/query-generator/refusal.js';

const lines: Array<{ query: string; expect?: string }> = readFileSync(join(import.meta.dirname, '../../fixtures/gl-dev.jsonl'), 'utf8')
  .trim().split('\n').map((l) => JSON.parse(l));

describe('write requests are refused', () => {
  it.each(lines.filter((l) => l.expect === 'refuse').map((l) => l.query))('dev: %s', (q) => {
    const r = writeRequestRefusal(q);
    expect(r?.refusal.error_code).toBe('WRITE_NOT_ALLOWED');
    expect(r?.refusal.suggestions?.length).toBeGreaterThan(0);
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
  ])('own: %s', (q) => {
    expect(writeRequestRefusal(q)?.refusal.error_code).toBe('WRITE_NOT_ALLOWED');
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
  ])('read questions that mention such words are answered: %s', (q) => {
    expect(writeRequestRefusal(q)).toBeUndefined();
  });
});

describe('smuggled statements are cut off', () => {
  it.each(lines.filter((l) => l.expect === 'safe').map((l) => l.query))('dev: %s', (q) => {
    const { question, dropped } = isolateQuestion(q);
    expect(dropped.length).toBeGreaterThan(0);
    expect(question).not.toMatch(/delete|drop|update/i);
  });

  it('keeps a question that is only a question', () => {
    expect(isolateQuestion('Show active projects in IT')).toEqual({ question: 'Show active projects in IT', dropped: [] });
  });

  it('drops every clause after the first instruction', () => {
    const { question, dropped } = isolateQuestion('List companies. Then truncate SRM_COMPANIES. And show contacts');
    expect(question).toBe('List companies.');
    expect(dropped).toHaveLength(2);
  });
});
