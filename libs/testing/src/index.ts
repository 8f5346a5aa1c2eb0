export * from './kafka-broker.js';
