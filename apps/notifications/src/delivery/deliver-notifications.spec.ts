import { randomUUID } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { INestApplicationContext } from '@nestjs/common';
import { simpleParser } from 'mailparser';
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '#config';
import {
  INTEGRATION_EVENT_CONTRACTS,
  INTEGRATION_TOPICS,
  NOTIFICATIONS_DEAD_LETTER_TOPIC,
  type IntegrationEvent,
  type IntegrationEventType,
} from '#contracts';
import { processBus } from '#messaging';
import { CollectingLogger, startSmtpSink, type SmtpSink } from '#testing';
import { startNotifications } from '../notifications.app.js';

/** The service in process, as the embedded default runs it: events handed over on the process bus, as the relays do. */
describe('notifications in process', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'notifications-'));
  let app: INestApplicationContext | undefined;
  let sink: SmtpSink | undefined;
  const logger = new CollectingLogger();
  const deadLetters: unknown[] = [];
  const collectDeadLetter = async (message: unknown) => void deadLetters.push(message);

  afterEach(async () => {
    await app?.close();
    await sink?.close();
    processBus.unsubscribe(NOTIFICATIONS_DEAD_LETTER_TOPIC, collectDeadLetter);
    rmSync(dataDir, { recursive: true, force: true });
  });

  const start = async (env: Record<string, string> = {}) => {
    app = await startNotifications(loadConfig('notifications', { DATA_DIR: dataDir, ...env }), logger);
  };
  /** As published: its contract's example (libs/contracts) for `userId`, with `data` changed as given. */
  const published = (type: IntegrationEventType, userId: string, data: Record<string, unknown>): IntegrationEvent => {
    const [example] = Object.values(INTEGRATION_EVENT_CONTRACTS[type]).map((contract) => contract.example);
    return {
      eventId: randomUUID(),
      type,
      schemaVersion: Number(example!['schemaVersion']),
      aggregateId: userId,
      userId,
      occurredAt: '2031-03-04T05:06:07.000Z',
      source: { stream: `x-${userId}`, revision: 0, position: '1' },
      data: { ...(example!['data'] as Record<string, unknown>), ...data },
    };
  };
  const publish = (event: IntegrationEvent) =>
    processBus.emit(event.type.startsWith('User') ? INTEGRATION_TOPICS.identity : INTEGRATION_TOPICS.mfa, event);
  const register = (userId: string, email: string) =>
    publish(
      published('UserRegistered', userId, {
        userId,
        orgId: 'o1',
        email,
        roles: [],
        passwordChangeRequired: false,
        registeredAt: '2031-03-04T05:00:00.000Z',
      }),
    );

  it('without SMTP_URL writes each message once into DATA_DIR/outbox as an .eml file, and logs one line', async () => {
    await start();
    await register('u1', 'ann@example.com');
    const activated = published('MfaActivated', 'u1', { enrollmentId: 'e1', activatedAt: '2031-03-04T05:06:07.000Z' });
    await publish(activated);
    await publish(activated);

    const outbox = join(dataDir, 'outbox');
    const files = readdirSync(outbox);
    expect(files).toEqual([expect.stringMatching(new RegExp(`-${activated.eventId}\\.eml$`))]);
    const mail = await simpleParser(readFileSync(join(outbox, files[0]!)));
    expect(mail.messageId).toBe(`<${activated.eventId}.notification@localhost>`);
    expect(mail.subject).toBe('totp-mfa: two-step sign-in is on');
    expect(mail.text).toContain('turned on for your account on 2031-03-04 05:06 UTC');
    const outboxLines = logger.lines.filter((line) => line.includes('outbox'));
    expect(outboxLines).toHaveLength(1);
    expect(outboxLines[0]).not.toContain('ann@example.com');
  });

  it('retries a refusing SMTP server and sends once; parks an unknown recipient at once (no race in process)', async () => {
    sink = await startSmtpSink();
    sink.refusals.set('bob@example.com', 1);
    processBus.subscribe(NOTIFICATIONS_DEAD_LETTER_TOPIC, collectDeadLetter);
    await start({ SMTP_URL: sink.url, NOTIFICATIONS_RETRY_INITIAL_MS: '10', NOTIFICATIONS_RETRY_MAX_MS: '20' });
    await register('u2', 'bob@example.com');
    const deactivated = published('MfaDeactivated', 'u2', {
      deactivatedAt: '2031-03-04T05:06:07.000Z',
      by: { kind: 'user', step: 1, context: null },
    });
    await publish(deactivated);
    await publish(published('MfaActivated', 'never-registered', { activatedAt: '2031-03-04T05:06:07.000Z' }));

    expect(sink.refused).toEqual(['bob@example.com']);
    expect(sink.received.map((mail) => [mail.to, mail.subject])).toEqual([
      ['bob@example.com', 'totp-mfa: two-step sign-in is off'],
    ]);
    expect(deadLetters).toEqual([
      expect.objectContaining({
        type: 'MfaActivated',
        userId: 'never-registered',
        reason: 'unknown_recipient',
        attempts: 0,
      }),
    ]);
  });
});
