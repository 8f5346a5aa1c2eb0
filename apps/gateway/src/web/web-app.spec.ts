import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGatewayUnderTest } from '../gateway.testing.js';
import { WEB_APP_CSP } from './web-app.js';

type Gateway = Awaited<ReturnType<typeof startGatewayUnderTest>>;

const PAGE = { accept: 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8' };
const isTheApp = (html: string) => html.includes('<div id="root"></div>');

/** Needs the built app (dist/web): `npm test` builds first; alone, run `npm run build`. */
describe('the web app served by the gateway', () => {
  let gateway: Gateway;
  const get = (path: string, headers: Record<string, string> = PAGE) =>
    fetch(`${gateway.api.baseUrl}${path}`, { headers });

  beforeAll(async () => {
    gateway = await startGatewayUnderTest();
  });
  afterAll(() => gateway.close());

  it('serves the app at / under a strict CSP: own scripts and styles only, no framing', async () => {
    const response = await get('/');
    const html = await response.text();

    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/html/);
    expect(isTheApp(html)).toBe(true);
    const csp = response.headers.get('content-security-policy');
    expect(csp).toBe(WEB_APP_CSP);
    expect(csp).toContain("script-src 'self';");
    expect(csp).toContain("style-src 'self';");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).not.toContain('unsafe-inline');
    expect(response.headers.get('cache-control')).toBe('no-store');
    // Nothing inline the CSP would block: every script and stylesheet is a file of the gateway's.
    expect(html).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
    expect(html).not.toMatch(/<style|\sstyle=/);
    const assets = [...html.matchAll(/(?:src|href)="(\/assets\/[^"]+)"/g)].map((match) => match[1]!);
    expect(assets.length).toBeGreaterThanOrEqual(2);
    for (const asset of assets) {
      const file = await get(asset, {});
      expect(file.status).toBe(200);
      expect(file.headers.get('content-security-policy')).toBe(WEB_APP_CSP);
      expect(file.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    }
  });

  it("answers the app's own pages (deep links, reloads) with the app", async () => {
    for (const path of ['/sign-in', '/profile', '/admin/users/6a1f0c9e-0000-4000-8000-000000000000']) {
      const response = await get(path);
      expect(response.status).toBe(200);
      expect(isTheApp(await response.text())).toBe(true);
    }
  });

  it('never takes over what the gateway answers itself: every route of the API, the docs, health, JWKS', async () => {
    const document = (await (await get('/docs-json', {})).json()) as { paths: Record<string, unknown> };
    const apiPaths = Object.keys(document.paths).map((path) => path.replace(/\{[^}]+\}/g, 'x'));
    expect(apiPaths).toContain('/v1/auth/login');

    for (const path of [...apiPaths, '/v1/nowhere', '/docs', '/docs-json', '/health', '/.well-known/jwks.json']) {
      const response = await get(path);
      expect(isTheApp(await response.text()), path).toBe(false);
    }
  });

  it('leaves an API client asking for an unknown path a JSON 404', async () => {
    const response = await get('/nowhere', { accept: 'application/json' });

    expect(response.status).toBe(404);
    expect(await response.json()).toMatchObject({ error: 'not_found' });
  });
});
