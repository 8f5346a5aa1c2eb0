/**
 * `recipient-<userId>`: the address the service mails a user at, learnt from
 * `UserRegistered` on `auth.identity.events` (the service never reads
 * identity's store). Also an admin's address, to say who reset someone's MFA.
 */
export const RECIPIENT_STREAM_PREFIX = 'recipient-';
export const recipientStream = (userId: string): string => `${RECIPIENT_STREAM_PREFIX}${userId}`;

export type RecipientRegistered = {
  readonly type: 'RecipientRegistered';
  readonly data: {
    readonly userId: string;
    readonly email: string;
    readonly orgId: string;
    readonly registeredAt: string;
  };
};

export type RecipientEvent = RecipientRegistered;
