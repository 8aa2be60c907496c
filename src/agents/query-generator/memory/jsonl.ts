/** JSONL reading shared by the memory file and datasets: blank lines are skipped, each other line is one JSON object. */

export type JsonLine =
  | { line: number; value: Record<string, unknown>; problem?: undefined }
  | { line: number; problem: string };

/** Every non-blank line with its 1-based number: the object it holds, or why it holds none. */
export function readJsonLines(text: string): JsonLine[] {
  const lines: JsonLine[] = [];
  text.split('\n').forEach((raw, i) => {
    const line = i + 1;
    if (raw.trim() === '') return;
    let value: unknown;
    try {
      value = JSON.parse(raw);
    } catch (err) {
      lines.push({ line, problem: `invalid JSON: ${(err as Error).message}` });
      return;
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      lines.push({ line, problem: 'not a JSON object' });
      return;
    }
    lines.push({ line, value: value as Record<string, unknown> });
  });
  return lines;
}
