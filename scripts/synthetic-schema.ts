/**
 * Synthetic ERP-like schemas of any size, for the large-schema tests and the
 * `schema-scale` benchmark: N tables named module_entity_k, each with a key,
 * a name, a code, a status, an amount, dates, and foreign keys to one to three
 * earlier tables (so the key graph is connected and has hubs, as an ERP's
 * has). Deterministic for a given (N, seed).
 */

const MODULES = ['GL', 'AP', 'AR', 'PO', 'SO', 'INV', 'HR', 'PAY', 'PRJ', 'FA', 'CRM', 'MFG', 'QA', 'WMS', 'TAX', 'BUD'];
const ENTITIES = [
  'ACCOUNT', 'JOURNAL', 'LEDGER', 'VOUCHER', 'INVOICE', 'PAYMENT', 'RECEIPT', 'VENDOR', 'CUSTOMER', 'CONTRACT',
  'ORDER', 'SHIPMENT', 'ITEM', 'WAREHOUSE', 'BIN', 'EMPLOYEE', 'POSITION', 'DEPARTMENT', 'PROJECT', 'TASK',
  'ASSET', 'DEPRECIATION', 'CAMPAIGN', 'LEAD', 'OPPORTUNITY', 'ROUTING', 'BOM', 'INSPECTION', 'DEFECT', 'RATE',
  'PERIOD', 'BUDGET', 'FORECAST', 'CURRENCY', 'BANK', 'STATEMENT', 'RECONCILIATION', 'ALLOCATION', 'TIMESHEET', 'EXPENSE',
];
const STATUSES = ['Active', 'Closed', 'Pending', 'Cancelled'];

/** A small deterministic PRNG (mulberry32): the same schema for the same seed. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface SyntheticTable {
  name: string;
  entity: string;
  references: string[];
}

/** The tables of an N-table schema, in creation order (every reference points to an earlier table). */
export function syntheticTables(n: number, seed = 1): SyntheticTable[] {
  const rnd = random(seed);
  const tables: SyntheticTable[] = [];
  for (let i = 0; i < n; i++) {
    const module = MODULES[i % MODULES.length]!;
    const entity = ENTITIES[Math.floor(i / MODULES.length) % ENTITIES.length]!;
    const round = Math.floor(i / (MODULES.length * ENTITIES.length));
    const name = `${module}_${entity}${round > 0 ? `_${round + 1}` : ''}`;
    const references = new Set<string>();
    // Mostly a nearby table, sometimes one of the first (hub) tables.
    const count = i === 0 ? 0 : 1 + Math.floor(rnd() * Math.min(3, i));
    for (let k = 0; k < count; k++) {
      const target = rnd() < 0.3 ? Math.floor(rnd() * Math.min(i, 20)) : Math.max(0, i - 1 - Math.floor(rnd() * Math.min(i, 50)));
      references.add(tables[target]!.name);
    }
    tables.push({ name, entity, references: [...references] });
  }
  return tables;
}

/** The DDL of an N-table schema. */
export function syntheticSchema(n: number, seed = 1): string {
  return syntheticTables(n, seed).map((t) => {
    const entity = t.entity.toLowerCase();
    const columns: Array<[string, string?]> = [
      [`${t.name}_ID INTEGER PRIMARY KEY`],
      [`${cap(entity)}_Name VARCHAR(120) NOT NULL`],
      [`${cap(entity)}_Code VARCHAR(30) UNIQUE`],
      [`Status VARCHAR(20) DEFAULT '${STATUSES[0]}'`, STATUSES.join(' | ')],
      ['Amount DECIMAL(15,2)'],
      ['Start_Date DATE'],
      ['Created_Date TIMESTAMP DEFAULT CURRENT_TIMESTAMP'],
      ...t.references.map((r): [string] => [`${r}_ID INTEGER REFERENCES ${r} (${r}_ID)`]),
    ];
    const lines = columns.map(([definition, comment], i) => `  ${definition}${i < columns.length - 1 ? ',' : ''}${comment ? ` -- ${comment}` : ''}`);
    return `CREATE TABLE ${t.name} (\n${lines.join('\n')}\n);\n`;
  }).join('\n');
}

function cap(word: string): string {
  return word.charAt(0).toUpperCase() + word.slice(1);
}
