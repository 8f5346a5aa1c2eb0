import { describe, expect, it } from 'vitest';
import { UnknownEventType, UnsupportedSchemaVersion, eventCodec } from './event-codec.js';

type Renamed = { type: 'Renamed'; data: { fullName: string } };
type Deleted = { type: 'Deleted'; data: Record<string, never> };

const codec = eventCodec<Renamed | Deleted>({
  currentVersions: { Renamed: 2, Deleted: 1 },
  steps: { Renamed: { 1: ({ name, ...rest }) => ({ ...rest, schemaVersion: 2, fullName: name }) } },
});
const stored = (type: string, data: Record<string, unknown>) => ({ stream: 'thing-1', type, data });

describe('eventCodec', () => {
  it('stamps the current version of the type on the stored payload, repeated in the metadata', () => {
    expect(codec.encode({ type: 'Renamed', data: { fullName: 'Ann' } })).toEqual({
      type: 'Renamed',
      data: { schemaVersion: 2, fullName: 'Ann' },
      metadata: { schemaVersion: 2 },
    });
    expect(codec.encode({ type: 'Deleted', data: {} })).toMatchObject({ data: { schemaVersion: 1 } });
  });

  it('decodes the current version without its version, and lifts an older one step by step', () => {
    expect(codec.decode(stored('Renamed', { schemaVersion: 2, fullName: 'Ann' }))).toEqual({
      type: 'Renamed',
      data: { fullName: 'Ann' },
    });
    expect(codec.decode(stored('Renamed', { schemaVersion: 1, name: 'Ann' }))).toEqual({
      type: 'Renamed',
      data: { fullName: 'Ann' },
    });
  });

  it('round-trips: what it encodes it decodes to the same event', () => {
    const event: Renamed = { type: 'Renamed', data: { fullName: 'Ann' } };
    expect(codec.decode(codec.encode(event))).toEqual(event);
  });

  it('knows its types and their current versions', () => {
    expect(codec.isEventType('Renamed')).toBe(true);
    expect(codec.isEventType('toString')).toBe(false);
    expect(codec.versionOf('Renamed')).toBe(2);
    expect(() => codec.versionOf('Created' as 'Renamed')).toThrow(UnknownEventType);
  });

  it('refuses an unknown type, even one named like an object property', () => {
    expect(() => codec.decode(stored('Created', { schemaVersion: 1 }))).toThrow(UnknownEventType);
    expect(() => codec.decode(stored('toString', { schemaVersion: 1 }))).toThrow(UnknownEventType);
  });

  it.each([
    ['missing', undefined],
    ['newer than this code', 3],
    ['zero', 0],
    ['not an integer', 1.5],
    ['a string', '1'],
  ])('refuses a schemaVersion that is %s', (_, schemaVersion) => {
    expect(() => codec.decode(stored('Renamed', { schemaVersion, fullName: 'Ann' }))).toThrow(UnsupportedSchemaVersion);
  });

  it('refuses a version it has no step up from, or a step that does not arrive at the next version', () => {
    const withoutSteps = eventCodec<Renamed>({ currentVersions: { Renamed: 2 } });
    expect(() => withoutSteps.decode(stored('Renamed', { schemaVersion: 1, name: 'Ann' }))).toThrow(
      UnsupportedSchemaVersion,
    );
    const badStep = eventCodec<Renamed>({ currentVersions: { Renamed: 2 }, steps: { Renamed: { 1: (v1) => v1 } } });
    expect(() => badStep.decode(stored('Renamed', { schemaVersion: 1, fullName: 'Ann' }))).toThrow(
      UnsupportedSchemaVersion,
    );
  });
});
