import { useCallback, useEffect, useState } from 'react';
import { api, type Session } from '../api';
import { messageOf } from '../messages';
import { ScrollTable, Status } from '../ui';

/** The devices signed in to this account; any other one can be signed out (a lost laptop). */
export function Sessions() {
  const [sessions, setSessions] = useState<Session[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [done, setDone] = useState<string | null>(null);

  const load = useCallback(async () => {
    try {
      setSessions((await api.sessions()).sessions);
    } catch (refusal) {
      setError(messageOf(refusal));
    }
  }, []);
  useEffect(() => void load(), [load]);

  const end = async (session: Session) => {
    setError(null);
    try {
      await api.endSession(session.id);
      setDone(`Signed out ${session.userAgent || 'that device'}.`);
      await load();
    } catch (refusal) {
      setError(messageOf(refusal));
    }
  };

  return (
    <section aria-labelledby="sessions-title" className="card">
      <h2 id="sessions-title">Where you are signed in</h2>
      <Status error={error} success={done} />
      {sessions && (
        <ScrollTable label="Table of sessions">
          <table>
            <thead>
              <tr>
                <th scope="col">Device</th>
                <th scope="col">Address</th>
                <th scope="col">Signed in</th>
                <th scope="col">Last active</th>
                <th scope="col">
                  <span className="visually-hidden">Action</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {sessions.map((session) => (
                <tr key={session.id}>
                  <td>{session.userAgent || 'unknown'}</td>
                  <td>{session.ip}</td>
                  <td>{new Date(session.startedAt).toLocaleString()}</td>
                  <td>{new Date(session.lastRefreshedAt ?? session.startedAt).toLocaleString()}</td>
                  <td>
                    {session.current ? (
                      <strong>This device</strong>
                    ) : (
                      <button type="button" className="secondary" onClick={() => void end(session)}>
                        Sign out<span className="visually-hidden"> this session</span>
                      </button>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </ScrollTable>
      )}
    </section>
  );
}
