import type { LoggerService } from '@nestjs/common';

/**
 * Everything a service logged, one line per call, for the checks that logs
 * never hold a secret. A structured line (an object, as `answer` logs) is kept
 * as its JSON, so a leak check sees every field.
 */
export class CollectingLogger implements LoggerService {
  readonly lines: string[] = [];
  log = (...parts: unknown[]) => this.collect('log', parts);
  error = (...parts: unknown[]) => this.collect('error', parts);
  warn = (...parts: unknown[]) => this.collect('warn', parts);
  debug = (...parts: unknown[]) => this.collect('debug', parts);
  verbose = (...parts: unknown[]) => this.collect('verbose', parts);

  text(): string {
    return this.lines.join('\n');
  }

  private collect(level: string, parts: unknown[]): void {
    const text = parts.map((part) =>
      part instanceof Error
        ? `${part.message}\n${part.stack}`
        : typeof part === 'object' && part !== null
          ? JSON.stringify(part)
          : String(part),
    );
    this.lines.push([level, ...text].join(' '));
  }
}
