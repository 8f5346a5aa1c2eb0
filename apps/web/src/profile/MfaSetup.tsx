import { type FormEvent, useEffect, useRef, useState } from 'react';
import { api, type Enrollment } from '../api';
import { messageOf } from '../messages';
import { CODE_INPUT, Field, Status } from '../ui';
import { RecoveryCodes } from './RecoveryCodes';

/** The issuer and account an authenticator app shows for this secret (from the otpauth:// URI's label). */
function labelOf(otpauthUri: string): { issuer: string; account: string } {
  const uri = new URL(otpauthUri);
  const label = decodeURIComponent(uri.pathname.replace(/^\/+/, ''));
  const separator = label.indexOf(':');
  const account = separator === -1 ? label : label.slice(separator + 1);
  const issuer = uri.searchParams.get('issuer') ?? (separator === -1 ? '' : label.slice(0, separator));
  return { issuer, account };
}

/** The secret in groups of four, as people read it aloud or type it. */
const grouped = (secret: string): string => secret.match(/.{1,4}/g)?.join(' ') ?? secret;

/**
 * Activation: a new secret as a QR code (and as text, and as an otpauth://
 * link for an app on this device), then the codes of two consecutive
 * 30-second steps, then the recovery codes, shown this once.
 */
export function MfaSetup({
  onActivated,
  onDone,
  doneLabel,
}: {
  /** Right after the activation, while the recovery codes are still shown. */
  onActivated?: () => void;
  onDone: () => void;
  doneLabel: string;
}) {
  const [enrollment, setEnrollment] = useState<Enrollment | null>(null);
  const [code1, setCode1] = useState('');
  const [code2, setCode2] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [copied, setCopied] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [recoveryCodes, setRecoveryCodes] = useState<string[] | null>(null);
  const started = useRef(false);

  useEffect(() => {
    if (started.current) return;
    started.current = true;
    api.startEnrollment().then(setEnrollment, (refusal: unknown) => setError(messageOf(refusal)));
  }, []);

  const save = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const activation = await api.activate(code1, code2);
      setRecoveryCodes(activation.recoveryCodes ?? []);
      onActivated?.();
    } catch (refusal) {
      setError(messageOf(refusal));
      setBusy(false);
    }
  };
  const copy = async (secret: string) => {
    try {
      await navigator.clipboard.writeText(secret);
      setCopied('Secret key copied.');
    } catch {
      setCopied('Copying is not allowed here: select the key and copy it.');
    }
  };

  if (recoveryCodes) {
    return (
      <div>
        <p className="success" role="status">
          Two-step sign-in is on.
        </p>
        {recoveryCodes.length > 0 && <RecoveryCodes codes={recoveryCodes} />}
        <button type="button" onClick={onDone}>
          {doneLabel}
        </button>
      </div>
    );
  }
  if (!enrollment) return <Status error={error} success={error ? null : 'Preparing your secret key…'} />;
  const { issuer, account } = labelOf(enrollment.otpauthUri);

  return (
    <div className="set-up">
      <ol className="steps">
        <li>
          <h2>Scan the QR code</h2>
          <p>Open your authenticator app (Google Authenticator, Microsoft Authenticator, 1Password…) and scan:</p>
          <img className="qr" src={enrollment.qrCode} alt="QR code of your secret key, for your authenticator app" />
          <p>
            <a href={enrollment.otpauthUri}>Open in an authenticator app on this device</a>
          </p>
          <p>Or type the secret key into the app:</p>
          <dl className="facts">
            <dt>Secret key</dt>
            <dd>
              <code className="secret" data-testid="secret">
                {grouped(enrollment.secret)}
              </code>{' '}
              <button type="button" className="secondary" onClick={() => void copy(enrollment.secret)}>
                Copy secret key
              </button>
            </dd>
            <dt>Issuer</dt>
            <dd>{issuer}</dd>
            <dt>Account</dt>
            <dd>{account}</dd>
          </dl>
          <p className="success" role="status" aria-live="polite">
            {copied}
          </p>
        </li>
        <li>
          <h2>Type two codes in a row</h2>
          <form onSubmit={(event) => void save(event)}>
            <Field
              label="Current code"
              hint="The 6 digits your app shows now."
              {...CODE_INPUT}
              value={code1}
              onChange={(event) => setCode1(event.target.value.replace(/\D/g, ''))}
            />
            <Field
              label="Next code"
              hint="Wait until the app shows a new code (every 30 seconds), then type that one."
              {...CODE_INPUT}
              value={code2}
              onChange={(event) => setCode2(event.target.value.replace(/\D/g, ''))}
            />
            <Status error={error} />
            <button type="submit" disabled={busy}>
              Save
            </button>
          </form>
        </li>
      </ol>
    </div>
  );
}
