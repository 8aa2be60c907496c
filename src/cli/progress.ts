/**
 * A progress bar on stderr for long runs (batch, eval, train): drawn only
 * when stderr is a terminal or `--progress` asks for it, so logs and
 * redirected output stay clean. Redraws are throttled; `done()` ends the line.
 */

export interface Progress {
  /** Marks `n` more items done (default 1). */
  tick(n?: number): void;
  /** Sets the total when it becomes known (a stream counted as it is read). */
  setTotal(total: number): void;
  done(): void;
}

export interface ProgressOptions {
  total: number;
  label?: string;
  /** Draw even when stderr is not a terminal (`--progress`). */
  force?: boolean;
  stream?: NodeJS.WriteStream | { isTTY?: boolean; columns?: number; write(text: string): unknown };
  /** Minimum milliseconds between redraws. */
  interval?: number;
  now?: () => number;
}

const WIDTH = 30;

/** The bar's text for `done` of `total` items after `elapsedMs` (pure, for tests and custom renderers). */
export function progressLine(label: string, done: number, total: number, elapsedMs: number): string {
  const fraction = total > 0 ? Math.min(1, done / total) : 0;
  const filled = Math.round(fraction * WIDTH);
  const rate = elapsedMs > 0 ? done / (elapsedMs / 1000) : 0;
  const eta = rate > 0 && total > done ? `, eta ${formatSeconds((total - done) / rate)}` : '';
  const head = label ? `${label} ` : '';
  return `${head}[${'#'.repeat(filled)}${'-'.repeat(WIDTH - filled)}] ${done}/${total} ${(fraction * 100).toFixed(0)}% (${rate.toFixed(1)}/s${eta})`;
}

function formatSeconds(s: number): string {
  if (s < 60) return `${Math.ceil(s)}s`;
  const m = Math.floor(s / 60);
  return `${m}m${String(Math.ceil(s - m * 60)).padStart(2, '0')}s`;
}

const SILENT: Progress = { tick: () => undefined, setTotal: () => undefined, done: () => undefined };

export function createProgress(options: ProgressOptions): Progress {
  const stream = options.stream ?? process.stderr;
  if (!stream.isTTY && !options.force) return SILENT;
  const now = options.now ?? (() => performance.now());
  const interval = options.interval ?? 100;
  const started = now();
  let total = options.total;
  let count = 0;
  let drawn = -Infinity;
  let finished = false;
  const draw = (force: boolean) => {
    const t = now();
    if (!force && t - drawn < interval) return;
    drawn = t;
    // A terminal gets the line redrawn in place; a redirected stream gets one line per redraw.
    stream.write(stream.isTTY ? `\r${progressLine(options.label ?? '', count, total, t - started)}\x1b[K` : `${progressLine(options.label ?? '', count, total, t - started)}\n`);
  };
  return {
    tick(n = 1) {
      if (finished) return;
      count += n;
      draw(count >= total);
    },
    setTotal(value) {
      total = value;
      draw(false);
    },
    done() {
      if (finished) return;
      finished = true;
      draw(true);
      if (stream.isTTY) stream.write('\n');
    },
  };
}
