import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Logger } from '@nestjs/common';
import type { NestExpressApplication } from '@nestjs/platform-express';
import type { NextFunction, Request, Response } from 'express';

/**
 * The web app's pages and assets under a strict policy: only this origin's own
 * scripts and styles (no inline ones: the built app has none), images also as
 * data: URLs (the enrolment's QR code), no framing, no plugins, no <base>.
 */
export const WEB_APP_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "font-src 'self'",
  "manifest-src 'self'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
  "object-src 'none'",
].join('; ');

/**
 * What the gateway itself answers: the SPA fallback never takes these over, so
 * an unknown API path stays a JSON 404 (web-app.spec.ts checks every route of
 * the OpenAPI document against this list).
 */
const GATEWAY_PATHS = /^\/(v1|health|docs|docs-json|docs-yaml|\.well-known)(\/|$)/;

/**
 * Where `npm run build` puts the app (dist/web): four folders up from this
 * module is dist/ when it runs compiled, the repository when it runs from
 * source (the specs), which then finds dist/web below it.
 */
function webAppDir(): string | undefined {
  const root = fileURLToPath(new URL('../../../../', import.meta.url));
  return [`${root}web`, `${root}dist/web`].find((dir) => existsSync(`${dir}/index.html`));
}

/**
 * Serves the built web app at `/`: its files, and its index.html for any other
 * page a browser asks for (the app routes on the client), outside the
 * gateway's own paths. Before the API's routes, which it never shadows: the
 * folder holds index.html and assets/ only.
 */
export function serveWebApp(app: NestExpressApplication, logger: Pick<Logger, 'warn'>): void {
  const dir = webAppDir();
  if (!dir) {
    logger.warn('the web app is not built (npm run build writes dist/web): only the API is served');
    return;
  }
  // Only under /assets/: an API request never costs a look in the file system.
  app.useStaticAssets(`${dir}/assets`, {
    prefix: '/assets/',
    index: false,
    redirect: false,
    setHeaders: (response) => {
      response.setHeader('Content-Security-Policy', WEB_APP_CSP);
      // Vite names assets by their content hash: they never change under one name.
      response.setHeader('Cache-Control', 'public, max-age=31536000, immutable');
    },
  });
  app.use((request: Request, response: Response, next: NextFunction) => {
    // A navigation (Accept names text/html), not an API client's `*/*`.
    const page =
      (request.method === 'GET' || request.method === 'HEAD') && /text\/html/.test(request.headers.accept ?? '');
    if (!page || GATEWAY_PATHS.test(request.path)) return next();
    response.setHeader('Content-Security-Policy', WEB_APP_CSP);
    response.sendFile(`${dir}/index.html`);
  });
}
