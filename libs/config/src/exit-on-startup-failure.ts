/**
 * Start-up failures (bad configuration, unreachable Kafka, unwritable DATA_DIR)
 * end the process with one line naming the problem, not a stack trace.
 */
export async function runOrExit(name: string, start: () => Promise<unknown>): Promise<void> {
  try {
    await start();
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    process.stderr.write(`${name}: cannot start: ${reason}\n`);
    process.exit(1);
  }
}
