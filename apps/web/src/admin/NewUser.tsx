import { type FormEvent, useState } from 'react';
import { api } from '../api';
import { messageOf } from '../messages';
import { Link } from '../router';
import { Field, Status } from '../ui';

/** Roles as typed: comma- or space-separated, lower case, no duplicates. */
export const rolesOf = (text: string): string[] => [
  ...new Set(
    text
      .split(/[\s,]+/)
      .map((role) => role.trim().toLowerCase())
      .filter(Boolean),
  ),
];

/** A new user with a password the admin chooses and the user must replace at the first sign-in. */
export function NewUser({ onCreated }: { onCreated: () => void }) {
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [roles, setRoles] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [created, setCreated] = useState<{ id: string; email: string } | null>(null);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setError(null);
    setCreated(null);
    try {
      const user = await api.createUser({ email: email.trim(), password, roles: rolesOf(roles) });
      setCreated(user);
      setEmail('');
      setPassword('');
      setRoles('');
      onCreated();
    } catch (refusal) {
      setError(messageOf(refusal));
    }
  };

  return (
    <section aria-labelledby="new-user-title" className="card">
      <h2 id="new-user-title">Add a user</h2>
      <form onSubmit={(event) => void submit(event)}>
        <Field label="Email" type="email" required value={email} onChange={(event) => setEmail(event.target.value)} />
        <Field
          label="Temporary password"
          hint="At least 12 characters. The user must choose their own at the first sign-in."
          type="password"
          autoComplete="new-password"
          required
          minLength={12}
          value={password}
          onChange={(event) => setPassword(event.target.value)}
        />
        <Field
          label="Roles"
          hint="Separated by commas, e.g. accounting, billing. Leave empty for none."
          value={roles}
          onChange={(event) => setRoles(event.target.value)}
        />
        <Status error={error} />
        <div role="status" aria-live="polite" className="success">
          {created && (
            <>
              Added{' '}
              <Link href={`/admin/users/${encodeURIComponent(created.id)}`} data-testid="created-user">
                {created.email}
              </Link>
              .
            </>
          )}
        </div>
        <button type="submit">Add user</button>
      </form>
    </section>
  );
}
