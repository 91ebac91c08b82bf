/** The published JSON Schema of seal.config.yaml, for editors (yaml-language-server) and CI. */
import { z } from 'zod';
import { configSchema } from './schema.js';

/** Builds the JSON Schema (draft 2020-12) of the config as users write it. */
export function buildConfigJsonSchema(): Record<string, unknown> {
  return {
    ...z.toJSONSchema(configSchema, { io: 'input', unrepresentable: 'any' }),
    $id: 'https://smoke-seal.dev/schema/seal.config.schema.json',
    title: 'smoke-seal configuration',
  };
}
