import { describe, expect, it } from 'vitest';
import { USAGE } from '../ops.js';
import { parseRelayArgs, RELAY_USAGE, relayCommand } from './relay-command.js';

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

  it('says in its own usage, as the main usage does, that replay writes', async () => {
    expect(RELAY_USAGE).toMatch(/replay WRITES: it appends a request to the service's store/);
    let err = '';
    const status = await relayCommand(['replay', '--service', 'mfa'], {
      env: {},
      out: () => undefined,
      err: { write: (text) => void (err += text), isTTY: false },
    });
    expect(status).toBe(2);
    expect(err).toContain('replay WRITES');
    // The main usage: the three commands that write, each marked, and no claim that fewer do.
    for (const command of ['relay replay', 'reencrypt', 'rebuild-snapshots']) {
      expect(USAGE).toMatch(new RegExp(`^  ${command} .*(\\n {20,}.*)*WRITES`, 'm'));
    }
    expect(USAGE.match(/WRITES/g)).toHaveLength(3);
    expect(USAGE).toContain('Three commands write');
    expect(USAGE).not.toMatch(/Only relay replay writes|only reads/i);
  });
});
