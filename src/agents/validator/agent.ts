/**
 * The Validator agent: a thin wrapper that checks its input, honours the
 * call's abort signal and hands the SQL to `validateSql`. The dependencies
 * are prepared (name maps, key pairs, rule bounds) once, here.
 */
import { AppError } from '../../errors.js';
import type { AgentFunction } from '../types.js';
import type { SpecValidation, ValidationResult, ValidatorInput } from './contract.js';
import { prepareDeps } from './prepared.js';
import type { ExplainFn, ValidatorDeps } from './types.js';
import { validateSql } from './validate.js';

export function createValidator(deps: ValidatorDeps): AgentFunction<ValidatorInput, ValidationResult> {
  prepareDeps(deps);
  return async (content, { signal }) => {
    const strict = content?.strict_mode;
    if (strict !== undefined && typeof strict !== 'boolean') {
      throw new AppError('INVALID_INPUT', 'strict_mode must be a boolean', { field: 'strict_mode' });
    }
    return validateSql(content?.sql, deps, { strict: strict === true, signal });
  };
}

/** The planner of a database with an `explain(sql, {signal})` method (the sample database), as the validator's `explain`. */
export function explainVia(db: { explain(sql: string, options?: { signal?: AbortSignal }): Promise<unknown> }): ExplainFn {
  return (sql, signal) => db.explain(sql, { signal });
}

/** The specification's `validation` block for the orchestrator's output. */
export function toSpecValidation(result: ValidationResult): SpecValidation {
  const d = result.details;
  return {
    is_valid: result.is_valid,
    details: {
      syntax_valid: d.syntax_valid,
      schema_compliant: d.schema_compliant,
      business_logic_valid: d.business_logic_valid,
      performance_acceptable: d.performance_acceptable,
      issues: result.issues,
      suggestions: result.suggestions,
    },
  };
}
