import { type DynamicModule, Global, Module } from '@nestjs/common';
import { CLOCK, systemClock } from './clock.js';
import type { CommonConfig } from './config.schema.js';

export const CONFIG = Symbol('CONFIG');

/**
 * What a service is given by its environment: the configuration validated at
 * boot (`@Inject(CONFIG)`) and the time (`@Inject(CLOCK)`, replaced in specs).
 */
@Global()
@Module({})
export class ConfigModule {
  static forRoot(config: CommonConfig): DynamicModule {
    return {
      module: ConfigModule,
      providers: [
        { provide: CONFIG, useValue: config },
        { provide: CLOCK, useValue: systemClock },
      ],
      exports: [CONFIG, CLOCK],
    };
  }
}
