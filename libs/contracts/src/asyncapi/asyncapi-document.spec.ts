import { readFileSync } from 'node:fs';
import { DiagnosticSeverity, Parser } from '@asyncapi/parser';
import { describe, expect, it } from 'vitest';
import { INTEGRATION_TOPICS } from '../integration-events.js';
import { INTEGRATION_EVENT_CONTRACTS } from '../integration-events/registry.js';
import { asyncApiDocument, asyncApiJson } from './asyncapi-document.js';

const COMMITTED = new URL('../../../../docs/asyncapi.json', import.meta.url);

describe('the AsyncAPI document of auth.*.events', () => {
  it('is current: docs/asyncapi.json is what `npm run asyncapi` writes from the contracts today', () => {
    // Compared as JSON: the script also formats the file with prettier.
    expect(JSON.parse(readFileSync(COMMITTED, 'utf8')), 'run `npm run asyncapi` and commit docs/asyncapi.json').toEqual(
      JSON.parse(asyncApiJson()),
    );
  });

  it('is a valid AsyncAPI 3.0 document', async () => {
    const { document, diagnostics } = await new Parser().parse(asyncApiJson());
    const errors = diagnostics.filter((diagnostic) => diagnostic.severity === DiagnosticSeverity.Error);
    expect(errors.map((error) => `${error.path.join('.')}: ${error.message}`)).toEqual([]);
    expect(document?.version()).toBe('3.0.0');
    expect(
      document
        ?.channels()
        .all()
        .map((channel) => channel.address()),
    ).toEqual(Object.values(INTEGRATION_TOPICS));
  });

  it('has one message per event type and version, on its topic, with an example of it', () => {
    const document = asyncApiDocument() as {
      channels: Record<string, { address: string; messages: Record<string, unknown> }>;
      components: { messages: Record<string, { examples: { payload: unknown }[] }> };
    };
    for (const versions of Object.values(INTEGRATION_EVENT_CONTRACTS)) {
      for (const contract of Object.values(versions)) {
        const id = `${contract.type}.v${contract.schemaVersion}`;
        const channel = Object.values(document.channels).find(({ address }) => address === contract.topic);
        expect(Object.keys(channel?.messages ?? {}), contract.topic).toContain(id);
        expect(document.components.messages[id]?.examples[0]?.payload).toEqual(contract.example);
      }
    }
  });
});
