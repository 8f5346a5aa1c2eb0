import { readFileSync } from 'node:fs';
import swc from 'unplugin-swc';
import { defineConfig } from 'vitest/config';

// One compiler configuration for the build and the tests (.swcrc); its `exclude`
// only keeps specs out of dist/.
const { jsc } = JSON.parse(readFileSync(new URL('./.swcrc', import.meta.url), 'utf8'));

const shared = {
  plugins: [swc.vite({ swcrc: false, tsconfigFile: false, jsc })],
  resolve: { conditions: ['source'] },
  // Vite 8 applies `resolve.conditions` to the client environment only: specs run
  // in `ssr` and global setups in `__vitest__`, and must read the TS sources too.
  ssr: { resolve: { conditions: ['source'] } },
  environments: { __vitest__: { resolve: { conditions: ['source', 'node', 'development|production'] } } },
};

/**
 * Three layers (STYLE.md): unit specs beside the source; integration specs
 * against a real Kafka broker and each event-store adapter; end-to-end specs
 * that start the system as processes from dist/ and drive it over HTTP; the
 * web app in a real browser. Then the fault specs, which stop and start a
 * broker of their own under load, and the Compose stack of the built images.
 */
export default defineConfig({
  ...shared,
  test: {
    reporters: ['default', ['json', { outputFile: '.cache/vitest-results.json' }]],
    projects: [
      {
        ...shared,
        test: { name: 'unit', include: ['apps/**/*.spec.ts', 'libs/**/*.spec.ts'], sequence: { groupOrder: 0 } },
      },
      {
        ...shared,
        test: {
          name: 'integration',
          include: ['test/integration/**/*.spec.ts'],
          globalSetup: ['test/setup/kafka.global-setup.ts'],
          // Systems on one broker share its topics and consumer groups: one at a time.
          sequence: { groupOrder: 1 },
          fileParallelism: false,
          testTimeout: 60_000,
          hookTimeout: 180_000,
        },
      },
      {
        ...shared,
        test: {
          name: 'e2e',
          include: ['test/e2e/**/*.spec.ts'],
          globalSetup: ['test/setup/kafka.global-setup.ts'],
          sequence: { groupOrder: 2 },
          testTimeout: 60_000,
          hookTimeout: 180_000,
          fileParallelism: false,
        },
      },
      {
        ...shared,
        test: {
          name: 'browser',
          include: ['test/browser/**/*.spec.ts'],
          // The web app in Debian's Chromium against the one-process default (no broker): after the e2e specs.
          sequence: { groupOrder: 3 },
          fileParallelism: false,
          testTimeout: 60_000,
          hookTimeout: 120_000,
        },
      },
      {
        ...shared,
        test: {
          name: 'fault',
          include: ['test/fault/**/*.spec.ts'],
          // Each spec starts, stops and restarts a broker of its own (test/fault/fault-broker.ts),
          // never the one the integration and e2e specs share: last, and one spec at a time.
          sequence: { groupOrder: 4 },
          fileParallelism: false,
          testTimeout: 240_000,
          hookTimeout: 180_000,
        },
      },
      {
        ...shared,
        test: {
          name: 'compose',
          include: ['test/compose/**/*.spec.ts'],
          // The images in docker-compose.yml's stack, the gateway on 127.0.0.1:3000 (test/compose):
          // last, alone. Skipped, with the reason, where no Docker engine or no image is there.
          sequence: { groupOrder: 5 },
          fileParallelism: false,
          testTimeout: 240_000,
          hookTimeout: 720_000,
        },
      },
    ],
  },
});
