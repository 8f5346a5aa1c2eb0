import { readFileSync } from 'node:fs';
import swc from 'unplugin-swc';
import { defineConfig } from 'vitest/config';

// One compiler configuration for the build and the tests (.swcrc); its `exclude`
// only keeps specs out of dist/.
const { jsc } = JSON.parse(readFileSync(new URL('./.swcrc', import.meta.url), 'utf8'));

export default defineConfig({
  plugins: [swc.vite({ swcrc: false, tsconfigFile: false, jsc })],
  resolve: { conditions: ['source'] },
  test: {
    include: ['apps/**/*.spec.ts', 'libs/**/*.spec.ts', 'test/**/*.spec.ts'],
  },
});
