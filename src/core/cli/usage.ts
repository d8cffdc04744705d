/** The help text of each command: what `--help` prints and what a usage error is followed by. */

export const COMMANDS = ['stages', 'build', 'run', 'client', 'bench', 'trace'] as const;
export type CommandName = (typeof COMMANDS)[number];

const OVERVIEW = `Usage: server-models <command> [options]

Step through the classic models of a network server and measure them.

Commands:
  stages                      list the stages, in order, and whether this machine can build them
  build [stage...]            build stages with make (all when none is named)
  run <stage>                 build, start the stage, run its lesson scenario against it, stop it
  client --port P [-n 5]      the notes' client alone, against a server that is already running
  bench <stage|host:port>     the load generator: latency percentiles, throughput, errors
  trace export <recording> --chrome OUT.json [--keep-going]
                              a recording in the Chrome Trace Event format (Perfetto)
  trace requests <recording> [--json]
                              each request's latency, cut into where it waited

Run 'server-models <command> --help' for a command's options.`;

const USAGE: Readonly<Record<CommandName, string>> = {
  stages: `Usage: server-models stages [--json]

Lists every stage with its one-line model and whether this machine can build it (and, if not,
the command that installs what is missing).`,
  build: `Usage: server-models build [stage...] [--build-dir DIR] [--sanitize] [--cc CC]

Builds the named stages (ids like 06-epoll, or numbers like 6), or all of them, with make.
  --build-dir DIR   where binaries go (default: servers/build, or a cache folder if that is not writable)
  --sanitize        AddressSanitizer + UndefinedBehaviorSanitizer builds
  --cc CC           the C compiler, and only that one (default: $CC, then cc, gcc, clang)`,
  run: `Usage: server-models run <stage> [--notes-client [-n N]] [--port P] [--trace PATH] [-- stage flags]

Builds the stage if needed, starts it, runs the stage's lesson scenario against it (a few seconds
in which what the model is about happens: clients in the backlog, idle sockets, a slow request,
...), prints the server's lines and the client's log, and stops the server. Exits 1 if any reply
was wrong or missing.
  --notes-client        the notes' plain client instead of the lesson scenario
  -n, --connections N   with --notes-client: connections at once (default 5)
  --port P              the stage's port (default 0: any free port)
  --trace PATH          record the server's and the client's events to PATH (a recording)
  --build-dir DIR       as for build
  --cc CC               as for build
  -- flags              passed to the stage, e.g. -- --poll-interval-ms 10`,
  client: `Usage: server-models client --port P [--host H] [-n N] [--trace PATH]

The notes' client alone: N connections at once, each waits for '*', sends '^abc$de^abte$f',
waits 1 s, 'xyz^123', waits 1 s, '25$^ab0000$abab', waits 0.2 s, reads the rest of the reply, and
closes. Every reply byte is checked; exits 1 naming the connection and byte offset of the first
difference.
  --host H              default 127.0.0.1
  --port P              the server's port (required)
  -n, --connections N   connections at once (default 5)
  --trace PATH          write the client's events to PATH (a trace file)`,
  bench: `Usage: server-models bench <stage | host:port> [options] [-- stage flags]

Many connections sending frames; every reply byte is verified. Open loop by default (a fixed
rate, latency measured from each message's intended send time), or closed loop.
  --connections C       connections, or a list for a sweep: 1,10,100 (default 100)
  --duration S          seconds measured per point (default 5)
  --rate R              open loop: messages per second over all connections (default 10000)
  --closed              closed loop: each connection sends its next message when the reply is in
  --payload BYTES       frame size on the wire, '^' and '$' included (default 16)
  --work N              one message in N is a work request (a primality test, CPU-heavy)
  --work-number K       the number the work requests test (default 999999999989)
  --threads T           client threads (default 1; more only help with cores to spare)
  --json                one JSON object (a sweep: {"rows": [...]}) instead of a table
  --build-dir DIR, --cc CC   as for build (when a stage is named)
Exits 1 if a connection was refused, reset or closed early, or a reply was wrong.`,
  trace: `Usage: server-models trace export <recording> --chrome OUT.json [--keep-going]

Writes a recording (from run --trace, or the extension) in the Chrome Trace Event format, which
Perfetto (ui.perfetto.dev) and chrome://tracing open. The recording is read as a stream, so memory
does not grow with its size. A damaged recording (cut short, or bytes that are not a recording)
is refused with one line saying what is wrong and at which byte, and nothing is written (exit 1).
  --keep-going   export what can be read of a damaged recording; the problem is still reported,
                 and the exit code is 3 (0 means the whole recording was exported)

Usage: server-models trace requests <recording> [--json]

Follows every message the client sent through the server that handled it (one clock, one
connection) and prints a row per request: its latency and where it went, in microseconds
(backlog, greeting, receive_buffer, wait_thread, wait_loop, wait_pool, wait_carrier, work,
server, send; untraced where the recording has no server side), then where all the requests
spent their time. A damaged recording is refused in one line (exit 1).
  --json         {"requests": [{"connection", "index", "latency_us", "segments": {...}}], ...}`,
};

export function overview(): string {
  return OVERVIEW;
}

export function usageOf(command: string | undefined): string {
  return command && command in USAGE ? USAGE[command as CommandName] : OVERVIEW;
}
