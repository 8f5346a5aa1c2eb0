/**
 * Preloaded into each process of a profiled run (`NODE_OPTIONS=--import=…/profile-hook.js`,
 * with PROFILE_DIR set): SIGWINCH (ignored by default, and not one of the signals Nest shuts down on) starts V8's sampling profiler, the next SIGWINCH
 * stops it and writes `<PROFILE_DIR>/<pid>.cpuprofile`. So a profile covers the
 * timed part of a benchmark only, not the start-up or the set-up before it
 * (`node --cpu-prof` covers the whole life, and Nest's shutdown hooks end a
 * process by its signal, before `--cpu-prof` writes anything).
 */
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';
import { join } from 'node:path';

const directory = process.env['PROFILE_DIR'];
if (directory) {
  const session = new Session();
  session.connect();
  let profiling = false;
  process.on('SIGWINCH', () => {
    if (!profiling) {
      profiling = true;
      session.post('Profiler.enable', () =>
        session.post('Profiler.setSamplingInterval', { interval: 250 }, () => session.post('Profiler.start')),
      );
      return;
    }
    profiling = false;
    session.post('Profiler.stop', (error, result) => {
      if (!error) writeFileSync(join(directory, `${process.pid}.cpuprofile`), JSON.stringify(result.profile));
    });
  });
}
