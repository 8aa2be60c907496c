/**
 * The read-only policy of every generator, the LLM ones included: a request
 * to change data or schema is refused (WRITE_NOT_ALLOWED) instead of being
 * bent into a SELECT, and text smuggled after the question (`; DELETE …`,
 * `then drop every table`) is cut off before any generator sees it.
 *
 * Only the imperative of the question decides: "Delete inactive projects" is
 * a write request, while "show deleted projects" or "which contracts were
 * updated last month" are questions that merely mention such a word.
 */
import type { Refusal } from '../types.js';

/** Verbs whose imperative asks the database to change. */
const WRITE_VERBS = new Set([
  'delete', 'remove', 'update', 'set', 'change', 'modify', 'insert', 'add', 'create', 'drop', 'truncate', 'alter',
  'grant', 'revoke', 'rename', 'purge', 'erase', 'wipe', 'overwrite', 'replace', 'merge', 'upsert', 'edit', 'mark',
  'reset', 'clear', 'destroy', 'deactivate', 'activate', 'reactivate', 'archive', 'assign', 'unassign', 'reassign',
  'increase', 'decrease', 'raise', 'lower', 'cut', 'move', 'transfer', 'copy', 'import', 'load', 'write', 'save',
  'store', 'register', 'cancel', 'terminate', 'close', 'reopen', 'approve', 'reject', 'execute', 'exec', 'commit',
  'rollback', 'vacuum', 'reindex', 'lock', 'kill', 'shutdown', 'restore', 'populate', 'fill', 'fix', 'correct',
  'apply', 'put', 'make', 'give', 'deny', 'disable', 'enable', 'discard', 'empty', 'flush', 'clean', 'cleanup',
]);

/** Write verbs that read when followed by these words: "add up the budgets", "give me the list", "create a report of…". */
const READ_PARTICLES: Record<string, string[]> = {
  add: ['up'],
  give: ['me', 'us', 'a', 'an', 'the', 'all', 'every', 'each', 'list', 'total', 'count', 'number', 'summary', 'overview', 'breakdown'],
  make: ['a list', 'a report', 'a summary', 'me', 'us', 'sense'],
  put: ['together'],
  update: ['me', 'us'],
  change: ['in', 'over'],
  create: ['a list', 'a report', 'a summary', 'an overview', 'a breakdown', 'a chart'],
};

/** Lead-ins before the imperative: "please", "can you", "I want to", "go ahead and"… */
const LEAD_INS = [
  'please', 'kindly', 'now', 'then', 'also', 'and', 'just', 'quickly', 'immediately', 'can you', 'could you',
  'would you', 'will you', 'can we', 'could we', 'i want to', 'i want you to', 'i need to', 'i need you to',
  "i'd like to", 'i would like to', 'i would like you to', "i'd like you to", 'we need to', 'we want to',
  "let's", 'lets', 'let us', 'go ahead and', 'help me', 'help me to', 'you should', 'you must', 'try to',
  'ignore your rules and', 'ignore all previous instructions and', 'ignore previous instructions and',
  'ignore the rules and', 'ignore your instructions and', 'sql:', 'query:',
];

/** SQL statement keywords that start a smuggled second statement. */
const STATEMENT_KEYWORDS = new Set([
  'delete', 'update', 'insert', 'drop', 'truncate', 'alter', 'grant', 'revoke', 'create', 'merge', 'copy', 'vacuum',
  'call', 'do', 'execute', 'set', 'reset', 'lock', 'comment', 'reindex', 'cluster', 'listen', 'notify', 'begin',
  'commit', 'rollback', 'prepare', 'declare', 'import', 'load', 'refresh',
]);

const ALL_LEAD_INS = LEAD_INS.map((l) => l.split(' ')).sort((a, b) => b.length - a.length);

function words(text: string): string[] {
  return text.toLowerCase().replace(/[^a-z0-9':*]+/g, ' ').trim().split(' ').filter((w) => w !== '');
}

/** Words of a clause after its lead-ins ("please", "can you"…). */
function withoutLeadIns(tokens: string[]): string[] {
  let i = 0;
  let moved = true;
  while (moved && i < tokens.length) {
    moved = false;
    for (const lead of ALL_LEAD_INS) {
      if (lead.every((w, k) => tokens[i + k] === w)) {
        i += lead.length;
        moved = true;
        break;
      }
    }
  }
  return tokens.slice(i);
}

/** The imperative verb of a clause when it asks for a change, else undefined. */
function writeVerb(clause: string): string | undefined {
  const tokens = withoutLeadIns(words(clause));
  const verb = tokens[0];
  if (verb === undefined || !WRITE_VERBS.has(verb)) return undefined;
  const following = tokens.slice(1, 3);
  if (READ_PARTICLES[verb]?.some((p) => p.split(' ').every((w, k) => following[k] === w))) return undefined;
  // "Set of projects…", "Change log for…", "Copy of the contract…": nouns, not imperatives.
  if (tokens[1] === 'of' || tokens[1] === 'log' || tokens[1] === 'history' || tokens[1] === 'logs') return undefined;
  return verb;
}

/**
 * Splits the text where a second instruction or statement could begin:
 * statement separators, SQL comments, sentence ends and "then …".
 */
function clauses(text: string): string[] {
  const pieces: string[] = [];
  for (const part of text.split(/;|--|\/\*|\*\/|\r?\n|(?<=[.!?])\s+(?=[A-Za-z])/)) {
    const trimmed = part.trim();
    if (trimmed === '') continue;
    const thenSplit = trimmed.split(/[,\s]+(?:and\s+)?then\s+/i);
    for (const p of thenSplit) if (p.trim() !== '') pieces.push(p.trim());
  }
  return pieces;
}

/** True when a clause reads as an instruction rather than part of the question. */
function isInstruction(clause: string): boolean {
  const tokens = withoutLeadIns(words(clause));
  const first = tokens[0] ?? '';
  return writeVerb(clause) !== undefined || STATEMENT_KEYWORDS.has(first) ||
    ['ignore', 'forget', 'disregard', 'bypass', 'override', 'pretend', 'act'].includes(first) ||
    words(clause).slice(0, 3).some((w) => w === 'ignore' || w === 'disregard');
}

export interface QuestionSplit {
  /** The part of the text that is the question, without smuggled instructions or statements. */
  question: string;
  /** The pieces cut off, kept to report them. */
  dropped: string[];
}

/** Separates the question from anything appended to it that tries to act as a second instruction. */
export function isolateQuestion(text: string): QuestionSplit {
  const parts = clauses(text);
  if (parts.length === 0) return { question: '', dropped: [] };
  const [first, ...rest] = parts;
  const kept = [first];
  const dropped: string[] = [];
  let cut = false;
  for (const part of rest) {
    if (cut || isInstruction(part)) {
      cut = true;
      dropped.push(part);
    } else {
      kept.push(part);
    }
  }
  const question = kept.join(' ').replace(/["'`]\s*$/, '').trim();
  return { question, dropped };
}

/**
 * The refusal for a request to change data or schema, or undefined when the
 * text is a read question (possibly with an instruction appended to it, which
 * `isolateQuestion` removes).
 */
export function writeRequestRefusal(text: string): Refusal | undefined {
  const parts = clauses(text);
  const first = parts[0];
  if (first === undefined) return undefined;
  const verb = writeVerb(first);
  if (verb === undefined) return undefined;
  const rest = withoutLeadIns(words(first)).slice(1).join(' ');
  const suggestions = [
    'This assistant only reads data: ask a question instead, for example "Show ' + (rest || 'the records') + '".',
    'Changes to data or schema go through your ERP application or a database administrator.',
  ];
  return {
    refusal: {
      error_code: 'WRITE_NOT_ALLOWED',
      message: `The request asks to ${verb} data or schema; only read-only questions are answered.`,
      suggestions,
    },
  };
}
