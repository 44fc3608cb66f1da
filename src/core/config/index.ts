// Public surface of the config module (helix.toml / helix.deploy.toml), shared by the editor and the CLI.
export * from './types';
export {
  validateConfig,
  parseConfig,
  kindOf,
  instanceNames,
  type ValidateOptions,
  type ValidationResult,
} from './validate';
export { readProject, isHelixConfig, type ReadProjectOptions } from './project';
export {
  resolveGeneration,
  generationFromContent,
  generationFromVersion,
  probeHelixVersion,
  GENERATIONS,
  DEFAULT_GENERATION,
  type GenerationSetting,
} from './generation';
export { LineIndex } from './text';
export { applyEdits } from './edit';
export { schemaFor, SCHEMA_FILES, type SchemaId } from './schema';
