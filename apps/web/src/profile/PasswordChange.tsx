import { type FormEvent, useState } from 'react';
import { api } from '../api';
import { messageOf } from '../messages';
import { CODE_INPUT, Field, Status } from '../ui';

/**
 * A new password, proving the current one (and a current code when MFA is
 * on). With `token`, the sign-in's password-change token instead of a session.
 */
export function PasswordChange({
  token,
  codeRequired,
  onChanged,
}: {
  token?: string;
  codeRequired: boolean;
  onChanged?: () => void;
}) {
  const [currentPassword, setCurrentPassword] = useState('');
  const [newPassword, setNewPassword] = useState('');
  const [code, setCode] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [done, setDone] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    setDone(null);
    try {
      await api.changePassword({ currentPassword, newPassword, ...(codeRequired ? { code } : {}) }, token);
      setCurrentPassword('');
      setNewPassword('');
      setCode('');
      setDone('Password changed. Your other devices are signed out.');
      onChanged?.();
    } catch (refusal) {
      setError(messageOf(refusal));
    }
    setBusy(false);
  };

  return (
    <form onSubmit={(event) => void submit(event)}>
      <Field
        label="Current password"
        type="password"
        autoComplete="current-password"
        required
        value={currentPassword}
        onChange={(event) => setCurrentPassword(event.target.value)}
      />
      <Field
        label="New password"
        hint="At least 12 characters; common passwords are refused."
        type="password"
        autoComplete="new-password"
        required
        minLength={12}
        value={newPassword}
        onChange={(event) => setNewPassword(event.target.value)}
      />
      {codeRequired && (
        <Field
          label="Code from your authenticator app"
          {...CODE_INPUT}
          value={code}
          onChange={(event) => setCode(event.target.value.replace(/\D/g, ''))}
        />
      )}
      <Status error={error} success={done} />
      <button type="submit" disabled={busy}>
        Change password
      </button>
    </form>
  );
}
