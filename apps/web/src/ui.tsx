import { type InputHTMLAttributes, type ReactNode, useId } from 'react';

/** A labelled input with an optional hint and error, both tied to it for screen readers. */
export function Field({
  label,
  hint,
  error,
  ...input
}: { label: string; hint?: ReactNode; error?: string | null } & InputHTMLAttributes<HTMLInputElement>) {
  const id = useId();
  const described = [hint ? `${id}-hint` : '', error ? `${id}-error` : ''].filter(Boolean).join(' ');
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      {hint && (
        <p className="hint" id={`${id}-hint`}>
          {hint}
        </p>
      )}
      <input id={id} aria-invalid={error ? true : undefined} aria-describedby={described || undefined} {...input} />
      {error && (
        <p className="field-error" id={`${id}-error`}>
          {error}
        </p>
      )}
    </div>
  );
}

/** Where a form announces its refusals and outcomes: screen readers read it out as it changes. */
export function Status({ error, success }: { error?: string | null; success?: string | null }) {
  return (
    <>
      <div className="error" role="alert" aria-live="assertive">
        {error}
      </div>
      <div className="success" role="status" aria-live="polite">
        {success}
      </div>
    </>
  );
}

/** The fields of a one-time code: digits only, the phone's numeric keypad, the browser's one-time-code autofill. */
export const CODE_INPUT = {
  inputMode: 'numeric',
  autoComplete: 'one-time-code',
  pattern: '[0-9]{6}',
  maxLength: 6,
  required: true,
} as const;

/** A table that may scroll sideways on a narrow screen: focusable, so the keyboard can scroll it too. */
export function ScrollTable({ label, children }: { label: string; children: ReactNode }) {
  return (
    <div className="table-scroll" role="region" aria-label={label} tabIndex={0}>
      {children}
    </div>
  );
}
