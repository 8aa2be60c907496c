export { createLlmGenerator, rankCandidates } from './generator.js';
export { llmOptionsFromEnv, resolveLlmOptions, LLM_DEFAULTS, type LlmGeneratorOptions } from './options.js';
export { extractCompletion, type Extraction, type ExtractionResult } from './extract.js';
export { buildMessages, buildUserPrompt, SYSTEM_PROMPT, type ChatMessage } from './prompt.js';
