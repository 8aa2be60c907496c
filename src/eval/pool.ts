/**
 * Runs a task per item with at most `concurrency` in flight and returns the
 * results in item order, whatever order they finish in. `onSettled` hears each
 * item as it finishes (progress bars, streaming writers).
 */
export async function mapConcurrent<T, R>(
  items: readonly T[],
  concurrency: number,
  task: (item: T, index: number) => Promise<R>,
  onSettled?: (result: R, index: number) => void,
): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await task(items[index]!, index);
      onSettled?.(results[index], index);
    }
  };
  const width = Math.max(1, Math.min(Math.floor(concurrency) || 1, items.length));
  await Promise.all(Array.from({ length: width }, worker));
  return results;
}

/**
 * Delivers results in index order as they become available: the output of a
 * concurrent run can be streamed to a file while keeping the input's order.
 */
export function inOrder<R>(deliver: (result: R, index: number) => void): (result: R, index: number) => void {
  const waiting = new Map<number, R>();
  let expected = 0;
  return (result, index) => {
    waiting.set(index, result);
    while (waiting.has(expected)) {
      const ready = waiting.get(expected)!;
      waiting.delete(expected);
      deliver(ready, expected++);
    }
  };
}
