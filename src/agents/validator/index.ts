export * from './contract.js';
export type { BusinessRules, DateRangeRule, ExplainFn, LayerReport, NumericRule, PerformanceRules, SecurityConfig, ValidateOptions, ValidatorDeps } from './types.js';
export { createValidator, explainVia, toSpecValidation } from './agent.js';
export { validateSql } from './validate.js';
export { checkBusinessRules, defaultBusinessRules, DEFAULT_RULES_FILE, loadBusinessRules } from './rules.js';
export { rewriteDialect } from './rewrites.js';
