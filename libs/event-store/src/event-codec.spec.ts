import { describe, expect, it } from 'vitest';
import { UnknownEventType, UnsupportedSchemaVersion, eventCodec } from './event-codec.js';

type Renamed = { type: 'Renamed'; data: { schemaVersion: 2; fullName: string } };
type Deleted = { type: 'Deleted'; data: { schemaVersion: 1 } };

const codec = eventCodec<Renamed | Deleted>({
  currentVersions: { Renamed: 2, Deleted: 1 },
  steps: { Renamed: { 1: ({ name, ...rest }) => ({ ...rest, schemaVersion: 2, fullName: name }) } },
});
const stored = (type: string, data: Record<string, unknown>) => ({ stream: 'thing-1', type, data });

describe('eventCodec', () => {
  it('encodes the payload as it is, its version repeated in the metadata', () => {
    expect(codec.encode({ type: 'Renamed', data: { schemaVersion: 2, fullName: 'Ann' } })).toEqual({
      type: 'Renamed',
      data: { schemaVersion: 2, fullName: 'Ann' },
      metadata: { schemaVersion: 2 },
    });
  });

  it('reads the current version as it is and lifts an older one step by step', () => {
    expect(codec.upcast(stored('Renamed', { schemaVersion: 2, fullName: 'Ann' }))).toEqual({
      type: 'Renamed',
      data: { schemaVersion: 2, fullName: 'Ann' },
    });
    expect(codec.upcast(stored('Renamed', { schemaVersion: 1, name: 'Ann' }))).toEqual({
      type: 'Renamed',
      data: { schemaVersion: 2, fullName: 'Ann' },
    });
  });

  it('refuses an unknown type, even one named like an object property', () => {
    expect(() => codec.upcast(stored('Created', { schemaVersion: 1 }))).toThrow(UnknownEventType);
    expect(() => codec.upcast(stored('toString', { schemaVersion: 1 }))).toThrow(UnknownEventType);
  });

  it.each([
    ['missing', undefined],
    ['newer than this code', 3],
    ['zero', 0],
    ['not an integer', 1.5],
    ['a string', '1'],
  ])('refuses a schemaVersion that is %s', (_, schemaVersion) => {
    expect(() => codec.upcast(stored('Renamed', { schemaVersion, fullName: 'Ann' }))).toThrow(UnsupportedSchemaVersion);
  });

  it('refuses a version it has no step up from', () => {
    const withoutSteps = eventCodec<Renamed>({ currentVersions: { Renamed: 2 } });
    expect(() => withoutSteps.upcast(stored('Renamed', { schemaVersion: 1, name: 'Ann' }))).toThrow(
      UnsupportedSchemaVersion,
    );
  });
});
