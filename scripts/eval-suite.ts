/**
 * `npm run eval:suite -- DIR [--out FILE]`: evaluates every database folder
 * under DIR (schema.sql, dev.jsonl, data-*.sql: the layout of the Spider
 * databases) and prints a Markdown table of each database's accuracy, strict
 * accuracy, confidence AUROC and calibration error (docs/evaluation.md).
 */
import { runSuite, suiteDatabases, suiteTable } from '../src/eval/suite.js';
import { openJsonlWriter } from '../src/eval/jsonl-writer.js';

const args = process.argv.slice(2);
const outAt = args.indexOf('--out');
const out = outAt >= 0 ? args[outAt + 1] : undefined;
const root = args.find((a, i) => !a.startsWith('--') && i !== outAt + 1);
if (!root || (outAt >= 0 && !out)) {
  process.stderr.write('usage: npm run eval:suite -- DIR [--out predictions.jsonl]\n');
  process.exit(2);
}
const dirs = suiteDatabases(root);
if (dirs.length === 0) {
  process.stderr.write(`${root}: no database folder (schema.sql, dev.jsonl, data-*.sql)\n`);
  process.exit(1);
}
const report = await runSuite(dirs, { onDatabase: (row) => process.stderr.write(`${row.database}: ${row.items} items done\n`) });
if (out) {
  const writer = openJsonlWriter(out);
  for (const item of report.items) writer.write({ database: item.database, ...item.record });
  await writer.close();
}
console.log(suiteTable(report));
