export * from './config.schema.js';
export * from './kafka-config.js';
export * from './load-config.js';
export * from './exit-on-startup-failure.js';
export * from './config.module.js';
export * from './development-key-file.js';
export * from './clock.js';
export * from './data-dir.js';
