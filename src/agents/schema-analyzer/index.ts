export type * from './contract.js';
export { createSchemaAnalyzer } from './agent.js';
export { extractEntities } from './entities.js';
export { analyzeSchema, DEFAULT_DEPTH } from './logic.js';
export type { AnalyzerDeps } from './lexicon.js';
