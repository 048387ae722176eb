/**
 * Test helper: a real MongoDB-wire server (FerretDB v1.24.2, SQLite backend)
 * for the integration tests, since no MongoDB server can be installed here.
 *
 * The Go wrapper lives in test/ferretdb; it is compiled on demand into
 * <repo>/.cache/ferretdb/ferretdb-runner. The first build downloads Go modules
 * and compiles SQLite (modernc, pure Go), which takes one to two minutes, so
 * call buildFerretDB() from a global setup rather than inside a test timeout.
 *
 * Readiness: the runner prints `READY mongodb://…` right after binding its port;
 * we wait for that line (proves *our* child owns the port, not some leftover
 * server) and then for a successful `ping` through the real driver (proves the
 * backend answers commands).
 *
 * Environment knobs: FERRETDB_LOG_LEVEL (debug|info|warn|error, default error;
 * warn dumps every failed command, including the driver's routine endSessions)
 * for the server's stderr, which is forwarded with a `[ferretdb:PORT]` prefix.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, renameSync, rmSync, statSync } from 'node:fs';
import { createServer, Socket } from 'node:net';
import { delimiter, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { MongoClient } from 'mongodb';

export interface FerretServer {
  /** `mongodb://127.0.0.1:PORT/` */
  url: string;
  port: number;
  /** SQLite data directory (one `<db>.sqlite` file per MongoDB database). */
  dataDir: string;
  /** SIGTERM, wait for exit; SIGKILL after 5 s. No-op if already stopped. */
  stop(): Promise<void>;
  /** Stop if running, then start again on the same port and data dir. */
  restart(): Promise<void>;
}

export interface StartFerretDBOptions {
  /** Loopback port; a free one is picked when omitted. */
  port?: number;
  /** Created if missing. When omitted, a fresh dir under .cache/ferretdb is used and deleted at process exit. */
  dataDir?: string;
}

const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const GO_DIR = join(REPO_ROOT, 'test', 'ferretdb');
const CACHE_DIR = join(REPO_ROOT, '.cache', 'ferretdb');
const BINARY = join(CACHE_DIR, 'ferretdb-runner');
const GO_SOURCES = ['main.go', 'go.mod', 'go.sum'];
// The toolchain is installed there but not always on PATH of CI shells / IDEs.
const EXTRA_GO_PATHS = ['/usr/local/go/bin'];

const STARTUP_TIMEOUT_MS = 30_000;
const STOP_GRACE_MS = 5_000;
const STDERR_TAIL_CHARS = 16_000;

// ---------------------------------------------------------------- build

interface RunResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  output: string;
}

function run(cmd: string, args: string[], cwd: string, env: NodeJS.ProcessEnv): Promise<RunResult> {
  return new Promise((resolveRun, reject) => {
    const child = spawn(cmd, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    const collect = (chunk: string): void => {
      output += chunk;
    };
    child.stdout.setEncoding('utf8').on('data', collect);
    child.stderr.setEncoding('utf8').on('data', collect);
    child.once('error', reject);
    child.once('close', (code, signal) => resolveRun({ code, signal, output }));
  });
}

function mtimeMs(path: string): number | undefined {
  try {
    return statSync(path).mtimeMs;
  } catch {
    return undefined;
  }
}

function binaryIsStale(): boolean {
  const built = mtimeMs(BINARY);
  if (built === undefined) return true;
  return GO_SOURCES.some((f) => (mtimeMs(join(GO_DIR, f)) ?? 0) > built);
}

function errnoCode(err: unknown): string | undefined {
  if (err instanceof Error && 'code' in err && typeof err.code === 'string') return err.code;
  return undefined;
}

async function doBuild(): Promise<string> {
  if (!binaryIsStale()) return BINARY;
  mkdirSync(CACHE_DIR, { recursive: true });

  // Build to a private name and rename: parallel test workers may build at the
  // same time, and rename is atomic, so nobody ever executes a half-written file.
  const tmp = `${BINARY}.${process.pid}.${Date.now()}.tmp`;
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    PATH: [process.env.PATH ?? '', ...EXTRA_GO_PATHS].filter((p) => p !== '').join(delimiter),
  };
  const cmdline = `go build -o ${tmp} .  (in ${GO_DIR})`;

  let result: RunResult;
  try {
    result = await run('go', ['build', '-o', tmp, '.'], GO_DIR, env);
  } catch (err) {
    if (errnoCode(err) === 'ENOENT') {
      throw new Error(
        `FerretDB could not be built: the Go toolchain was not found ('go' is not on PATH nor in ${EXTRA_GO_PATHS.join(', ')}). ` +
          'Install Go >= 1.24; the first build also needs the Go module proxy.',
      );
    }
    throw new Error(`FerretDB could not be built: failed to run ${cmdline}: ${String(err)}`);
  }

  if (result.code !== 0) {
    rmSync(tmp, { force: true });
    const how = result.code !== null ? `exit code ${result.code}` : `signal ${result.signal ?? '?'}`;
    throw new Error(`FerretDB could not be built: ${cmdline} failed with ${how}:\n${result.output}`);
  }
  renameSync(tmp, BINARY);
  return BINARY;
}

let buildInFlight: Promise<string> | undefined;

/**
 * Builds test/ferretdb into .cache/ferretdb/ferretdb-runner if it is missing or
 * older than main.go/go.mod/go.sum, and returns the binary path.
 */
export async function buildFerretDB(): Promise<string> {
  buildInFlight ??= doBuild().finally(() => {
    buildInFlight = undefined;
  });
  return buildInFlight;
}

// ---------------------------------------------------------------- process hygiene

const liveChildren = new Set<ChildProcess>();
const ownedDataDirs = new Set<string>();
let exitHookInstalled = false;

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  // 'exit' handlers must be synchronous: kill hard, then drop our temp dirs.
  // Abrupt deaths (SIGKILL of the test runner) are covered by -watch-stdin.
  process.on('exit', () => {
    for (const child of liveChildren) child.kill('SIGKILL');
    for (const dir of ownedDataDirs) rmSync(dir, { recursive: true, force: true });
  });
}

/** Let the test process exit even if a test forgot stop(); the exit hook still kills the child. */
function unrefChild(child: ChildProcess): void {
  child.unref();
  for (const stream of [child.stdin, child.stdout, child.stderr]) {
    if (stream instanceof Socket) stream.unref();
  }
}

// ---------------------------------------------------------------- start / stop

function freeLoopbackPort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const srv = createServer();
    srv.unref();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      if (addr === null || typeof addr === 'string') {
        srv.close();
        reject(new Error('could not determine a free port'));
        return;
      }
      srv.close(() => resolvePort(addr.port));
    });
  });
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

async function pingOnce(url: string): Promise<boolean> {
  const client = new MongoClient(url, {
    directConnection: true,
    serverSelectionTimeoutMS: 1_000,
    connectTimeoutMS: 1_000,
  });
  try {
    await client.db('admin').command({ ping: 1 });
    return true;
  } catch {
    return false;
  } finally {
    await client.close().catch(() => undefined);
  }
}

interface Launched {
  child: ChildProcess;
  exited: Promise<void>;
}

class PortInUseError extends Error {}

async function launch(binary: string, port: number, dataDir: string, url: string): Promise<Launched> {
  const child = spawn(
    binary,
    [
      '-listen',
      `127.0.0.1:${port}`,
      '-data',
      dataDir,
      '-log-level',
      process.env.FERRETDB_LOG_LEVEL ?? 'error',
      '-watch-stdin',
    ],
    // stdin stays an open pipe that we never write: its EOF tells the runner we died.
    { stdio: ['pipe', 'pipe', 'pipe'] },
  );
  liveChildren.add(child);

  let stderrTail = '';
  let stdoutBuf = '';
  let ready = false;
  let exitInfo: string | undefined;
  let spawnError: Error | undefined;

  const exited = new Promise<void>((resolveExit) => {
    child.once('exit', (code, signal) => {
      exitInfo = code !== null ? `exit code ${code}` : `signal ${signal ?? '?'}`;
      liveChildren.delete(child);
      resolveExit();
    });
  });
  child.once('error', (err) => {
    spawnError = err;
    // 'exit' is not emitted when spawning itself failed.
    if (child.pid === undefined) {
      exitInfo = 'spawn failure';
      liveChildren.delete(child);
    }
  });

  child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
    stderrTail = (stderrTail + chunk).slice(-STDERR_TAIL_CHARS);
    const prefixed = chunk.replace(/^(?=.)/gm, `[ferretdb:${port}] `);
    process.stderr.write(prefixed);
  });
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    if (ready) return;
    stdoutBuf += chunk;
    if (/^READY /m.test(stdoutBuf)) ready = true;
  });
  unrefChild(child);
  installExitHook();

  const failure = (why: string): Error => {
    const detail = spawnError ? `${spawnError.message}\n` : '';
    const msg = `FerretDB (${binary}) ${why} on ${url} (data ${dataDir}):\n${detail}${stderrTail}`;
    return /address already in use/i.test(stderrTail) ? new PortInUseError(msg) : new Error(msg);
  };

  // A ref'd timer keeps the event loop alive while we wait (everything else is unref'd).
  const deadline = Date.now() + STARTUP_TIMEOUT_MS;
  const keepAlive = setTimeout(() => undefined, STARTUP_TIMEOUT_MS);
  try {
    while (Date.now() < deadline) {
      if (exitInfo !== undefined) throw failure(`exited during startup (${exitInfo})`);
      if (ready && (await pingOnce(url))) return { child, exited };
      await sleep(ready ? 100 : 20);
    }
    child.kill('SIGKILL');
    throw failure(`did not answer ping within ${STARTUP_TIMEOUT_MS / 1000} s`);
  } finally {
    clearTimeout(keepAlive);
  }
}

class FerretProcess implements FerretServer {
  readonly url: string;
  private current: Launched | undefined;

  constructor(
    private readonly binary: string,
    readonly port: number,
    readonly dataDir: string,
  ) {
    this.url = `mongodb://127.0.0.1:${port}/`;
  }

  async start(): Promise<void> {
    mkdirSync(this.dataDir, { recursive: true });
    this.current = await launch(this.binary, this.port, this.dataDir, this.url);
  }

  async stop(): Promise<void> {
    const cur = this.current;
    this.current = undefined;
    if (cur === undefined) return;
    const { child, exited } = cur;
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      // FerretDB gives open client connections up to 3 s to finish before it exits.
      const killer = setTimeout(() => child.kill('SIGKILL'), STOP_GRACE_MS);
      try {
        await exited;
      } finally {
        clearTimeout(killer);
      }
    }
  }

  async restart(): Promise<void> {
    await this.stop();
    await this.start();
  }
}

/**
 * Builds (if needed) and starts FerretDB on 127.0.0.1, resolving once the
 * driver can ping it. Call stop() when done; leftovers are killed at exit.
 */
export async function startFerretDB(opts: StartFerretDBOptions = {}): Promise<FerretServer> {
  const binary = await buildFerretDB();

  let dataDir = opts.dataDir;
  if (dataDir === undefined) {
    mkdirSync(CACHE_DIR, { recursive: true });
    dataDir = mkdtempSync(join(CACHE_DIR, 'data-'));
    ownedDataDirs.add(dataDir);
    installExitHook();
  } else {
    dataDir = resolve(dataDir);
  }

  // A picked port can be grabbed by someone else before the child binds it; retry then.
  const attempts = opts.port === undefined ? 5 : 1;
  for (let i = 1; ; i++) {
    const port = opts.port ?? (await freeLoopbackPort());
    const server = new FerretProcess(binary, port, dataDir);
    try {
      await server.start();
      return server;
    } catch (err) {
      if (!(err instanceof PortInUseError) || i >= attempts) throw err;
    }
  }
}
