/**
 * What sessions may hold, so that memory follows the configuration and not
 * what clients send: each session keeps its turns within a byte budget
 * (`max_session_bytes`: the oldest turns go first, with their messages and
 * recovery entries; the latest turn always stays), and at most
 * `max_live_sessions` sessions are live at once. A new session beyond the cap
 * ends the least recently used session that is not running a turn, as if its
 * idle time had run out; when every live session is running a turn, the new
 * one is refused with TOO_MANY_SESSIONS (503), a transient answer.
 */
import { AppError } from '../errors.js';
import { measureValue } from './limits.js';

/** The parts of a session record these limits read and trim. */
export interface BoundedSession {
  id: string;
  status: 'created' | 'active' | 'completed' | 'failed' | 'expired';
  turns: Array<{ turn: number; correlation_id: string }>;
  messages: Array<{ correlation_id: string }>;
  recovery: Array<{ turn: number }>;
}

/** Estimated bytes of each retained turn, with its messages, measured once when it settles. */
const turnBytes = new WeakMap<object, number>();

/**
 * Measures the turn that just settled (its record and its messages; what
 * they share counted once) and drops the session's oldest turns while the
 * session is over `maxBytes`. Returns the session's estimated bytes.
 */
export function trimSession(session: BoundedSession, settled: BoundedSession['turns'][number], maxBytes: number): number {
  const messages = session.messages.filter((m) => m.correlation_id === settled.correlation_id);
  turnBytes.set(settled, measureValue([settled, messages], { depth: Number.POSITIVE_INFINITY, bytes: Number.POSITIVE_INFINITY }).bytes);
  let total = session.turns.reduce((sum, t) => sum + (turnBytes.get(t) ?? 0), 0);
  while (total > maxBytes && session.turns.length > 1) {
    const oldest = session.turns.shift()!;
    total -= turnBytes.get(oldest) ?? 0;
    removeWhere(session.messages, (m) => m.correlation_id === oldest.correlation_id);
    removeWhere(session.recovery, (r) => r.turn === oldest.turn);
  }
  return total;
}

function removeWhere<T>(list: T[], drop: (item: T) => boolean): void {
  let kept = 0;
  for (const item of list) if (!drop(item)) list[kept++] = item;
  list.length = kept;
}

/**
 * Room for one more live session among `sessions` (iterated least recently
 * used first): undefined when there is room, otherwise the session to end.
 * Throws TOO_MANY_SESSIONS when every live session is busy.
 */
export function sessionToEvict<S extends BoundedSession>(sessions: Iterable<S>, maxLive: number): S | undefined {
  let live = 0;
  let idle: S | undefined;
  for (const session of sessions) {
    if (session.status === 'expired') continue;
    live++;
    if (!idle && (session.status === 'completed' || session.status === 'failed')) idle = session;
  }
  if (live < maxLive) return undefined;
  if (idle) return idle;
  throw new AppError('TOO_MANY_SESSIONS', `all ${maxLive} live sessions are running a turn`, { limit: maxLive });
}
