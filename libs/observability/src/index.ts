export * from './request-context.js';
export * from './request-id.js';
export * from './redaction.js';
export * from './logging.js';
export * from './metrics.js';
export * from './catalogue.js';
export * from './readiness.js';
export * from './management.js';
