/**
 * A strict reader of the Prometheus text exposition format (0.0.4), for
 * tests: every sample must belong to a family declared by # TYPE, labels and
 * values must parse, histogram buckets must be cumulative and end at +Inf.
 */
export interface Family {
  name: string;
  type: string;
  help?: string;
  samples: Array<{ name: string; labels: Record<string, string>; value: number }>;
}

const NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const SUFFIXES: Record<string, string[]> = { summary: ['', '_sum', '_count'], histogram: ['_bucket', '_sum', '_count'], counter: [''], gauge: [''], untyped: [''] };

export function parsePrometheus(text: string): Map<string, Family> {
  const families = new Map<string, Family>();
  const lines = text.split('\n');
  lines.forEach((line, i) => {
    const where = `line ${i + 1}: ${line}`;
    if (line.trim() === '') return;
    if (line.startsWith('# HELP ')) {
      const [name, ...help] = line.slice(7).split(' ');
      if (!NAME.test(name!)) throw new Error(`bad name in HELP, ${where}`);
      familyOf(families, name!).help = help.join(' ');
      return;
    }
    if (line.startsWith('# TYPE ')) {
      const [name, type] = line.slice(7).split(' ');
      if (!NAME.test(name!) || !type || !(type in SUFFIXES)) throw new Error(`bad TYPE, ${where}`);
      const family = familyOf(families, name!);
      if (family.samples.length) throw new Error(`TYPE after samples, ${where}`);
      family.type = type;
      return;
    }
    if (line.startsWith('#')) return;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})?\s+(\S+)(\s+-?\d+)?$/.exec(line);
    if (!m) throw new Error(`bad sample, ${where}`);
    const [, name, , labelText, valueText] = m;
    const value = valueText === '+Inf' ? Infinity : valueText === '-Inf' ? -Infinity : Number(valueText);
    if (Number.isNaN(value) && valueText !== 'NaN') throw new Error(`bad value, ${where}`);
    const labels = parseLabels(labelText ?? '', where);
    const family = [...families.values()].find((f) => f.type && SUFFIXES[f.type]!.some((s) => f.name + s === name));
    if (!family) throw new Error(`sample without a declared family, ${where}`);
    family.samples.push({ name: name!, labels, value });
  });
  for (const family of families.values()) if (family.type === 'histogram') checkHistogram(family);
  return families;
}

function familyOf(families: Map<string, Family>, name: string): Family {
  let f = families.get(name);
  if (!f) families.set(name, (f = { name, type: '', samples: [] }));
  return f;
}

function parseLabels(text: string, where: string): Record<string, string> {
  const labels: Record<string, string> = {};
  let rest = text;
  while (rest.length) {
    const m = /^([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\\n]|\\["\\n])*)"(,|$)/.exec(rest);
    if (!m) throw new Error(`bad labels, ${where}`);
    if (m[1]! in labels) throw new Error(`duplicate label, ${where}`);
    labels[m[1]!] = m[2]!;
    rest = rest.slice(m[0].length);
  }
  return labels;
}

function checkHistogram(family: Family): void {
  const series = new Map<string, Family['samples']>();
  for (const s of family.samples.filter((s) => s.name.endsWith('_bucket'))) {
    const { le, ...others } = s.labels;
    if (le === undefined) throw new Error(`${family.name}: bucket without le`);
    const key = JSON.stringify(others);
    series.set(key, [...(series.get(key) ?? []), s]);
  }
  for (const [key, buckets] of series) {
    const les = buckets.map((b) => (b.labels.le === '+Inf' ? Infinity : Number(b.labels.le)));
    if (les.at(-1) !== Infinity) throw new Error(`${family.name}${key}: no +Inf bucket`);
    for (let i = 1; i < buckets.length; i++) {
      if (les[i]! <= les[i - 1]!) throw new Error(`${family.name}${key}: le not increasing`);
      if (buckets[i]!.value < buckets[i - 1]!.value) throw new Error(`${family.name}${key}: buckets not cumulative`);
    }
    const count = family.samples.find((s) => s.name === `${family.name}_count` && JSON.stringify(s.labels) === key);
    if (!count || count.value !== buckets.at(-1)!.value) throw new Error(`${family.name}${key}: +Inf bucket differs from _count`);
  }
}
