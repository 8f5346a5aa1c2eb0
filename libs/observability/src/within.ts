/**
 * `work`'s answer, or `late()`'s error once `timeoutMs` passed first: for a
 * probe or a scrape that must answer even when what it asks does not. The
 * timer is cleared either way; `work` itself is not cancelled.
 */
export async function within<T>(work: Promise<T>, timeoutMs: number, late: () => Error): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(late()), timeoutMs);
  });
  try {
    return await Promise.race([work, timedOut]);
  } finally {
    clearTimeout(timer);
  }
}
