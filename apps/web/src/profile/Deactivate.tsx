import { type FormEvent, useState } from 'react';
import { api } from '../api';
import { messageOf } from '../messages';
import { CODE_INPUT, Field, Status } from '../ui';

/** Deactivation: a current code and an explicit confirmation (the gateway refuses it without). */
export function Deactivate({ onDeactivated }: { onDeactivated: () => Promise<void> }) {
  const [code, setCode] = useState('');
  const [confirmed, setConfirmed] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await api.deactivate(code, confirmed);
      await onDeactivated();
    } catch (refusal) {
      setError(messageOf(refusal));
      setBusy(false);
    }
  };

  return (
    <form onSubmit={(event) => void submit(event)} aria-labelledby="deactivate-title">
      <h3 id="deactivate-title">Deactivate two-step sign-in</h3>
      <Field
        label="Current code"
        hint="The 6 digits your app shows now."
        {...CODE_INPUT}
        value={code}
        onChange={(event) => setCode(event.target.value.replace(/\D/g, ''))}
      />
      <div className="check">
        <input
          id="deactivate-confirm"
          type="checkbox"
          checked={confirmed}
          onChange={(event) => setConfirmed(event.target.checked)}
        />
        <label htmlFor="deactivate-confirm">I understand my account will be protected by my password only</label>
      </div>
      <Status error={error} />
      <button type="submit" className="danger" disabled={busy}>
        Deactivate
      </button>
    </form>
  );
}
