import { describe, expect, it } from 'vitest';
import { logins } from './catalogue.js';
import { counter, metricsRegistry } from './metrics.js';

describe('the metrics registry', () => {
  it('registers a metric once: a second registration (another service of the process) finds the first', async () => {
    const again = counter({ name: 'totp_mfa_logins_total', help: 'again', labelNames: ['step', 'outcome'] });
    expect(again).toBe(logins);
    again.inc({ step: 'mfa', outcome: 'authenticated' });
    expect(await metricsRegistry.getSingleMetricAsString('totp_mfa_logins_total')).toMatch(
      /^totp_mfa_logins_total\{step="mfa",outcome="authenticated"\} \d+$/m,
    );
  });

  it('names every metric of the catalogue totp_mfa_*', async () => {
    const names = (await metricsRegistry.getMetricsAsJSON()).map((metric) => metric.name);
    expect(names.length).toBeGreaterThan(10);
    for (const name of names) expect(name).toMatch(/^totp_mfa_[a-z_]+$/);
  });
});
