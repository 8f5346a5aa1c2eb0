/**
 * Another instance holds the message for a try (a consumer-group rebalance
 * handed the event over while it was sending): wait until `until`, then look
 * again. Never reaches a client, so no `DomainError` code.
 */
export class NotificationClaimedElsewhere extends Error {
  override readonly name = 'NotificationClaimedElsewhere';
  constructor(readonly until: Date) {
    super(`another instance is sending this notification until ${until.toISOString()}`);
  }
}
