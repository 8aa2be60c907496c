/**
 * Request screening: the orchestrator's read-only policy, applied before any
 * generator is asked, whichever generator is configured (the embedded one, an
 * LLM, a user's function). Two decisions, both read from the structure of the
 * question rather than from the words it contains:
 *
 *  - a request to change data or schema is refused (WRITE_NOT_ALLOWED): its
 *    first clause, or a clause coordinated with it, is an imperative whose
 *    verb asks for a change and which has an object ("Delete inactive
 *    projects", "Can you set the budget of PRJ001 to 500000?"). The same verb
 *    as a noun or a participle is a question: "drop in revenue", "insert date
 *    of invoices", "updated contracts", "players taller than 200";
 *  - text appended to a question that tries to act as a second instruction or
 *    statement (`; DELETE …`, "then drop every table") is cut off, so no agent
 *    sees it.
 *
 * A small hand-written reader rather than a tagger: compromise, the maintained
 * English tagger, calls "Drop table projects" and "Mark invoice 12 as paid"
 * noun phrases and "Store names with more than 5 employees" an imperative, and
 * costs about half a millisecond per question, a quarter of the turn's budget.
 */
import { dictionary } from '../dictionary.js';

/** What the screening decided about one request. */
export interface Screening {
  /** The refusal of a write request, or null for a read question. */
  refusal: { error_code: 'WRITE_NOT_ALLOWED'; message: string; suggestions: string[] } | null;
  /** The question the agents receive: the request without appended instructions. */
  question: string;
  /** The pieces cut off, kept to report them. */
  dropped: string[];
}

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
const READ_PARTICLES = dictionary<string[]>({
  add: ['up'],
  give: ['me', 'us', 'a', 'an', 'the', 'all', 'every', 'each', 'list', 'total', 'count', 'number', 'summary', 'overview', 'breakdown'],
  make: ['a list', 'a report', 'a summary', 'me', 'us', 'sense'],
  put: ['together'],
  update: ['me', 'us'],
  create: ['a list', 'a report', 'a summary', 'an overview', 'a breakdown', 'a chart'],
});

/**
 * A preposition right after the verb makes it a noun ("drop in revenue",
 * "set of projects", "change over the year"), except the complements of a
 * write: "delete from invoices", "insert into projects".
 */
const NOUN_PREPOSITIONS = new Set([
  'of', 'in', 'on', 'at', 'by', 'per', 'for', 'over', 'between', 'during', 'since', 'across', 'vs', 'versus', 'than',
  'among', 'within', 'after', 'before', 'log', 'logs', 'history', 'is', 'was', 'are', 'were', 'has', 'had',
]);

/**
 * Heads of compound nouns whose modifier is a write verb: "insert date",
 * "close dates", "store names", "transfer amounts", "update frequency".
 */
const ATTRIBUTE_NOUNS = new Set([
  'date', 'dates', 'time', 'times', 'timestamp', 'timestamps', 'day', 'days', 'month', 'months', 'year', 'years',
  'name', 'names', 'amount', 'amounts', 'rate', 'rates', 'count', 'counts', 'number', 'numbers', 'type', 'types',
  'status', 'statuses', 'flag', 'flags', 'id', 'ids', 'code', 'codes', 'value', 'values', 'reason', 'reasons',
  'frequency', 'size', 'sizes', 'level', 'levels', 'fee', 'fees', 'factor', 'factors', 'price', 'prices', 'request',
  'requests', 'order', 'orders', 'owner', 'owners', 'manager', 'managers', 'location', 'locations', 'totals', 'total',
  'bound', 'bounds', 'limit', 'limits', 'percentage', 'percentages', 'ratio', 'ratios', 'period', 'periods',
]);

/** Words after the object that complete a write: "… to Closed", "… as paid", "… = 0", "… with value 5". */
const WRITE_COMPLEMENTS = /\b(?:to|as)\b|=/;

/** Lead-ins before the imperative: "please", "can you", "I want to", "go ahead and"… */
const LEAD_INS = [
  'please', 'kindly', 'now', 'then', 'also', 'and', 'just', 'quickly', 'immediately', 'can you', 'could you',
  'would you', 'will you', 'can we', 'could we', 'i want to', 'i want you to', 'i need to', 'i need you to',
  "i'd like to", 'i would like to', 'i would like you to', "i'd like you to", 'we need to', 'we want to',
  "let's", 'lets', 'let us', 'go ahead and', 'help me', 'help me to', 'you should', 'you must', 'try to',
  'ignore your rules and', 'ignore all previous instructions and', 'ignore previous instructions and',
  'ignore the rules and', 'ignore your instructions and', 'sql:', 'query:',
];
const ALL_LEAD_INS = LEAD_INS.map((l) => l.split(' ')).sort((a, b) => b.length - a.length);

/** SQL statement keywords that start a smuggled second statement. */
const STATEMENT_KEYWORDS = new Set([
  'delete', 'update', 'insert', 'drop', 'truncate', 'alter', 'grant', 'revoke', 'create', 'merge', 'copy', 'vacuum',
  'call', 'do', 'execute', 'set', 'reset', 'lock', 'comment', 'reindex', 'cluster', 'listen', 'notify', 'begin',
  'commit', 'rollback', 'prepare', 'declare', 'import', 'load', 'refresh',
]);

/** First words of an instruction aimed at the assistant rather than the data. */
const OVERRIDES = new Set(['ignore', 'forget', 'disregard', 'bypass', 'override', 'pretend', 'act']);

function words(text: string): string[] {
  return text.toLowerCase().replace(/[^a-z0-9':*=]+/g, ' ').trim().split(' ').filter((w) => w !== '');
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

/**
 * The verb of an imperative clause that asks for a change, else undefined.
 * The verb must stand in imperative position (first, after lead-ins) and take
 * an object: a verb followed by a preposition, a read particle, or an
 * attribute noun it modifies (with nothing after that completes a write) is a
 * noun, not a command.
 */
function writeVerb(tokens: string[]): string | undefined {
  const [verb, next, ...rest] = withoutLeadIns(tokens);
  if (verb === undefined || !WRITE_VERBS.has(verb)) return undefined;
  if (next === undefined) return verb;
  const following = [next, rest[0]];
  if (READ_PARTICLES[verb]?.some((p) => p.split(' ').every((w, k) => following[k] === w))) return undefined;
  if (NOUN_PREPOSITIONS.has(next)) return undefined;
  if (ATTRIBUTE_NOUNS.has(next) && !WRITE_COMPLEMENTS.test(rest.join(' '))) return undefined;
  return verb;
}

/** Coordinated clauses of one sentence: "show the projects and delete the cancelled ones". */
function coordinated(clause: string): string[][] {
  return clause.split(/,\s*|\s+(?:and|or|but)\s+/i).map(words).filter((t) => t.length > 0);
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
    for (const p of trimmed.split(/[,\s]+(?:and\s+)?then\s+/i)) if (p.trim() !== '') pieces.push(p.trim());
  }
  return pieces;
}

/** True when a clause reads as an instruction rather than part of the question. */
function isInstruction(clause: string): boolean {
  const all = words(clause);
  const first = withoutLeadIns(all)[0] ?? '';
  return writeVerb(all) !== undefined || STATEMENT_KEYWORDS.has(first) || OVERRIDES.has(first) ||
    all.slice(0, 3).some((w) => w === 'ignore' || w === 'disregard');
}

/** Separates the question from anything appended to it that tries to act as a second instruction. */
function isolate(parts: string[]): { question: string; dropped: string[] } {
  const [first, ...rest] = parts;
  if (first === undefined) return { question: '', dropped: [] };
  const kept = [first];
  const dropped: string[] = [];
  for (const part of rest) {
    if (dropped.length > 0 || isInstruction(part)) dropped.push(part);
    else kept.push(part);
  }
  return { question: kept.join(' ').replace(/["'`]\s*$/, '').trim(), dropped };
}

/** Screens one request: a refusal for a write request, else the question with appended instructions cut off. */
export function screenRequest(text: string): Screening {
  const parts = clauses(text);
  const { question, dropped } = isolate(parts);
  // A coordinated clause needs an object of its own: "list students, mark and grade" names a column.
  const imperative = parts[0] === undefined ? undefined
    : coordinated(parts[0]).find((clause, i) => writeVerb(clause) !== undefined && (i === 0 || withoutLeadIns(clause).length > 1));
  if (imperative === undefined) return { refusal: null, question: question || text, dropped };
  const [verb, ...object] = withoutLeadIns(imperative);
  return {
    refusal: {
      error_code: 'WRITE_NOT_ALLOWED',
      message: `the request asks to ${verb} data or schema; only read-only questions are answered`,
      suggestions: [
        `This assistant only reads data: ask a question instead, for example "Show ${object.join(' ') || 'the records'}".`,
        'Changes to data or schema go through your application or a database administrator.',
      ],
    },
    question: question || text,
    dropped,
  };
}
