import { describe, expect, it } from 'vitest';
import { canonicalJson, canonicalJsonWithout, storedForm } from './canonical-json.js';

describe('canonicalJson (RFC 8785)', () => {
  it('writes the RFC 8785 §3.2.2 example exactly as the RFC does', () => {
    const input = JSON.parse(
      '{"numbers": [333333333.33333329, 1E30, 4.50, 2e-3, 0.000000000000000000000000001],' +
        ' "string": "\\u20ac$\\u000F\\u000aA\'\\u0042\\u0022\\u005c\\\\\\"\\/", "literals": [null, true, false]}',
    ) as unknown;
    expect(canonicalJson(input)).toBe(
      '{"literals":[null,true,false],"numbers":[333333333.3333333,1e+30,4.5,0.002,1e-27],' +
        '"string":"€$\\u000f\\nA\'B\\"\\\\\\\\\\"/"}',
    );
  });

  it('orders members by UTF-16 code units, as RFC 8785 §3.2.3 shows', () => {
    const input = {
      '\u20ac': 'Euro Sign',
      '\r': 'Carriage Return',
      '\ufb33': 'Hebrew Letter Dalet With Dagesh',
      '1': 'One',
      '\ud83d\ude00': 'Emoji: Grinning Face',
      '\u0080': 'Control',
      '\u00f6': 'Latin Small Letter O With Diaeresis',
    };
    expect(canonicalJson(input)).toBe(
      '{"\\r":"Carriage Return","1":"One","\u0080":"Control","\u00f6":"Latin Small Letter O With Diaeresis",' +
        '"\u20ac":"Euro Sign","\ud83d\ude00":"Emoji: Grinning Face","\ufb33":"Hebrew Letter Dalet With Dagesh"}',
    );
  });

  it('orders nested objects too, and writes no whitespace', () => {
    expect(canonicalJson({ b: [{ z: 1, a: { y: true, x: null } }], a: 'x' })).toBe(
      '{"a":"x","b":[{"a":{"x":null,"y":true},"z":1}]}',
    );
  });

  it('gives the canonical form of what JSON.stringify stores, once the value is in its stored form', () => {
    const values: Array<Record<string, unknown>> = [
      { at: new Date('2030-01-02T03:04:05.678Z'), gone: undefined, fn: () => 1, n: -0, big: 1e21, small: 5e-7 },
      { list: [undefined, () => 1, Number.NaN, Number.POSITIVE_INFINITY, 'ok'] },
      { nested: { toJSON: () => ({ b: 2, a: 1 }) } },
      { text: 'a "quoted" \u2028 line' },
    ];
    for (const value of values) {
      expect(canonicalJson(storedForm(value))).toBe(canonicalJson(JSON.parse(JSON.stringify(value))));
    }
    expect(canonicalJson(storedForm(values[0]!))).toBe(
      '{"at":"2030-01-02T03:04:05.678Z","big":1e+21,"n":0,"small":5e-7}',
    );
    expect(canonicalJson(storedForm(values[1]!))).toBe('{"list":[null,null,null,null,"ok"]}');
  });

  it('leaves one member out without copying the rest by hand', () => {
    expect(canonicalJsonWithout({ b: 1, chainHash: 'x', a: 2 }, 'chainHash')).toBe('{"a":2,"b":1}');
  });

  it('refuses what has no JSON form', () => {
    expect(() => canonicalJson(undefined)).toThrow(TypeError);
    expect(() => canonicalJson({ n: 1n })).toThrow();
    expect(() => canonicalJson({ n: Number.NaN })).toThrow();
  });
});
