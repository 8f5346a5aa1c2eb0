import { Logger as NestLogger, Module, type DynamicModule, type LoggerService } from '@nestjs/common';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { Logger, LoggerModule, PinoLogger, type Params } from 'nestjs-pino';
import { pino, stdTimeFunctions, type Logger as Pino, type LoggerOptions } from 'pino';
import pretty from 'pino-pretty';
import { REDACTED, REDACTED_PATHS } from './redaction.js';
import { requestContext } from './request-context.js';

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export interface LoggingConfig {
  readonly LOG_LEVEL: LogLevel;
  /** Unset: human-readable on a terminal, JSON Lines otherwise. */
  readonly LOG_FORMAT?: 'json' | 'pretty' | undefined;
}

/** The process's logging, once installed: the pino logger, and the Nest logger and module over it. */
interface InstalledLogging {
  readonly pino: Pino;
  readonly params: Params;
  readonly nest: Logger;
}

let installed: InstalledLogging | undefined;

/**
 * The pino options every process shares: ISO timestamps, the level by name,
 * the process's name, the correlation id of the work in progress on every
 * line (`requestContext`), and redaction of credentials and secret fields.
 */
export function pinoOptions(name: string, config: LoggingConfig, json = true): LoggerOptions {
  return {
    level: config.LOG_LEVEL,
    base: { service: name, pid: process.pid },
    timestamp: stdTimeFunctions.isoTime,
    redact: { paths: [...REDACTED_PATHS], censor: REDACTED },
    ...(json ? { formatters: { level: (label: string) => ({ level: label }) } } : {}),
    mixin: () => {
      const { correlationId } = requestContext();
      return correlationId === undefined ? {} : { correlationId };
    },
  };
}

/**
 * One line per HTTP request (pino-http, through nestjs-pino's middleware): the
 * method, the matched route, the status and the time taken, never a header or
 * a body. Probes and scrapes of the management listener are not logged.
 */
function httpLogging(logger: Pino): Params['pinoHttp'] {
  return {
    logger,
    genReqId: (request: IncomingMessage) => String((request as { id?: unknown }).id ?? ''),
    quietReqLogger: true,
    serializers: {
      // The id is the line's `reqId` (and `correlationId`): not a third time.
      req: (request: { method?: string; url?: string }) => ({
        method: request.method,
        url: request.url?.split('?')[0],
      }),
      res: (response: { statusCode?: number }) => ({ statusCode: response.statusCode }),
    },
    customLogLevel: (_request: IncomingMessage, response: ServerResponse, error?: Error) =>
      error || response.statusCode >= 500 ? 'error' : 'info',
    customSuccessMessage: (request: IncomingMessage, response: ServerResponse) =>
      `${request.method} ${routeOf(request)} ${response.statusCode}`,
    customErrorMessage: (request: IncomingMessage, response: ServerResponse) =>
      `${request.method} ${routeOf(request)} ${response.statusCode}`,
    customSuccessObject: (request: IncomingMessage, response: ServerResponse, value: object) => ({
      ...value,
      event: 'http_request',
      route: routeOf(request),
      status: response.statusCode,
    }),
  } as Params['pinoHttp'];
}

/** Express's matched route (`/v1/admin/users/:id`), so ids in paths do not make every line unique. */
export function routeOf(request: IncomingMessage): string {
  const express = request as IncomingMessage & { route?: { path?: unknown }; baseUrl?: string };
  return typeof express.route?.path === 'string' ? `${express.baseUrl ?? ''}${express.route.path}` : 'unmatched';
}

/**
 * Sets up the process's logging, first thing in its `main`: JSON Lines on
 * stdout (human-readable through pino-pretty on a terminal, or with
 * LOG_FORMAT), and Nest's logger over it, so every `new Logger(...)` of the
 * code base writes JSON too, including lines logged before an application
 * exists. Once per process: the embedded standalone installs it once for all.
 */
export function installLogging(name: string, config: LoggingConfig): LoggerService {
  if (installed) return installed.nest;
  const json = (config.LOG_FORMAT ?? (process.stdout.isTTY ? 'pretty' : 'json')) === 'json';
  const options = pinoOptions(name, config, json);
  const logger = json
    ? pino(options)
    : pino(options, pretty({ colorize: Boolean(process.stdout.isTTY), translateTime: 'SYS:HH:MM:ss.l', sync: true }));
  const params: Params = { pinoHttp: httpLogging(logger) };
  const nest = new Logger(new PinoLogger(params), params);
  NestLogger.overrideLogger(nest);
  installed = { pino: logger, params, nest };
  return nest;
}

/** The process's pino logger; undefined until `installLogging` (in specs that capture Nest's logger instead). */
export const processLogger = (): Pino | undefined => installed?.pino;

/**
 * What a Nest application's root module imports for its logs (nestjs-pino's
 * module over the process's logger, with its HTTP request lines): `module`
 * itself when logging is not installed (a spec with its own logger).
 */
export function withLogging(module: DynamicModule | object): DynamicModule {
  if (!installed) return module as DynamicModule;
  return { module: LoggedApplication, imports: [LoggerModule.forRoot(installed.params), module as DynamicModule] };
}

/** The options of a Nest application of this process: its logs are buffered until `useProcessLogger`. */
export const loggingOptions = (
  explicit?: LoggerService | false,
): { logger?: LoggerService | false; bufferLogs?: boolean } =>
  explicit !== undefined ? { logger: explicit } : installed ? { bufferLogs: true } : {};

/** Hands the application's (buffered) logs to the process's logger. */
export function useProcessLogger(app: { useLogger(logger: LoggerService): void; flushLogs(): void }): void {
  if (!installed) return;
  app.useLogger(installed.nest);
  app.flushLogs();
}

/** The root of an application whose logs go through the process's logger. */
@Module({})
class LoggedApplication {}
