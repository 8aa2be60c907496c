/**
 * The error catalog: every error the system reports has one code here, with
 * its HTTP status and a message template. Errors travel as values
 * (`AppError`), never as bare strings, so callers can branch on `code`.
 */

export const ERROR_CATALOG = {
  INVALID_INPUT: { status: 400, template: 'Invalid input: %s' },
  INVALID_CONFIG: { status: 500, template: 'Invalid configuration: %s' },
  WRITE_NOT_ALLOWED: { status: 422, template: 'Writes are not allowed: %s' },
  AGENT_FAILED: { status: 502, template: 'Agent failed: %s' },
  AGENT_TIMEOUT: { status: 504, template: 'Agent timed out: %s' },
  CIRCUIT_OPEN: { status: 503, template: 'Every agent for the role has an open circuit: %s' },
  WORKFLOW_TIMEOUT: { status: 504, template: 'Workflow exceeded its timeout: %s' },
  CANCELLED: { status: 409, template: 'Session cancelled: %s' },
  SESSION_EXPIRED: { status: 410, template: 'Session has expired: %s' },
  SHUTTING_DOWN: { status: 503, template: 'The orchestrator is shutting down: %s' },
  TOO_MANY_SESSIONS: { status: 503, template: 'No room for a new session: %s' },
  UNAUTHORIZED: { status: 401, template: 'Unauthorized: %s' },
  NOT_FOUND: { status: 404, template: 'Not found: %s' },
  PAYLOAD_TOO_LARGE: { status: 413, template: 'Payload too large: %s' },
  REQUEST_TIMEOUT: { status: 408, template: 'The request did not arrive in time: %s' },
  SQL_PARSE_ERROR: { status: 400, template: 'SQL does not parse: %s' },
  SCHEMA_PARSE_ERROR: { status: 400, template: 'Schema DDL does not parse: %s' },
  UNSAFE_SQL: { status: 422, template: 'SQL is not a single read-only statement: %s' },
  EXECUTION_FAILED: { status: 422, template: 'SQL execution failed: %s' },
  DATABASE_UNAVAILABLE: { status: 503, template: 'The database cannot be reached: %s' },
  QUERY_TIMEOUT: { status: 504, template: 'The statement exceeded its time budget: %s' },
  CONFLICT: { status: 409, template: 'A turn of this session is already running: %s' },
} as const satisfies Record<string, { status: number; template: string }>;

export type ErrorCode = keyof typeof ERROR_CATALOG;

export interface ErrorDetails {
  /** The input field, config key or option at fault. */
  field?: string;
  /** Character offset (0-based) in a SQL or DDL text. */
  position?: number;
  line?: number;
  column?: number;
  [key: string]: unknown;
}

export interface AppErrorOptions {
  cause?: unknown;
  /**
   * The request's own content caused this failure (its SQL over budget, a
   * malformed value it sent), not a fault of the agent: it is that request's
   * failure and counts against no circuit breaker.
   */
  requestFault?: boolean;
}

/** The message of an error code: the catalog's template around the detail; a code outside the catalog (an agent's own refusal) keeps the detail. */
export function errorMessage(code: string, detail: string): string {
  const entry = (ERROR_CATALOG as Record<string, { template: string }>)[code];
  // A function replacer: `$&`, `$$` in the detail (a DO block's `$$`) are text, not patterns.
  return entry ? entry.template.replace('%s', () => detail) : detail;
}

export class AppError extends Error {
  readonly code: ErrorCode;
  /** What the template was filled with: the message without the code's wording. */
  readonly detail: string;
  readonly status: number;
  readonly details: ErrorDetails;
  readonly requestFault: boolean;

  constructor(code: ErrorCode, detail: string, details: ErrorDetails = {}, options: AppErrorOptions = {}) {
    super(errorMessage(code, detail), options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'AppError';
    this.code = code;
    this.detail = detail;
    this.status = ERROR_CATALOG[code].status;
    this.details = details;
    this.requestFault = options.requestFault ?? false;
  }

  toJSON(): { error: string; error_code: ErrorCode; details: ErrorDetails } {
    return { error: this.message, error_code: this.code, details: this.details };
  }
}

export function isAppError(value: unknown): value is AppError {
  return value instanceof AppError;
}

/** Whether a failure was caused by the request's own content (see `AppErrorOptions.requestFault`). */
export function isRequestFault(value: unknown): boolean {
  return value instanceof AppError && value.requestFault;
}
