export * from './mfa-enrollment.commands.js';
export * from './mfa-enrollment.decider.js';
export * from './mfa-enrollment.errors.js';
export * from './mfa-enrollment.events.js';
export * from './mfa-enrollment.rejection.js';
export * from './mfa-enrollment.state.js';
export * from './mfa-enrollment.upcast.js';
