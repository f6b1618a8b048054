import { readFileSync } from 'node:fs';
import { Ajv2020 } from 'ajv/dist/2020.js';

const schema = JSON.parse(
  readFileSync(new URL('../../docs/json-schema.json', import.meta.url), 'utf8'),
) as object;

/**
 * docs/json-schema.json compiled by ajv (JSON Schema 2020-12). strictSchema: a typo in the schema
 * (an unknown keyword) fails at compile time rather than validating nothing. strictTypes would
 * want `type` repeated in every if/then; `time` is checked by its pattern and by parseJsonLine.
 */
export const validateJsonEvent = new Ajv2020({
  strictSchema: true,
  strictTypes: false,
  allErrors: true,
  validateFormats: false,
}).compile(schema);

export type JsonEvent = Record<string, unknown> & { event: string; time: string };

/** One --json stderr line as an event; throws (with ajv's reasons) if it breaks the schema. */
export const parseJsonLine = (line: string): JsonEvent => {
  const value = JSON.parse(line) as JsonEvent;
  if (!validateJsonEvent(value)) {
    throw new Error(`not a valid --json line: ${line}\n${JSON.stringify(validateJsonEvent.errors)}`);
  }
  const keys = Object.keys(value);
  if (keys[0] !== 'event' || keys[1] !== 'time') throw new Error(`event and time must come first: ${line}`);
  if (new Date(value.time).toISOString() !== value.time) throw new Error(`time is not ISO 8601: ${line}`);
  return value;
};
