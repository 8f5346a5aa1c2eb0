import { type DynamicModule, Module } from '@nestjs/common';
import { APP_FILTER, APP_GUARD, APP_INTERCEPTOR } from '@nestjs/core';
import { PassportModule } from '@nestjs/passport';
import { ConfigModule, type GatewayConfig } from '#config';
import { kafkaConnectionOf, MessagingModule, sealingRecipientsOf } from '#messaging';
import { AdminPoliciesController } from './admin/admin-policies.controller.js';
import { AdminUsersController } from './admin/admin-users.controller.js';
import { AuthGuard } from './auth/auth.guard.js';
import { JwtStrategy } from './auth/jwt.strategy.js';
import { SessionRevocations } from './auth/session-revocations.js';
import { TokenService } from './auth/token.service.js';
import { HealthController } from './health/health.controller.js';
import { ClientAddressController } from './http/client-address.controller.js';
import { ErrorFilter } from './http/error.filter.js';
import { LoginController } from './login/login.controller.js';
import { LoginService } from './login/login.service.js';
import { MeController } from './me/me.controller.js';
import { BrowserSessionInterceptor } from './sessions/browser-session.interceptor.js';
import { MySessionsController } from './sessions/my-sessions.controller.js';
import { SessionTokensController } from './sessions/session-tokens.controller.js';
import { loginRateLimitProviders } from './rate-limit/login-rate-limit.providers.js';

@Module({})
export class GatewayModule {
  static readonly app = 'gateway';

  static register(config: GatewayConfig): DynamicModule {
    return {
      module: GatewayModule,
      imports: [
        ConfigModule.forRoot(config),
        PassportModule,
        MessagingModule.forCaller({
          caller: 'gateway',
          kafka: kafkaConnectionOf(config),
          timeoutMs: config.KAFKA_REQUEST_TIMEOUT_MS,
          sealing: sealingRecipientsOf(config),
        }),
      ],
      controllers: [
        HealthController,
        LoginController,
        SessionTokensController,
        MeController,
        MySessionsController,
        ClientAddressController,
        AdminUsersController,
        AdminPoliciesController,
      ],
      providers: [
        TokenService,
        JwtStrategy,
        SessionRevocations,
        LoginService,
        ...loginRateLimitProviders,
        { provide: APP_GUARD, useClass: AuthGuard },
        { provide: APP_FILTER, useClass: ErrorFilter },
        { provide: APP_INTERCEPTOR, useClass: BrowserSessionInterceptor },
      ],
    };
  }
}
