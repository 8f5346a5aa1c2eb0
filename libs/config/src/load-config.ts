import { configSchema, type Config } from './config.schema.js';

/** A configuration problem, worded as one line an operator can act on; never contains a value. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = configSchema.safeParse(env);
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues.map((issue) => `${issue.path.join('.') || 'environment'} ${issue.message}`);
  throw new ConfigError(`invalid configuration: ${problems.join('; ')}`);
}
