import type { SubscriptionHandlers } from './event-store.port.js';

/** A stopped subscription must never go unnoticed: without `onError` it is at least logged. */
export function reportSubscriptionError(handlers: SubscriptionHandlers, error: unknown): void {
  if (handlers.onError) {
    handlers.onError(error);
  } else {
    console.error('event-store subscription stopped:', error instanceof Error ? error.message : error);
  }
}
