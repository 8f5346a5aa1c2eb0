import { type FormEvent, useEffect, useState } from 'react';
import { api, type Policy } from '../api';
import { messageOf } from '../messages';
import { Field, Status } from '../ui';
import { allows, cidrProblem } from './cidr';
import { rolesOf } from './NewUser';

/** Admin → Password Policies: who may sign in from where, and who must use two-step sign-in. */
export function PasswordPolicies() {
  const [policy, setPolicy] = useState<Policy | null>(null);
  const [myAddress, setMyAddress] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    api.policy().then(setPolicy, (refusal: unknown) => setError(messageOf(refusal)));
    api.myAddress().then(
      ({ ip }) => setMyAddress(ip),
      () => setMyAddress(null),
    );
  }, []);

  return (
    <>
      <h1>Password Policies</h1>
      <Status error={error} />
      {policy && (
        <>
          <IpAllowlist saved={policy.ipAllowlist} myAddress={myAddress} onSaved={setPolicy} />
          <MfaRequirement saved={policy.mfa} onSaved={setPolicy} />
        </>
      )}
    </>
  );
}

function IpAllowlist({
  saved,
  myAddress,
  onSaved,
}: {
  saved: string[];
  myAddress: string | null;
  onSaved: (policy: Policy) => void;
}) {
  const [entries, setEntries] = useState<string[]>(saved);
  const [confirmed, setConfirmed] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [success, setSuccess] = useState<string | null>(null);
  const problems = entries.map(cidrProblem);
  const excludesMe = entries.length > 0 && myAddress !== null && !allows(entries, myAddress);

  const change = (index: number, value: string) => {
    setEntries(entries.map((entry, at) => (at === index ? value : entry)));
    setConfirmed(false);
  };
  const remove = (index: number) => {
    setEntries(entries.filter((_, at) => at !== index));
    setConfirmed(false);
  };
  const save = async (event: FormEvent) => {
    event.preventDefault();
    setSuccess(null);
    if (problems.some(Boolean)) return setError('Correct the entries marked above first.');
    if (excludesMe && !confirmed) return setError('Confirm that you mean to shut out your own address.');
    setError(null);
    try {
      const policy = await api.setIpAllowlist(entries.map((entry) => entry.trim()));
      setEntries(policy.ipAllowlist);
      setConfirmed(false);
      setSuccess(
        policy.ipAllowlist.length ? 'Saved: sign-in only from these addresses.' : 'Saved: sign-in from any address.',
      );
      onSaved(policy);
    } catch (refusal) {
      setError(messageOf(refusal));
    }
  };

  return (
    <section aria-labelledby="allowlist-title" className="card">
      <h2 id="allowlist-title">IP allow-list</h2>
      <p>
        Sign-in is allowed only from these IPv4 and IPv6 addresses and ranges (CIDR, like 203.0.113.0/24). An empty list
        allows every address.
      </p>
      <p data-testid="my-address">
        Your address as the server sees it: <strong>{myAddress ?? 'unknown'}</strong>
        {myAddress && entries.length > 0 && (allows(entries, myAddress) ? ' — in the list.' : ' — not in the list.')}
      </p>
      <form onSubmit={(event) => void save(event)} noValidate>
        <ul className="entries">
          {entries.map((entry, index) => (
            <li key={index}>
              <Field
                label={`Address or range ${index + 1}`}
                value={entry}
                spellCheck={false}
                autoComplete="off"
                error={problems[index]}
                onChange={(event) => change(index, event.target.value)}
              />
              <button type="button" className="secondary" onClick={() => remove(index)}>
                Remove<span className="visually-hidden"> address or range {index + 1}</span>
              </button>
            </li>
          ))}
        </ul>
        <p>
          <button type="button" className="secondary" onClick={() => setEntries([...entries, ''])}>
            Add an address or range
          </button>
        </p>
        {excludesMe && (
          <div className="warning" role="alert">
            <p>
              <strong>Warning:</strong> this list does not include your own address ({myAddress}). Once saved, you
              cannot sign in from here.
            </p>
            <div className="check">
              <input
                id="exclude-me"
                type="checkbox"
                checked={confirmed}
                onChange={(event) => setConfirmed(event.target.checked)}
              />
              <label htmlFor="exclude-me">I understand: save a list that shuts out my own address</label>
            </div>
          </div>
        )}
        <Status error={error} success={success} />
        <button type="submit">Save allow-list</button>
      </form>
    </section>
  );
}

type Scope = 'nobody' | 'everyone' | 'roles';

function MfaRequirement({ saved, onSaved }: { saved: Policy['mfa']; onSaved: (policy: Policy) => void }) {
  const [scope, setScope] = useState<Scope>(
    saved.requiredForAll ? 'everyone' : saved.requiredForRoles.length ? 'roles' : 'nobody',
  );
  const [roles, setRoles] = useState(saved.requiredForRoles.join(', '));
  const [error, setError] = useState<string | null>(null);
  const [success, setSuccess] = useState<string | null>(null);

  const save = async (event: FormEvent) => {
    event.preventDefault();
    setError(null);
    setSuccess(null);
    const chosen = scope === 'roles' ? rolesOf(roles) : [];
    if (scope === 'roles' && chosen.length === 0) return setError('Name at least one role, or choose another option.');
    try {
      const policy = await api.setMfaRequirement(scope === 'everyone', chosen);
      setSuccess('Saved. People it now applies to set up two-step sign-in at their next sign-in.');
      onSaved(policy);
    } catch (refusal) {
      setError(messageOf(refusal));
    }
  };
  const option = (value: Scope, label: string) => (
    <div className="check">
      <input
        id={`mfa-${value}`}
        type="radio"
        name="mfa-scope"
        value={value}
        checked={scope === value}
        onChange={() => setScope(value)}
      />
      <label htmlFor={`mfa-${value}`}>{label}</label>
    </div>
  );

  return (
    <section aria-labelledby="mfa-title" className="card">
      <h2 id="mfa-title">Mandatory two-step sign-in</h2>
      <p>Administrators always need it. Who else must use a code from an authenticator app?</p>
      <form onSubmit={(event) => void save(event)}>
        <fieldset>
          <legend>Required for</legend>
          {option('nobody', 'Nobody else (each person chooses)')}
          {option('everyone', 'Everyone')}
          {option('roles', 'People with these roles')}
        </fieldset>
        {scope === 'roles' && (
          <Field
            label="Roles"
            hint="Separated by commas, e.g. accounting, billing."
            value={roles}
            onChange={(event) => setRoles(event.target.value)}
          />
        )}
        <Status error={error} success={success} />
        <button type="submit">Save requirement</button>
      </form>
    </section>
  );
}
