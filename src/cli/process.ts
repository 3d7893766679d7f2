// The process that runs a command, started by main.ts, which stops it within a second of a signal whatever it is
// doing. Signals are handled before anything else loads: a Ctrl-C while the modules load stops the command too.
const stop = new AbortController();
let first = 0;
for (const signal of ['SIGINT', 'SIGTERM'] as const)
  process.on(signal, () => {
    if (!stop.signal.aborted) {
      first = Date.now();
      stop.abort();
      return;
    }
    // The same Ctrl-C can arrive twice (from the terminal and forwarded by main.ts); a later one means: stop now.
    // Every ledger write is one atomic LevelDB batch, so exiting here leaves the ledger consistent.
    if (Date.now() - first > 200) process.exit(130);
  });

process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  // A closed pipe (agora ledger export | head) is a normal way to stop reading.
  if (error.code === 'EPIPE') process.exit(0);
  throw error;
});

const { run } = await import('./run.js');
process.exitCode = await run(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
  stdin: process.stdin,
  env: process.env,
  signal: stop.signal,
});
// A stake's payment stays in flight in LND after `stake lock` returns, and an interrupted command's work may still
// be pending: do not wait for either, only for what was written to reach stdout and stderr.
await Promise.all(
  [process.stdout, process.stderr].map((stream) => new Promise((done) => stream.write('', done))),
);
process.exit();
