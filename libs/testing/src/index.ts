export * from './kafka-broker.js';
export * from './system.js';
export * from './totp-oracle.js';
export * from './http-client.js';
export * from './app-process.js';
export * from './kafka-caller.js';
