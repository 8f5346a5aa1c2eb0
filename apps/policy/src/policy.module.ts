import { type DynamicModule, Module } from '@nestjs/common';
import { ConfigModule, type Config } from '#config';
import { EventStoreModule } from '#event-store';
import { healthController } from '#messaging';

@Module({})
export class PolicyModule {
  static register(config: Config): DynamicModule {
    return {
      module: PolicyModule,
      imports: [
        ConfigModule.forRoot(config),
        EventStoreModule.forService({ service: 'policy', eventStoreUrl: config.EVENTSTORE_URL, dataDir: config.DATA_DIR }),
      ],
      controllers: [healthController('policy', config)],
    };
  }
}
