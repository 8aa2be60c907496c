/** The specification's error response for failures the HTTP layer detects itself. */
import { AppError, ERROR_CATALOG, type ErrorCode } from '../errors.js';
import type { ErrorResponse } from '../orchestrator/result.js';

/** An error response as the service sends it: `field` names the request field at fault (INVALID_INPUT). */
export type HttpErrorResponse = ErrorResponse & { field?: string };

const SUGGESTIONS: Partial<Record<ErrorCode, string>> = {
  UNAUTHORIZED: 'Send `Authorization: Bearer <key>` with one of the service API keys.',
  NOT_FOUND: 'See GET /openapi.json for the routes.',
  PAYLOAD_TOO_LARGE: 'Send a smaller body; split a batch into several requests.',
  REQUEST_TIMEOUT: 'Send the whole request at once, without pauses.',
  SHUTTING_DOWN: 'Retry against another instance, or once the service has restarted.',
};

export function httpError(code: ErrorCode, detail: string, field?: string, session_id: string | null = null): HttpErrorResponse {
  const e = new AppError(code, detail, field ? { field } : {});
  const suggestion = code === 'INVALID_INPUT' ? `Correct the field \`${field ?? 'body'}\` and send the request again.` : SUGGESTIONS[code];
  return {
    error: e.message,
    error_code: code,
    partial_results: {},
    session_id,
    failed_stage: 'initialization',
    suggestions: suggestion ? [suggestion] : [],
    ...(field ? { field } : {}),
  };
}

/** HTTP status of an error code; codes outside the catalog (an agent's own refusal code) are 422. */
export function statusOf(code: string): number {
  return (ERROR_CATALOG as Record<string, { status: number }>)[code]?.status ?? 422;
}

export interface SchemaError {
  instancePath: string;
  keyword: string;
  params: Record<string, unknown>;
  message?: string;
}

/** The field an ajv error points at, in the dotted form `checkInput` uses: `context.historical_queries[0]`. */
export function fieldOf(error: SchemaError): string {
  const parts = error.instancePath.split('/').slice(1).map((p) => p.replaceAll('~1', '/').replaceAll('~0', '~'));
  const extra = error.keyword === 'required' ? error.params.missingProperty : error.keyword === 'additionalProperties' ? error.params.additionalProperty : undefined;
  if (typeof extra === 'string') parts.push(extra);
  return parts.reduce((field, part) => (/^\d+$/.test(part) ? `${field}[${part}]` : field ? `${field}.${part}` : part), '') || 'body';
}

export function describeSchemaError(error: SchemaError): string {
  const field = fieldOf(error);
  switch (error.keyword) {
    case 'required':
      return `${field} is required`;
    case 'additionalProperties':
      return `${field} is not a known field`;
    case 'pattern':
      return `${field} must not be blank`;
    case 'minLength':
      return error.params.limit === 1 ? `${field} must not be empty` : `${field} ${error.message}`;
    case 'type':
      return `${field} must be of type ${String(error.params.type)}`;
    default:
      return `${field} ${error.message ?? 'is invalid'}`;
  }
}
