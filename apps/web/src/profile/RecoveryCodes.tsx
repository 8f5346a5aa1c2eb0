/**
 * Recovery codes, shown once: each signs in once in place of a code when the
 * phone is gone. Download as a text file, or print (the print style shows only
 * this list).
 */
export function RecoveryCodes({ codes }: { codes: string[] }) {
  const file = `data:text/plain;charset=utf-8,${encodeURIComponent(
    `totp-mfa recovery codes (each works once)\n\n${codes.join('\n')}\n`,
  )}`;
  return (
    <section className="recovery-codes printable" aria-labelledby="recovery-title">
      <h2 id="recovery-title">Your recovery codes</h2>
      <p>
        Keep these somewhere safe. If you lose your phone, each code signs you in once instead of a code from the app.
        <strong> They are shown only now.</strong>
      </p>
      <ul className="codes" aria-label="Recovery codes">
        {codes.map((code) => (
          <li key={code}>
            <code>{code}</code>
          </li>
        ))}
      </ul>
      <p className="actions no-print">
        <a className="button secondary" href={file} download="totp-mfa-recovery-codes.txt">
          Download
        </a>
        <button type="button" className="secondary" onClick={() => window.print()}>
          Print
        </button>
      </p>
    </section>
  );
}
