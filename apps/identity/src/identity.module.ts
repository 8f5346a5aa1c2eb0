import { type DynamicModule, Module } from '@nestjs/common';
import { ConfigModule, type Config } from '#config';
import { EventStoreModule } from '#event-store';
import { healthController } from '#messaging';

@Module({})
export class IdentityModule {
  static register(config: Config): DynamicModule {
    return {
      module: IdentityModule,
      imports: [
        ConfigModule.forRoot(config),
        EventStoreModule.forService({ service: 'identity', eventStoreUrl: config.EVENTSTORE_URL, dataDir: config.DATA_DIR }),
      ],
      controllers: [healthController('identity', config)],
    };
  }
}
