import { configSchemas, type AppName, type ConfigOf } from './config.schema.js';

/** A configuration problem, worded as one line an operator can act on; never contains a value. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

/** The configuration of one process (`app`), from the environment; another process's settings are not read. */
export function loadConfig<App extends AppName>(app: App, env: NodeJS.ProcessEnv = process.env): ConfigOf<App> {
  const parsed = configSchemas[app].safeParse(env);
  if (parsed.success) return parsed.data as ConfigOf<App>;
  const problems = parsed.error.issues.map((issue) => `${issue.path.join('.') || 'environment'} ${issue.message}`);
  throw new ConfigError(`invalid configuration: ${problems.join('; ')}`);
}
