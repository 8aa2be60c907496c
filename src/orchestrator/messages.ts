/**
 * AgentMessage and the four communication patterns of the specification on
 * one bus: request-response (agent calls), fire-and-forget (`notify`),
 * broadcast (every subscriber, e.g. on shutdown), and pipeline (a sequential
 * chain where each hop's response is the next hop's request).
 */
import { nanoid } from 'nanoid';

export type MessageType = 'request' | 'response' | 'error' | 'info' | 'result' | 'broadcast';

export interface AgentMessage {
  id: string;
  sender: string;
  receiver: string;
  message_type: MessageType;
  content: unknown;
  correlation_id: string;
  timestamp: string;
}

export type MessageSink = (message: AgentMessage, session_id: string | null) => void;
export type Subscriber = (message: AgentMessage) => void | Promise<void>;

export const ORCHESTRATOR = 'orchestrator';

export class MessageBus {
  private readonly subscribers = new Map<string, Subscriber>();

  constructor(
    private readonly sink: MessageSink,
    private readonly onSubscriberError: (receiver: string, error: unknown) => void,
  ) {}

  message(fields: Omit<AgentMessage, 'id' | 'timestamp'>): AgentMessage {
    // Field by field rather than a spread: one fixed object shape, built on every message of every turn.
    return {
      id: nanoid(12),
      timestamp: new Date().toISOString(),
      sender: fields.sender,
      receiver: fields.receiver,
      message_type: fields.message_type,
      content: fields.content,
      correlation_id: fields.correlation_id,
    };
  }

  /** Records a message in the session's log (and the debug log). */
  record(fields: Omit<AgentMessage, 'id' | 'timestamp'>, session_id: string | null): AgentMessage {
    const message = this.message(fields);
    this.sink(message, session_id);
    return message;
  }

  subscribe(receiver: string, subscriber: Subscriber): () => void {
    this.subscribers.set(receiver, subscriber);
    return () => this.subscribers.delete(receiver);
  }

  /** Request-response: records the request, awaits the handler, records its response or error. */
  async request<T>(
    fields: { sender: string; receiver: string; content: unknown; correlation_id: string },
    session_id: string | null,
    handler: () => Promise<T>,
  ): Promise<T> {
    this.record({ ...fields, message_type: 'request' }, session_id);
    try {
      const response = await handler();
      this.record({ sender: fields.receiver, receiver: fields.sender, message_type: 'response', content: response, correlation_id: fields.correlation_id }, session_id);
      return response;
    } catch (error) {
      this.record(
        { sender: fields.receiver, receiver: fields.sender, message_type: 'error', content: { message: (error as Error)?.message ?? String(error) }, correlation_id: fields.correlation_id },
        session_id,
      );
      throw error;
    }
  }

  /** Fire-and-forget: delivered on a later tick; the sender never waits and never sees the receiver's errors. */
  notify(fields: { sender: string; receiver: string; content: unknown; correlation_id: string }, session_id: string | null): void {
    const message = this.record({ ...fields, message_type: 'info' }, session_id);
    const subscriber = this.subscribers.get(fields.receiver);
    if (!subscriber) return;
    queueMicrotask(() => this.deliver(fields.receiver, subscriber, message));
  }

  /** Broadcast: every subscriber receives the message; resolves when all have handled it. */
  async broadcast(content: unknown, correlation_id: string = nanoid(12)): Promise<number> {
    const message = this.record({ sender: ORCHESTRATOR, receiver: '*', message_type: 'broadcast', content, correlation_id }, null);
    const deliveries = [...this.subscribers].map(([receiver, subscriber]) => this.deliver(receiver, subscriber, message));
    await Promise.all(deliveries);
    return deliveries.length;
  }

  /** Pipeline: runs the hops in order, each receiving the previous hop's response, and records the final result. */
  async pipeline<T>(
    hops: Array<{ receiver: string; handle: (input: unknown) => Promise<unknown> }>,
    input: unknown,
    correlation_id: string,
    session_id: string | null,
  ): Promise<T> {
    let value = input;
    for (const hop of hops) {
      const current = value;
      value = await this.request({ sender: ORCHESTRATOR, receiver: hop.receiver, content: current, correlation_id }, session_id, () => hop.handle(current));
    }
    this.record({ sender: ORCHESTRATOR, receiver: ORCHESTRATOR, message_type: 'result', content: value, correlation_id }, session_id);
    return value as T;
  }

  private async deliver(receiver: string, subscriber: Subscriber, message: AgentMessage): Promise<void> {
    try {
      await subscriber(message);
    } catch (error) {
      this.onSubscriberError(receiver, error);
    }
  }
}
