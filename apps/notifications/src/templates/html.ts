const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Markup that is already safe (built by `html`); anything else interpolated into `html` is escaped. */
export class SafeHtml {
  constructor(readonly value: string) {}
  toString(): string {
    return this.value;
  }
}

const escaped = (value: unknown): string =>
  value instanceof SafeHtml
    ? value.value
    : Array.isArray(value)
      ? value.map(escaped).join('')
      : String(value ?? '').replace(/[&<>"']/g, (char) => ESCAPES[char]!);

/**
 * The one way the templates write HTML: every interpolated value is escaped
 * (an admin's reason, a browser's user agent and an address are someone's
 * input), except fragments built by `html` itself.
 */
export function html(strings: TemplateStringsArray, ...values: unknown[]): SafeHtml {
  return new SafeHtml(strings.reduce((out, string, index) => out + escaped(values[index - 1]) + string));
}
