import type { Config } from '../../src/config.js';
import { UsageError } from '../../src/errors.js';
import type { ServiceTable } from '../../src/net/services.js';
import { parseArgs } from '../../src/options/argv.js';
import { resolveConfig } from '../../src/options/resolve.js';

/** The Config an argv gives (it must be a run, not -h or --version). */
export const configOf = (argv: string[], services: ServiceTable): Config => {
  const command = resolveConfig(parseArgs(argv), services);
  if (command.kind !== 'run') throw new Error(`not a run: ${command.kind}`);
  return command.config;
};

/** The message of the UsageError an argv gives. */
export const usageFailure = (argv: string[], services: ServiceTable): string => {
  try {
    resolveConfig(parseArgs(argv), services);
  } catch (error) {
    if (error instanceof UsageError) return error.message;
    throw error;
  }
  throw new Error(`no error for ${JSON.stringify(argv)}`);
};
