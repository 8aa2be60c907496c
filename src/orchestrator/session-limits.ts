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

/** Estimated bytes of each retained turn with its messages, measured once. */
const turnBytes = new WeakMap<object, number>();

/**
 * Drops the session's oldest turns (with their messages and recovery
 * entries) while its turns are over `maxBytes`; the latest turn always
 * stays. A turn is measured once (its record and its messages, what they
 * share counted once), and only when the session has more than one: a
 * session of a single turn has nothing to drop, and most have one.
 */
export function trimSession(session: BoundedSession, maxBytes: number): void {
  if (session.turns.length < 2) return;
  let total = 0;
  for (const turn of session.turns) total += bytesOf(session, turn);
  while (total > maxBytes && session.turns.length > 1) {
    const oldest = session.turns.shift()!;
    total -= bytesOf(session, oldest);
    removeWhere(session.messages, (m) => m.correlation_id === oldest.correlation_id);
    removeWhere(session.recovery, (r) => r.turn === oldest.turn);
  }
}

function bytesOf(session: BoundedSession, turn: BoundedSession['turns'][number]): number {
  let bytes = turnBytes.get(turn);
  if (bytes === undefined) {
    const messages = session.messages.filter((m) => m.correlation_id === turn.correlation_id);
    bytes = measureValue([turn, messages], { depth: Number.POSITIVE_INFINITY, bytes: Number.POSITIVE_INFINITY }).bytes;
    turnBytes.set(turn, bytes);
  }
  return bytes;
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
