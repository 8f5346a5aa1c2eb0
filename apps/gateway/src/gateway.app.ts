import { type INestApplication, Logger, type LoggerService } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import helmet from 'helmet';
import { ASYNCAPI_PATH, asyncApiDocument } from '#contracts';
import type { GatewayConfig } from '#config';
import { callerTopics, ensureTopics, kafkaConnectionOf, ServiceClient } from '#messaging';
import { addReadinessCheck, loggingOptions, useProcessLogger, withLogging } from '#observability';
import { SessionRevocations } from './auth/session-revocations.js';
import { GatewayModule } from './gateway.module.js';
import { gatewayReadiness } from './health/gateway-readiness.js';
import { httpMetrics } from './http/http-metrics.js';
import { requestCorrelation } from './http/request-correlation.js';
import { serveWebApp } from './web/web-app.js';

/** How long a start waits for the revoked sessions of the last minutes (on Kafka: its services may be starting too). */
const REVOCATIONS_CATCH_UP_MS = 60_000;

/**
 * The gateway's HTTP application, listening on HOST:PORT; its logs through the
 * process's logger (`installLogging`) unless `logger` is given, and its
 * readiness told to the process's management listener.
 */
export async function startGateway(config: GatewayConfig, logger?: LoggerService | false): Promise<INestApplication> {
  // Before the module: the reply topics must exist before its Kafka client subscribes, and
  // unreachable brokers end the start here with one line rather than a stack trace.
  const kafka = kafkaConnectionOf(config);
  if (kafka) await ensureTopics(kafka, 'gateway', callerTopics());
  const app = await NestFactory.create<NestExpressApplication>(withLogging(GatewayModule.register(config)), {
    bodyParser: false,
    abortOnError: false,
    ...loggingOptions(logger),
  });
  if (logger === undefined) useProcessLogger(app);
  app.useBodyParser('json', { limit: '64kb' });
  // After the body parser (whose callbacks would leave the request's async context), before everything else.
  app.use(requestCorrelation);
  app.use(httpMetrics);
  // Off, a hop count (`on`: one), or the proxies' own addresses and ranges: the client is the
  // right-most X-Forwarded-For entry not a trusted proxy, so it cannot choose its IP by sending the header.
  app.set('trust proxy', config.TRUST_PROXY);
  app.disable('x-powered-by');
  // Standard security headers. The default Content-Security-Policy ('self' only) keeps /docs working;
  // not `upgrade-insecure-requests`, which would send the docs' own scripts to https on a plain-http dev port.
  app.use(helmet({ contentSecurityPolicy: { directives: { upgradeInsecureRequests: null } } }));
  // Answers carry tokens, secrets, QR codes and personal data: no cache, shared or private, keeps any.
  app.use((_request: unknown, response: { setHeader(name: string, value: string): void }, next: () => void) => {
    response.setHeader('Cache-Control', 'no-store');
    next();
  });
  // The web app at `/` (same origin as the API: no CORS), under a stricter CSP of its own.
  serveWebApp(app, new Logger('WebApp'));
  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle('TOTP MFA')
      .setDescription('Email and password, then a code from an authenticator app')
      .setVersion('1')
      .addBearerAuth()
      .build(),
  );
  // The integration events (auth.*.events) beside the REST API: public like /docs, generated from the contracts.
  const asyncApi = asyncApiDocument();
  app.getHttpAdapter().get(ASYNCAPI_PATH, (_request: unknown, response: unknown) => {
    app.getHttpAdapter().reply(response, asyncApi, 200);
  });
  SwaggerModule.setup('docs', app, document);
  // Listening only once every revocation a live access token could be subject to is known.
  await app.init();
  await app.get(SessionRevocations).caughtUp(REVOCATIONS_CATCH_UP_MS);
  const services = app.get(ServiceClient);
  addReadinessCheck('gateway', () => gatewayReadiness(services));
  await app.listen(config.PORT, config.HOST);
  return app;
}
