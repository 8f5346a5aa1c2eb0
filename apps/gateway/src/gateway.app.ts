import type { INestApplication, LoggerService } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import type { GatewayConfig } from '#config';
import { callerTopics, ensureTopics, kafkaConnectionOf } from '#messaging';
import { GatewayModule } from './gateway.module.js';

/** The gateway's HTTP application, listening on HOST:PORT. */
export async function startGateway(config: GatewayConfig, logger?: LoggerService | false): Promise<INestApplication> {
  // Before the module: the reply topics must exist before its Kafka client subscribes, and
  // unreachable brokers end the start here with one line rather than a stack trace.
  const kafka = kafkaConnectionOf(config);
  if (kafka) await ensureTopics(kafka, 'gateway', callerTopics());
  const app = await NestFactory.create<NestExpressApplication>(GatewayModule.register(config), {
    bodyParser: false,
    abortOnError: false,
    ...(logger !== undefined ? { logger } : {}),
  });
  app.useBodyParser('json', { limit: '64kb' });
  // One trusted hop: the client is the address our reverse proxy saw (the last
  // X-Forwarded-For entry), so a client cannot choose its IP by sending the header.
  app.set('trust proxy', config.TRUST_PROXY ? 1 : false);
  app.disable('x-powered-by');
  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle('TOTP MFA')
      .setDescription('Email and password, then a code from an authenticator app')
      .setVersion('1')
      .addBearerAuth()
      .build(),
  );
  SwaggerModule.setup('docs', app, document);
  await app.listen(config.PORT, config.HOST);
  return app;
}
