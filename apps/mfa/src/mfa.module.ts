import { type DynamicModule, Module } from '@nestjs/common';
import { ConfigModule, type Config } from '#config';
import { EventStoreModule } from '#event-store';
import { healthController } from '#messaging';

@Module({})
export class MfaModule {
  static register(config: Config): DynamicModule {
    return {
      module: MfaModule,
      imports: [
        ConfigModule.forRoot(config),
        EventStoreModule.forService({ service: 'mfa', eventStoreUrl: config.EVENTSTORE_URL, dataDir: config.DATA_DIR }),
      ],
      controllers: [healthController('mfa', config)],
    };
  }
}
