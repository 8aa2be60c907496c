export {
  ExampleMemory,
  defaultMemoryPath,
  type AddReport,
  type ExampleSource,
  type LineProblem,
  type LoadReport,
  type MemoryExample,
  type MemoryMatch,
  type NewExample,
} from './example-memory.js';
export { learnFromDataset, type LearnReport } from './learn.js';
