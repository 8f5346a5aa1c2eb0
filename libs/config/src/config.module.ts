import { type DynamicModule, Global, Module } from '@nestjs/common';
import type { Config } from './config.schema.js';

export const CONFIG = Symbol('CONFIG');

/** The configuration validated at boot, injectable as `@Inject(CONFIG)`. */
@Global()
@Module({})
export class ConfigModule {
  static forRoot(config: Config): DynamicModule {
    return { module: ConfigModule, providers: [{ provide: CONFIG, useValue: config }], exports: [CONFIG] };
  }
}
