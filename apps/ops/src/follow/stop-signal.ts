/**
 * When `follow` ends: on SIGINT or SIGTERM (Ctrl-C, a supervisor), after
 * `--for` seconds, or when the command aborts it itself (`--limit` reached).
 * The signal handlers are this run's, removed by `dispose`, so a second
 * Ctrl-C after the end is the shell's again.
 */
export interface StopSignal {
  readonly signal: AbortSignal;
  abort(): void;
  dispose(): void;
}

export function stopSignal(options: { readonly forSeconds?: number }): StopSignal {
  const controller = new AbortController();
  const abort = () => controller.abort();
  process.once('SIGINT', abort);
  process.once('SIGTERM', abort);
  const timer = options.forSeconds === undefined ? undefined : setTimeout(abort, options.forSeconds * 1000);
  return {
    signal: controller.signal,
    abort,
    dispose: () => {
      clearTimeout(timer);
      process.removeListener('SIGINT', abort);
      process.removeListener('SIGTERM', abort);
    },
  };
}
