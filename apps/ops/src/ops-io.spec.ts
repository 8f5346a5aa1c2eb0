import { describe, expect, it } from 'vitest';
import { ProgressLine, renderTable } from './ops-io.js';

describe('renderTable', () => {
  it('pads each column to its widest cell, under a rule, the last column as is', () => {
    expect(
      renderTable(
        ['time', 'event', 'reason'],
        [
          ['t1', 'MfaChallengeFailed', 'login: invalid_code'],
          ['t22', 'MfaActivated', '-'],
        ],
      ),
    ).toBe(
      [
        'time  event               reason',
        '----  ------------------  -------------------',
        't1    MfaChallengeFailed  login: invalid_code',
        't22   MfaActivated        -',
        '',
      ].join('\n'),
    );
  });
});

describe('ProgressLine', () => {
  const run = (isTTY: boolean) => {
    const written: string[] = [];
    const progress = new ProgressLine({ write: (text) => void written.push(text), isTTY }, 'verify', 0);
    for (let done = 1; done <= 4096; done += 1) progress.tick(done, ' (mfa)');
    progress.done();
    return written;
  };

  it('rewrites one line on a terminal, every 1024 events at most, and clears it at the end', () => {
    const written = run(true);
    expect(written.slice(0, -1)).toEqual(
      [1024, 2048, 3072, 4096].map((n) =>
        expect.stringContaining(`verify: ${n.toLocaleString('en-US')} events (mfa), `),
      ),
    );
    expect(written.every((text) => text.startsWith('\r\x1b[K'))).toBe(true);
    expect(written.at(-1)).toBe('\r\x1b[K');
  });

  it('writes nothing when stderr is not a terminal', () => {
    expect(run(false)).toEqual([]);
  });
});
