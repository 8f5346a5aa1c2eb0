import { mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import jsQRModule from 'jsqr';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { PNG } from 'pngjs';
import { expect } from 'vitest';

/**
 * Debian's Chromium driven by playwright-core (no downloaded browser), with the
 * flags it needs on a closed network. `.ci/run` installs it when missing.
 */
export const CHROMIUM = process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium';

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--no-first-run',
    ],
    timeout: 30_000,
  });
}

/** A person's browser: its own cookies, a desktop window unless told, every wait bounded. */
export async function personBrowser(
  browser: Browser,
  baseURL: string,
  options: { userAgent?: string; width?: number } = {},
): Promise<{ context: BrowserContext; page: Page; problems: string[] }> {
  const context = await browser.newContext({
    baseURL,
    viewport: { width: options.width ?? 1280, height: 900 },
    ...(options.userAgent ? { userAgent: options.userAgent } : {}),
  });
  context.setDefaultTimeout(10_000);
  context.setDefaultNavigationTimeout(15_000);
  const page = await context.newPage();
  // The app runs under its real CSP (no bypass): whatever it blocks, and any uncaught error, is kept here.
  const problems: string[] = [];
  page.on('console', (message) => {
    if (/Content Security Policy/i.test(message.text())) problems.push(message.text());
  });
  page.on('pageerror', (error) => problems.push(error.message));
  return { context, page, problems };
}

/** A CommonJS build of an ES module: the function is `default` under Node's interop, the module itself under Vite's. */
const jsQR = ((jsQRModule as { default?: unknown }).default ?? jsQRModule) as typeof jsQRModule.default;

const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
const SCREENSHOTS = 'test-output/screenshots';

/**
 * A screen as people meet it: axe-core finds no serious or critical
 * violation, and a screenshot is kept under test-output/screenshots/.
 * axe is evaluated through the DevTools protocol, which the page's CSP does
 * not govern, so the app itself keeps running under its own policy.
 */
export async function checkScreen(page: Page, name: string): Promise<void> {
  await page.evaluate(`if (!window.axe) { ${AXE_SOURCE} }`);
  const violations = await page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run: (context: Document) => Promise<AxeResults> } }).axe;
    const results = await axe.run(document);
    return results.violations
      .filter((violation) => violation.impact === 'serious' || violation.impact === 'critical')
      .map(
        (violation) => `${violation.id}: ${violation.help} (${violation.nodes.map((node) => node.target).join(', ')})`,
      );
  });
  expect(violations, `accessibility of ${name}`).toEqual([]);
  mkdirSync(SCREENSHOTS, { recursive: true });
  await page.screenshot({ path: `${SCREENSHOTS}/${name}.png`, fullPage: true });
}

interface AxeResults {
  violations: { id: string; impact: string | null; help: string; nodes: { target: unknown }[] }[];
}

/** The otpauth:// URI in the QR code the page shows, read from a screenshot of the image as a phone would. */
export async function scanQrCode(page: Page): Promise<string> {
  const image = page.getByRole('img', { name: /QR code/ });
  await expect.poll(() => image.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth > 0)).toBe(true);
  const png = PNG.sync.read(await image.screenshot());
  const decoded = jsQR(Uint8ClampedArray.from(png.data), png.width, png.height);
  if (!decoded) throw new Error('no QR code found in the image on the page');
  return decoded.data;
}
