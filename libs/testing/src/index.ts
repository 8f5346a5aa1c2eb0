export * from './kafka-broker.js';
export * from './system.js';
