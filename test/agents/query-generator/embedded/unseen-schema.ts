/**
 * A small schema written for these tests (no data set's): members of clubs,
 * with ages, weights, a city and the year they joined. The generator sees only
 * its DDL and the values of its text columns, as on a user's own database.
 */
import { PGlite } from '@electric-sql/pglite';
import { afterAll, beforeAll } from 'vitest';
import { generateEmbedded, type Generation } from '../../../../src/agents/query-generator/embedded/generate.js';
import { buildLexicon, type Lexicon } from '../../../../src/agents/query-generator/embedded/lexicon.js';
import { buildCatalog } from '../../../../src/schema/catalog.js';
import { loadParser } from '../../../../src/sql/parser.js';

export const DDL = `
CREATE TABLE club (club_id INTEGER PRIMARY KEY, name TEXT, budget NUMERIC, founded_year INTEGER);
CREATE TABLE member (member_id INTEGER PRIMARY KEY, name TEXT, age INTEGER, weight NUMERIC, city TEXT);
CREATE TABLE membership (member_id INTEGER REFERENCES member (member_id), club_id INTEGER REFERENCES club (club_id), joined_year INTEGER);
`;

const DATA = `
INSERT INTO club VALUES (1, 'Rowers', 5000, 1990), (2, 'Climbers', 12000, 2005);
INSERT INTO member VALUES (1, 'Ada', 31, 60, 'Oslo'), (2, 'Bo', 19, 82, 'Lima'), (3, 'Cy', 45, 75, 'Oslo'), (4, 'Di', 27, 58, 'Lima');
INSERT INTO membership VALUES (1, 1, 2010), (2, 1, 2014), (3, 2, 2015), (1, 2, 2014);
`;

let lexicon: Lexicon | undefined;

export async function clubLexicon(): Promise<Lexicon> {
  if (!lexicon) {
    await loadParser();
    lexicon = buildLexicon({ catalog: buildCatalog(DDL), values: { member: { city: ['Oslo', 'Lima'], name: ['Ada', 'Bo', 'Cy', 'Di'] }, club: { name: ['Rowers', 'Climbers'] } } });
  }
  return lexicon;
}

export async function ask(question: string, numCandidates = 1): Promise<Generation> {
  return generateEmbedded(question, await clubLexicon(), undefined, { numCandidates });
}

/** The club database in PGlite, to run what the generator wrote. */
export async function clubDatabase(): Promise<PGlite> {
  const db = new PGlite();
  await db.exec(DDL + DATA);
  return db;
}

export async function rows(db: PGlite, sql: string): Promise<unknown[][]> {
  return (await db.query(sql, [], { rowMode: 'array' })).rows as unknown[][];
}

/** The club database for the tests of one file: opened before them, closed after. */
export function useClubDatabase(): () => PGlite {
  let db: PGlite | undefined;
  beforeAll(async () => {
    db = await clubDatabase();
  }, 60_000);
  afterAll(async () => {
    await db?.close();
  });
  return () => db!;
}
