import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { startSystem, type RunningSystem, type SystemMode } from '#testing';

describe.each<SystemMode>(['embedded', 'distributed'])('GET /health (%s)', (mode) => {
  let system: RunningSystem;

  beforeAll(async () => {
    system = await startSystem({ mode, kafka: inject('kafkaClients') });
  });

  afterAll(async () => {
    await system?.stop({ removeData: true });
  });

  it('reaches identity, mfa and policy through the transport, and says how their relays are doing', async () => {
    const transport = mode === 'embedded' ? 'in-process' : 'kafka';
    const relay = { state: 'running', since: expect.any(String), lag: expect.any(Number) };
    // On Kafka a relay stands by until its instance holds the relay lease (a group join, a few seconds).
    await expect
      .poll(
        async () => {
          const response = await fetch(`${system.baseUrl}/health`);
          expect(response.status).toBe(200);
          return response.json();
        },
        { timeout: 30_000, interval: 250 },
      )
      .toEqual({
        status: 'up',
        services: {
          identity: { service: 'identity', status: 'up', transport, eventStore: 'sqlite', relay },
          mfa: { service: 'mfa', status: 'up', transport, eventStore: 'sqlite', relay },
          policy: { service: 'policy', status: 'up', transport, eventStore: 'sqlite', relay },
        },
      });
    // Every relay catches up: nothing of its service's streams left to publish.
    await expect
      .poll(async () => {
        const { services } = (await (await fetch(`${system.baseUrl}/health`)).json()) as {
          services: Record<string, { relay: { lag: number } }>;
        };
        return Object.values(services).map((service) => service.relay.lag);
      })
      .toEqual([0, 0, 0]);
  });

  it('serves the OpenAPI document and the JWKS', async () => {
    const docs = (await (await fetch(`${system.baseUrl}/docs-json`)).json()) as { paths: Record<string, unknown> };
    expect(Object.keys(docs.paths)).toEqual(expect.arrayContaining(['/v1/auth/login', '/v1/auth/login/mfa', '/v1/me']));
    const jwks = (await (await fetch(`${system.baseUrl}/.well-known/jwks.json`)).json()) as {
      keys: Record<string, unknown>[];
    };
    expect(jwks.keys[0]).toMatchObject({ kty: 'EC', crv: 'P-256', alg: 'ES256', use: 'sig' });
    expect(jwks.keys[0]?.d).toBeUndefined();
  });
});
