import { Controller, Get, Header, type INestApplication, Module, type LoggerService } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { HealthCheck, HealthCheckService, HealthIndicatorService, TerminusModule } from '@nestjs/terminus';
import { collectProcessMetrics, metricsRegistry } from './metrics.js';
import { readinessReports } from './readiness.js';

export interface ManagementConfig {
  /** Unset: no management listener. */
  readonly HTTP_PORT?: number | undefined;
  readonly HOST: string;
}

/**
 * The operator's side of a process, never on the public API's port:
 * - `GET /metrics`: the process's registry in Prometheus's text format;
 * - `GET /health/live`: the process answers (restart it if not);
 * - `GET /health/ready`: every part of it can serve (`addReadinessCheck`),
 *   503 naming the part that cannot. A part that is degraded (the gateway
 *   with one service down) still counts as ready.
 */
@Controller()
class ManagementController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly indicators: HealthIndicatorService,
  ) {}

  @Get('metrics')
  @Header('Content-Type', metricsRegistry.contentType)
  @Header('Cache-Control', 'no-store')
  metrics(): Promise<string> {
    return metricsRegistry.metrics();
  }

  @Get('health/live')
  @HealthCheck()
  live() {
    return this.health.check([]);
  }

  @Get('health/ready')
  @HealthCheck()
  async ready() {
    const reports = await readinessReports();
    return this.health.check(
      Object.entries(reports).map(([name, { status, ...details }]) => async () => {
        const indicator = this.indicators.check(name);
        if (status === 'up') return indicator.up(details);
        if (status === 'degraded') return indicator.degraded(details);
        return indicator.down(details);
      }),
    );
  }
}

@Module({ imports: [TerminusModule.forRoot({ errorLogStyle: 'json' })], controllers: [ManagementController] })
class ManagementModule {}

/**
 * Starts the management listener on HOST:HTTP_PORT (nothing when HTTP_PORT is
 * unset), with Node's process metrics collected from then on. One per process.
 */
export async function startManagement(
  config: ManagementConfig,
  logger?: LoggerService,
): Promise<INestApplication | undefined> {
  collectProcessMetrics();
  if (config.HTTP_PORT === undefined) return undefined;
  const app = await NestFactory.create(ManagementModule, {
    abortOnError: false,
    ...(logger ? { logger } : {}),
  });
  app.getHttpAdapter().getInstance().disable?.('x-powered-by');
  await app.listen(config.HTTP_PORT, config.HOST);
  return app;
}
