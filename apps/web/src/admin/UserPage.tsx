import { type FormEvent, useCallback, useEffect, useState } from 'react';
import { api, type MfaEvent, type UserSummary } from '../api';
import { messageOf } from '../messages';
import { Link } from '../router';
import { Field, Status } from '../ui';
import { describeEvent } from './mfa-events';
import { MFA_TEXT } from './Users';

/** Admin → Users → one user: MFA status, the MFA audit timeline, Reset MFA (with a reason), unlock. */
export function UserPage({ id }: { id: string }) {
  const [user, setUser] = useState<UserSummary | null>(null);
  const [events, setEvents] = useState<MfaEvent[] | null>(null);
  /** The emails of the admins the history names (who reset), as far as this admin may see them. */
  const [admins, setAdmins] = useState<Record<string, string>>({});
  const [error, setError] = useState<string | null>(null);

  const load = useCallback(async () => {
    const [found, history] = await Promise.allSettled([api.user(id), allEvents(id)]);
    if (found.status === 'fulfilled') setUser(found.value);
    if (history.status === 'fulfilled') {
      setEvents(history.value);
      const ids = [...new Set(history.value.map(adminIdOf).filter((adminId) => adminId !== null))];
      const found = await Promise.allSettled(ids.map((adminId) => api.user(adminId)));
      setAdmins(
        Object.fromEntries(found.flatMap((r) => (r.status === 'fulfilled' ? [[r.value.id, r.value.email]] : []))),
      );
    }
    const refusal = [found, history].find((result) => result.status === 'rejected');
    setError(refusal ? messageOf(refusal.reason) : null);
  }, [id]);
  useEffect(() => void load(), [load]);

  return (
    <>
      <p>
        <Link href="/admin/users">← All users</Link>
      </p>
      <h1>{user?.email ?? 'User'}</h1>
      <Status error={error} />
      {user && (
        <dl className="facts card">
          <dt>Roles</dt>
          <dd>{user.roles.join(', ') || '—'}</dd>
          <dt>Two-step sign-in</dt>
          <dd data-testid="user-mfa-status">{MFA_TEXT[user.mfa.status]}</dd>
          <dt>Locked</dt>
          <dd>{user.locked ? 'Locked after failed passwords' : 'No'}</dd>
        </dl>
      )}
      <div className="columns">
        <ReasonForm
          title="Reset MFA"
          reasonLabel="Reason for the reset"
          explanation="For a lost phone: the user's two-step sign-in is removed and their sessions end. If a policy requires MFA, they set it up again at the next sign-in."
          action="Reset MFA"
          run={(reason) => api.resetMfa(id, reason)}
          done="MFA reset. The user sets it up again at the next sign-in."
          onDone={load}
        />
        <ReasonForm
          title="Unlock"
          reasonLabel="Reason for unlocking"
          explanation="Lifts the lock and the waiting time after failed passwords."
          action="Unlock"
          run={(reason) => api.unlock(id, reason)}
          done="Unlocked."
          onDone={load}
        />
      </div>
      <section aria-labelledby="timeline-title" className="card">
        <h2 id="timeline-title">MFA history</h2>
        {events && events.length === 0 && <p>Nothing yet.</p>}
        {events && (
          <ol className="timeline">
            {events.map((event) => {
              const { what, who, where } = describeEvent(event, admins);
              return (
                <li key={event.revision}>
                  <time dateTime={event.occurredAt}>{new Date(event.occurredAt).toLocaleString()}</time>
                  <span className="what">{what}</span>
                  {who && <span className="who">{who}</span>}
                  {where && <span className="where">{where}</span>}
                </li>
              );
            })}
          </ol>
        )}
      </section>
    </>
  );
}

const adminIdOf = ({ type, data }: MfaEvent): string | null => {
  const by = data['by'] as { kind?: string; adminId?: string } | undefined;
  return type === 'MfaDeactivated' && by?.kind === 'admin' && by.adminId ? by.adminId : null;
};

/** Every page of the user's MFA stream, oldest first. */
async function allEvents(id: string): Promise<MfaEvent[]> {
  const events: MfaEvent[] = [];
  let from: number | undefined;
  for (;;) {
    const page = await api.mfaEvents(id, from);
    events.push(...page.events);
    if (page.nextRevision === null) return events;
    from = page.nextRevision;
  }
}

/** An admin action that must say why (recorded with who did it). */
function ReasonForm(props: {
  title: string;
  reasonLabel: string;
  explanation: string;
  action: string;
  run: (reason: string) => Promise<unknown>;
  done: string;
  onDone: () => Promise<void>;
}) {
  const [reason, setReason] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [success, setSuccess] = useState<string | null>(null);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setError(null);
    setSuccess(null);
    try {
      await props.run(reason.trim());
      setReason('');
      setSuccess(props.done);
      await props.onDone();
    } catch (refusal) {
      setError(messageOf(refusal));
    }
  };

  return (
    <section aria-label={props.title} className="card">
      <h2>{props.title}</h2>
      <p>{props.explanation}</p>
      <form onSubmit={(event) => void submit(event)}>
        <Field
          label={props.reasonLabel}
          hint="Recorded in the audit trail with your name."
          required
          maxLength={500}
          value={reason}
          onChange={(event) => setReason(event.target.value)}
        />
        <Status error={error} success={success} />
        <button type="submit" className="danger">
          {props.action}
        </button>
      </form>
    </section>
  );
}
