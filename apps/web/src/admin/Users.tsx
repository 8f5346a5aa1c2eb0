import { type FormEvent, useCallback, useEffect, useState } from 'react';
import { api, type UserSummary } from '../api';
import { messageOf } from '../messages';
import { Link } from '../router';
import { Field, ScrollTable, Status } from '../ui';
import { NewUser } from './NewUser';

export const MFA_TEXT = { active: 'On', pending: 'Set-up started', inactive: 'Off' } as const;

/** Admin → Users: search by email, page through, open one; add a user. */
export function Users() {
  const [query, setQuery] = useState('');
  const [searched, setSearched] = useState('');
  /** The cursors of the pages before this one (Previous pops), and this page's. */
  const [cursors, setCursors] = useState<(string | null)[]>([null]);
  const [page, setPage] = useState<{ users: UserSummary[]; nextCursor: string | null } | null>(null);
  const [error, setError] = useState<string | null>(null);
  const cursor = cursors[cursors.length - 1] ?? null;

  const load = useCallback(async () => {
    setError(null);
    try {
      setPage(await api.users(searched, cursor));
    } catch (refusal) {
      setError(messageOf(refusal));
    }
  }, [searched, cursor]);
  useEffect(() => void load(), [load]);

  const search = (event: FormEvent) => {
    event.preventDefault();
    setSearched(query.trim());
    setCursors([null]);
  };

  return (
    <>
      <h1>Users</h1>
      <section aria-labelledby="list-title" className="card">
        <h2 id="list-title" className="visually-hidden">
          All users
        </h2>
        <form role="search" className="inline" onSubmit={search}>
          <Field
            label="Search by email"
            type="search"
            value={query}
            onChange={(event) => setQuery(event.target.value)}
          />
          <button type="submit">Search</button>
        </form>
        <Status error={error} />
        {page && (
          <ScrollTable label="Table of users">
            <table>
              <caption className="visually-hidden">Users{searched && ` matching “${searched}”`}</caption>
              <thead>
                <tr>
                  <th scope="col">Email</th>
                  <th scope="col">Roles</th>
                  <th scope="col">Two-step sign-in</th>
                  <th scope="col">Locked</th>
                </tr>
              </thead>
              <tbody>
                {page.users.map((user) => (
                  <tr key={user.id}>
                    <td>
                      <Link href={`/admin/users/${encodeURIComponent(user.id)}`}>{user.email}</Link>
                    </td>
                    <td>{user.roles.join(', ') || '—'}</td>
                    <td>{MFA_TEXT[user.mfa.status]}</td>
                    <td>{user.locked ? 'Locked' : 'No'}</td>
                  </tr>
                ))}
              </tbody>
            </table>
            {page.users.length === 0 && <p>No users found.</p>}
          </ScrollTable>
        )}
        <nav aria-label="Pages" className="pager">
          <button
            type="button"
            className="secondary"
            disabled={cursors.length === 1}
            onClick={() => setCursors(cursors.slice(0, -1))}
          >
            Previous page
          </button>
          <button
            type="button"
            className="secondary"
            disabled={!page?.nextCursor}
            onClick={() => page?.nextCursor && setCursors([...cursors, page.nextCursor])}
          >
            Next page
          </button>
        </nav>
      </section>
      <NewUser onCreated={() => void load()} />
    </>
  );
}
