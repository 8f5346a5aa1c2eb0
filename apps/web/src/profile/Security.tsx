import { useState } from 'react';
import type { Me } from '../api';
import { Deactivate } from './Deactivate';
import { MfaSetup } from './MfaSetup';
import { PasswordChange } from './PasswordChange';
import { Sessions } from './Sessions';

const STATUS_TEXT = {
  active: 'On',
  pending: 'Set-up started, not finished',
  inactive: 'Off',
} as const;

/** My Profile → Security: two-step sign-in (activate, deactivate), the signed-in devices, the password. */
export function Security({ me, onChange }: { me: Me; onChange: () => Promise<void> }) {
  const [settingUp, setSettingUp] = useState(false);
  const { status, activatedAt, recoveryCodesRemaining } = me.mfa;

  return (
    <>
      <h1>My Profile</h1>
      <p>
        Signed in as <strong>{me.email}</strong>
        {me.roles.length > 0 && <> ({me.roles.join(', ')})</>}
      </p>
      <section aria-labelledby="security-title" className="card">
        <h2 id="security-title">Security: two-step sign-in</h2>
        <dl className="facts">
          <dt>Status</dt>
          <dd data-testid="mfa-status">{STATUS_TEXT[status]}</dd>
          {activatedAt && (
            <>
              <dt>Active since</dt>
              <dd>{new Date(activatedAt).toLocaleString()}</dd>
            </>
          )}
          {typeof recoveryCodesRemaining === 'number' && (
            <>
              <dt>Recovery codes left</dt>
              <dd>{recoveryCodesRemaining}</dd>
            </>
          )}
        </dl>
        {settingUp ? (
          <MfaSetup doneLabel="Done" onActivated={() => void onChange()} onDone={() => setSettingUp(false)} />
        ) : status === 'active' ? (
          <Deactivate onDeactivated={onChange} />
        ) : (
          <>
            <p>Protect your account with a code from an authenticator app at every sign-in.</p>
            <button type="button" onClick={() => setSettingUp(true)}>
              Activate two-step sign-in
            </button>
          </>
        )}
      </section>
      <Sessions />
      <section aria-labelledby="password-title" className="card">
        <h2 id="password-title">Change password</h2>
        <PasswordChange codeRequired={status === 'active'} />
      </section>
    </>
  );
}
