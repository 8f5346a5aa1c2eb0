// A child process holding its own SqliteEventStore on a shared file, driven by
// its parent over IPC (see sqlite-event-store.spec.ts):
//   {do: 'append', stream, events, expected} → {done: 'append', ok, nextRevision | error}
//   {do: 'exit'}
// It sends {ready: true} once the store is open.
import { register } from 'node:module';

register('./typescript-hooks.mjs', import.meta.url);
const { SqliteEventStore } = await import('../sqlite-event-store.js');

const [filename] = process.argv.slice(2);
const store = new SqliteEventStore(filename);

process.on('message', async (message) => {
  if (message.do === 'append') {
    try {
      const { nextRevision } = await store.append(message.stream, message.events, message.expected);
      process.send({ done: 'append', ok: true, nextRevision });
    } catch (error) {
      process.send({ done: 'append', ok: false, error: error.name, message: error.message });
    }
  } else if (message.do === 'exit') {
    await store.close();
    process.disconnect();
  }
});
process.send({ ready: true });
