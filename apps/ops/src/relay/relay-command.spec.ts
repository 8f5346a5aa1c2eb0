import { describe, expect, it } from 'vitest';
import { parseRelayArgs } from './relay-command.js';

describe('ops relay: its arguments', () => {
  it('status, with or without --json, and nothing else', () => {
    expect(parseRelayArgs(['status'])).toEqual({ command: 'status', json: false });
    expect(parseRelayArgs(['status', '--json'])).toEqual({ command: 'status', json: true });
    expect(parseRelayArgs(['status', '--from', '3'])).toBe('relay status takes no --from');
    expect(parseRelayArgs(['stats'])).toBe('relay needs status or replay');
  });

  it('replay: a service, a range of store positions (inclusive), and how long to wait', () => {
    expect(parseRelayArgs(['replay', '--service', 'mfa', '--from', '12'])).toEqual({
      command: 'replay',
      service: 'mfa',
      from: 12n,
      waitSeconds: 60,
      json: false,
    });
    // EventStoreDB positions pack two 64-bit numbers: more than a JavaScript number holds.
    expect(
      parseRelayArgs(['replay', '--service', 'identity', '--from', '0', '--to', '36893488147419103232', '--wait', '0']),
    ).toMatchObject({ from: 0n, to: 36893488147419103232n, waitSeconds: 0 });
    expect(parseRelayArgs(['replay', '--service', 'gateway', '--from', '1'])).toContain(
      '--service identity|mfa|policy',
    );
    expect(parseRelayArgs(['replay', '--service', 'mfa'])).toContain('needs --from');
    expect(parseRelayArgs(['replay', '--service', 'mfa', '--from=-1'])).toContain('needs --from');
    expect(parseRelayArgs(['replay', '--service', 'mfa', '--from', '5', '--to', '4'])).toBe('--to is before --from');
    expect(parseRelayArgs(['replay', '--service', 'mfa', '--from', '5', '--wait', 'forever'])).toContain('--wait');
  });
});
