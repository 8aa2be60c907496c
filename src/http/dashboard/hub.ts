/**
 * The fan-out behind GET /v1/events: one subscription to the orchestrator for
 * all the open streams, each event serialized once, and the frames of a burst
 * written together every `flushMs`, 100 by default (one write per client per flush, not one
 * per event: at 100 turns/s a turn's seven events would otherwise be seven
 * writes for every open dashboard). A client that stops reading is dropped
 * once its unsent backlog passes `maxBacklog` bytes; it reconnects and
 * reloads the summary. The subscription exists only while a stream is open.
 */
import type { ServerResponse } from 'node:http';
import type { Orchestrator } from '../../orchestrator/orchestrator.js';
import type { LiveEvent } from '../../orchestrator/types.js';

export interface HubOptions {
  flushMs?: number;
  heartbeatMs: number;
  maxBacklog?: number;
}

export class EventHub {
  private readonly clients = new Set<ServerResponse>();
  private pending = '';
  private seq = 0;
  private flushTimer: NodeJS.Timeout | undefined;
  private heartbeat: NodeJS.Timeout | undefined;
  private unsubscribe: (() => void) | undefined;
  private readonly flushMs: number;
  private readonly maxBacklog: number;

  constructor(
    private readonly orchestrator: Orchestrator,
    private readonly options: HubOptions,
  ) {
    this.flushMs = options.flushMs ?? 100;
    this.maxBacklog = options.maxBacklog ?? 1024 * 1024;
  }

  get size(): number {
    return this.clients.size;
  }

  /** Starts an event stream on the response; `onEnd` runs once when it ends, from either side. */
  add(res: ServerResponse, onEnd: () => void): void {
    res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache, no-transform', connection: 'keep-alive', 'x-accel-buffering': 'no' });
    res.write(`id: ${this.seq}\nevent: ready\ndata: ${JSON.stringify({ at: new Date().toISOString() })}\n\n`);
    this.clients.add(res);
    res.once('close', () => {
      this.clients.delete(res);
      if (this.clients.size === 0) this.idle();
      onEnd();
    });
    this.unsubscribe ??= this.orchestrator.onEvent((event) => this.publish(event));
    this.heartbeat ??= setInterval(() => this.write(': keep-alive\n\n'), this.options.heartbeatMs).unref();
  }

  /** Ends every stream (shutdown). */
  close(): void {
    this.flush();
    for (const res of this.clients) res.end();
  }

  private publish(event: LiveEvent): void {
    this.pending += `id: ${++this.seq}\nevent: ${kindOf(event)}\ndata: ${JSON.stringify(event)}\n\n`;
    this.flushTimer ??= setTimeout(() => this.flush(), this.flushMs);
  }

  private flush(): void {
    clearTimeout(this.flushTimer);
    this.flushTimer = undefined;
    if (!this.pending) return;
    const frames = this.pending;
    this.pending = '';
    this.write(frames);
  }

  private write(text: string): void {
    for (const res of this.clients) {
      if (res.writableLength > this.maxBacklog) res.destroy();
      else res.write(text);
    }
  }

  private idle(): void {
    this.unsubscribe?.();
    this.unsubscribe = undefined;
    clearInterval(this.heartbeat);
    this.heartbeat = undefined;
    clearTimeout(this.flushTimer);
    this.flushTimer = undefined;
    this.pending = '';
  }
}

function kindOf(event: LiveEvent): 'stage' | 'outcome' | 'expired' | 'recovery' {
  if ('stage' in event) return 'stage';
  if ('outcome' in event) return 'outcome';
  if ('recovery' in event) return 'recovery';
  return 'expired';
}
