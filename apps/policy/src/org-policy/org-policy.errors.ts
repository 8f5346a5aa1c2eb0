import { DomainError } from '#contracts';

const MAX_SHOWN_ENTRY_LENGTH = 64;

export class InvalidCidr extends DomainError {
  constructor(readonly entry: string) {
    const shown = entry.length > MAX_SHOWN_ENTRY_LENGTH ? `${entry.slice(0, MAX_SHOWN_ENTRY_LENGTH)}…` : entry;
    super('validation_failed', `"${shown}" is not an IP address or CIDR range`, { field: 'cidrs', entry: shown });
  }
}

export class TooManyCidrs extends DomainError {
  constructor(maxEntries: number) {
    super('validation_failed', `an IP allow-list holds at most ${maxEntries} entries`, { field: 'cidrs' });
  }
}
