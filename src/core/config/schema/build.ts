// Tiny helpers to write JSON Schemas (draft-07, the dialect Even Better TOML's engine understands)
// with less repetition. Every leaf carries a description, examples and (unless required) a default.

/** A JSON Schema (draft-07) node: the keywords the validator and the editor assist read, typed; others pass through. */
export interface Schema {
  type?: string | string[];
  description?: string;
  markdownDescription?: string;
  properties?: Record<string, Schema>;
  additionalProperties?: boolean | Schema;
  items?: Schema;
  required?: string[];
  enum?: readonly unknown[];
  enumDescriptions?: string[];
  default?: unknown;
  examples?: unknown[];
  minimum?: number;
  maximum?: number;
  minProperties?: number;
  maxProperties?: number;
  pattern?: string;
  patternErrorMessage?: string;
  if?: Schema;
  then?: Schema;
  anyOf?: Schema[];
  [keyword: string]: unknown;
}

export interface LeafOptions {
  default?: unknown;
  examples?: unknown[];
  enum?: readonly unknown[];
  /** One description per enum value (VS Code's `enumDescriptions`, mirrored for taplo). */
  enumDescriptions?: string[];
  pattern?: string;
  /** Said instead of the generic pattern message. */
  patternErrorMessage?: string;
  minimum?: number;
  maximum?: number;
  items?: Schema;
  additionalProperties?: Schema | boolean;
  deprecationMessage?: string;
  /** Which CLI generations accept this key, appended to the description. */
  since?: string;
}

export function leaf(type: string | string[], description: string, o: LeafOptions = {}): Schema {
  const s: Schema = { type, description: o.since ? `${description} (${o.since})` : description };
  if (o.enum) {
    s.enum = [...o.enum];
    if (o.enumDescriptions) {
      s.enumDescriptions = o.enumDescriptions;
      s['x-taplo'] = { docs: { enumValues: o.enumDescriptions } };
    }
  }
  for (const k of [
    'pattern',
    'patternErrorMessage',
    'minimum',
    'maximum',
    'items',
    'additionalProperties',
    'deprecationMessage',
  ] as const) {
    if (o[k] !== undefined) (s as Record<string, unknown>)[k] = o[k];
  }
  if (o.default !== undefined) s.default = o.default;
  s.examples = o.examples ?? (o.enum ? [o.enum[0]] : o.default !== undefined ? [o.default] : []);
  return s;
}

export interface TableOptions {
  required?: string[];
  /** false = the CLI rejects unknown keys (serde deny_unknown_fields). Default true (ignored by the CLI). */
  additionalProperties?: boolean | Schema;
  default?: unknown;
  examples?: unknown[];
  minProperties?: number;
  maxProperties?: number;
}

export function table(description: string, properties: Record<string, Schema>, o: TableOptions = {}): Schema {
  const s: Schema = { type: 'object', description, properties };
  if (o.required?.length) s.required = o.required;
  if (o.additionalProperties !== undefined) s.additionalProperties = o.additionalProperties;
  if (o.minProperties !== undefined) s.minProperties = o.minProperties;
  if (o.maxProperties !== undefined) s.maxProperties = o.maxProperties;
  if (o.default !== undefined) s.default = o.default;
  s.examples = o.examples ?? [o.default ?? {}];
  return s;
}

/** A table of named instances (`[local.<name>]`): every key is an instance name. */
export function instances(description: string, instance: Schema, example: string): Schema {
  return {
    type: 'object',
    description,
    additionalProperties: instance,
    default: {},
    examples: [{ [example]: instance.examples?.[0] ?? {} }],
  };
}
