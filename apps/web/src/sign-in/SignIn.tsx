import { type FormEvent, useState } from 'react';
import { ApiError, forgetToken, type LoginAnswer, signIn, signInWithCode } from '../api';
import { messageOf } from '../messages';
import { MfaSetup } from '../profile/MfaSetup';
import { PasswordChange } from '../profile/PasswordChange';
import { CODE_INPUT, Field, Status } from '../ui';

type Step =
  | { kind: 'password'; notice?: string }
  | { kind: 'code'; mfaToken: string; recovery: boolean }
  | { kind: 'set-up' }
  | { kind: 'password-change'; token: string };

/**
 * Email and password, then what the gateway asks for next: a code (or a
 * recovery code), the MFA set-up a policy requires, or a new password.
 */
export function SignIn({ onSignedIn }: { onSignedIn: () => Promise<void> }) {
  const [step, setStep] = useState<Step>({ kind: 'password' });
  const [email, setEmail] = useState('');

  const next = async (answer: LoginAnswer) => {
    switch (answer.status) {
      case 'authenticated':
        return onSignedIn();
      case 'mfa_required':
        return setStep({ kind: 'code', mfaToken: answer.mfaToken, recovery: false });
      case 'mfa_enrollment_required':
        return setStep({ kind: 'set-up' });
      case 'password_change_required':
        return setStep({ kind: 'password-change', token: answer.passwordChangeToken });
    }
  };
  const startAgain = (notice: string) => {
    forgetToken();
    setStep({ kind: 'password', notice });
  };

  switch (step.kind) {
    case 'password':
      return <PasswordStep email={email} setEmail={setEmail} notice={step.notice} onAnswer={next} />;
    case 'code':
      return (
        <CodeStep
          step={step}
          onRecovery={(recovery) => setStep({ ...step, recovery })}
          onAnswer={next}
          onExpired={() => startAgain('Sign in again.')}
        />
      );
    case 'set-up':
      return (
        <section aria-labelledby="set-up-title">
          <h1 id="set-up-title">Set up two-step sign-in</h1>
          <p>
            Your organisation requires a code from an authenticator app at every sign-in. Set it up now; then sign in
            again with your password and a code.
          </p>
          <MfaSetup
            onDone={() => startAgain('Two-step sign-in is on. Sign in again with your password and a code.')}
            doneLabel="Continue to sign in"
          />
        </section>
      );
    case 'password-change':
      return (
        <section aria-labelledby="change-title">
          <h1 id="change-title">Choose your own password</h1>
          <p>Your password was set by an administrator. Replace it before you go on.</p>
          <PasswordChange
            token={step.token}
            codeRequired={false}
            onChanged={() => startAgain('Password changed. Sign in with your new password.')}
          />
        </section>
      );
  }
}

function PasswordStep({
  email,
  setEmail,
  notice,
  onAnswer,
}: {
  email: string;
  setEmail: (email: string) => void;
  notice?: string;
  onAnswer: (answer: LoginAnswer) => Promise<void>;
}) {
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await onAnswer(await signIn(email, password));
    } catch (refusal) {
      setError(messageOf(refusal));
      setBusy(false);
    }
  };

  return (
    <section aria-labelledby="sign-in-title" className="narrow">
      <h1 id="sign-in-title">Sign in</h1>
      <Status success={notice} error={error} />
      <form onSubmit={(event) => void submit(event)}>
        <Field
          label="Email"
          type="email"
          autoComplete="username"
          required
          value={email}
          onChange={(event) => setEmail(event.target.value)}
        />
        <Field
          label="Password"
          type="password"
          autoComplete="current-password"
          required
          value={password}
          onChange={(event) => setPassword(event.target.value)}
        />
        <button type="submit" disabled={busy}>
          Sign in
        </button>
      </form>
    </section>
  );
}

function CodeStep({
  step,
  onRecovery,
  onAnswer,
  onExpired,
}: {
  step: { mfaToken: string; recovery: boolean };
  onRecovery: (recovery: boolean) => void;
  onAnswer: (answer: LoginAnswer) => Promise<void>;
  onExpired: () => void;
}) {
  const [value, setValue] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const second = step.recovery ? { recoveryCode: value.trim() } : { code: value.trim() };
      await onAnswer(await signInWithCode(step.mfaToken, second));
    } catch (refusal) {
      if (refusal instanceof ApiError && refusal.code === 'invalid_mfa_token') return onExpired();
      setError(messageOf(refusal));
      setValue('');
      setBusy(false);
    }
  };
  const switchTo = (recovery: boolean) => {
    setValue('');
    setError(null);
    onRecovery(recovery);
  };

  return (
    <section aria-labelledby="code-title" className="narrow">
      <h1 id="code-title">{step.recovery ? 'Use a recovery code' : 'Enter your code'}</h1>
      <Status error={error} />
      <form onSubmit={(event) => void submit(event)}>
        {step.recovery ? (
          <Field
            key="recovery"
            label="Recovery code"
            hint="One of the codes you saved when you set up two-step sign-in, like xxxx-xxxx-xxxx-xxxx. Each works once."
            autoComplete="off"
            spellCheck={false}
            required
            value={value}
            onChange={(event) => setValue(event.target.value)}
          />
        ) : (
          <Field
            key="code"
            label="Code from your authenticator app"
            hint="The 6 digits your app shows now for this account."
            {...CODE_INPUT}
            value={value}
            onChange={(event) => setValue(event.target.value.replace(/\D/g, ''))}
          />
        )}
        <button type="submit" disabled={busy}>
          Confirm
        </button>
      </form>
      <p>
        <button type="button" className="link" onClick={() => switchTo(!step.recovery)}>
          {step.recovery ? 'Use a code from your app instead' : 'Use a recovery code instead'}
        </button>
      </p>
    </section>
  );
}
