export type RegisterRecipient = {
  readonly type: 'RegisterRecipient';
  readonly data: {
    readonly userId: string;
    readonly email: string;
    readonly orgId: string;
    readonly registeredAt: string;
  };
};

export type RecipientCommand = RegisterRecipient;
