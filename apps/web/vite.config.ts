import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

/**
 * The web app, built into dist/web, which the gateway serves at `/`. `npm run
 * dev:web` serves it with hot reload, asking a gateway on 127.0.0.1:3000 for
 * the API (same origin through the proxy, so the session cookie works).
 */
export default defineConfig({
  root: import.meta.dirname,
  plugins: [react()],
  build: {
    outDir: '../../dist/web',
    emptyOutDir: true,
    // No inline script or style anywhere (the gateway's CSP allows none): never inline assets as data: URLs.
    assetsInlineLimit: 0,
    reportCompressedSize: false,
  },
  server: { proxy: { '/v1': 'http://127.0.0.1:3000' } },
});
