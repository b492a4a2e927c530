#!/usr/bin/env node
// A real postcopy migration between two local QEMUs, with trace logs on both
// sides: what the tests and docs/qemu-logs.md call "a real run".
//
// The guest is a Debian kernel (`apt-get download`, cached) and an initramfs
// built here around scripts/guest/init.c (compiled with `gcc -static`), which
// keeps one thread per vCPU writing every page of a buffer in random order.
// The source boots it; once every page has been written the script migrates
// over 127.0.0.1 to a destination started with `-incoming defer`, switches to
// postcopy after --precopy-time, waits for completion and saves the
// destination's `query-migrate` reply (postcopy-blocktime and
// postcopy-vcpu-blocktime) beside the two logs. QMP runs over unix sockets.
//
// docs/qemu-logs.md (A real migration on one machine) says what it records.
// Usage: npm run build && node scripts/qemu-postcopy.mjs --out DIR [options]
// (--help lists them). Progress on stderr; the last line names the outputs.
// Exit 0 done, 2 bad option or failed migration, 3 a prerequisite is missing
// (qemu-system-x86_64, gcc -static, a kernel), 130 interrupted. Every QEMU
// this script started is killed whenever it exits.
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createConnection, createServer } from 'node:net';
import { homedir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { gzipSync } from 'node:zlib';

const HERE = dirname(fileURLToPath(import.meta.url));
const INIT_SOURCE = join(HERE, 'guest', 'init.c');
const QEMU = process.env.QEMU ?? 'qemu-system-x86_64';

const EXIT_FAILED = 2;
const EXIT_UNAVAILABLE = 3;
const EXIT_INTERRUPTED = 130;

/** A failure the user can act on: printed as one line. */
class Failure extends Error {
  constructor(message, exitCode = EXIT_FAILED) {
    super(message);
    this.exitCode = exitCode;
  }
}

const HELP = `Usage: node scripts/qemu-postcopy.mjs --out DIR [options]

Runs a real postcopy migration between two local QEMUs (TCG) and keeps both
trace logs and the destination's query-migrate reply in DIR.

Options:
  --out DIR              output directory (must not exist, or be empty)
  --vcpus N              guest vCPUs, one writer thread each (default 2)
  --memory SIZE          guest memory (default 256M)
  --buffer SIZE          memory the guest keeps writing (default half of --memory)
  --bandwidth RATE       max-bandwidth and max-postcopy-bandwidth, M = MiB (default 20MB/s)
  --preempt              enable postcopy-preempt (a second channel for requested pages)
  --precopy-time DUR     precopy before migrate-start-postcopy (default 3s)
  --timeout DUR          give up after this long in all (default 5m)
  --cache DIR            kernel and guest build cache (default ~/.cache/blocktime)
  --kernel FILE          a bzImage to boot instead of Debian's
  --kernel-package NAME  Debian package the kernel comes from (default linux-image-cloud-amd64)
  --accel NAME           QEMU accelerator (default tcg)
  -h, --help             this text

Outputs in DIR: dst.log and src.log (trace logs), query-migrate.json (the
destination's reply), src-query-migrate.json, dst-events.txt and
src-events.txt (the trace events enabled), dst-console.txt and
src-console.txt (the guest's serial console), dst-stderr.txt and
src-stderr.txt (QEMU's own messages), run.json (options, versions, timings).
`;

// The events of docs/qemu-logs.md and the two-sided request path, per side.
// Names a QEMU lacks only print a warning; globs that match nothing are silent.
const DST_EVENTS = [
  'postcopy_ram_fault_thread_request',
  'get_mem_fault_cpu_index',
  'mark_postcopy_blocktime_begin',
  'mark_postcopy_blocktime_end',
  'postcopy_blocktime_*',
  'postcopy_place_page',
  'postcopy_place_page_zero',
  'migrate_send_rp_message',
  'ram_load_postcopy_loop',
  'migrate_set_state',
  'loadvm_postcopy_handle_*',
  'postcopy_ram_listen_thread_*',
  'postcopy_preempt_*',
];
const SRC_EVENTS = [
  'migrate_handle_rp_req_pages',
  'ram_save_queue_pages',
  'get_queued_page',
  'get_queued_page_not_dirty',
  'ram_save_page',
  'postcopy_preempt_*',
  'migrate_transferred',
  'migrate_set_state',
  'postcopy_start',
  'postcopy_start_set_run',
  'savevm_send_postcopy_*',
  'migration_completion_postcopy_end*',
];

const children = new Set();

function killChildren() {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
}

function progress(text) {
  process.stderr.write(`qemu-postcopy: ${text}\n`);
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function loadUnits() {
  try {
    return await import('../dist/units.js');
  } catch {
    throw new Failure('dist/units.js is missing: run npm run build first');
  }
}

async function parseOptions() {
  let parsed;
  try {
    parsed = parseArgs({
      options: {
        out: { type: 'string' },
        vcpus: { type: 'string', default: '2' },
        memory: { type: 'string', default: '256M' },
        buffer: { type: 'string' },
        bandwidth: { type: 'string', default: '20MB/s' },
        preempt: { type: 'boolean', default: false },
        'precopy-time': { type: 'string', default: '3s' },
        timeout: { type: 'string', default: '5m' },
        cache: { type: 'string' },
        kernel: { type: 'string' },
        'kernel-package': { type: 'string', default: 'linux-image-cloud-amd64' },
        accel: { type: 'string', default: 'tcg' },
        help: { type: 'boolean', short: 'h', default: false },
      },
      strict: true,
    }).values;
  } catch (e) {
    throw new Failure(e.message);
  }
  if (parsed.help) {
    process.stdout.write(HELP);
    process.exit(0);
  }
  const units = await loadUnits();
  const usage = (f) => {
    try {
      return f();
    } catch (e) {
      throw new Failure(e.message);
    }
  };
  if (!parsed.out) throw new Failure('--out DIR is required');
  const vcpus = usage(() => units.parseCount('--vcpus', parsed.vcpus, 1));
  const memory = usage(() => units.parseSize('--memory', parsed.memory));
  const buffer = parsed.buffer === undefined ? Math.floor(memory / 2) : usage(() => units.parseSize('--buffer', parsed.buffer));
  const MiB = 2 ** 20;
  if (memory < 96 * MiB || memory % MiB !== 0) throw new Failure(`--memory: ${parsed.memory}: expected whole MiB, at least 96M`);
  if (buffer < MiB || buffer > memory - 64 * MiB) throw new Failure(`--buffer: ${parsed.buffer}: expected at least 1M and at most --memory minus 64M (the kernel's share)`);
  return {
    out: resolve(parsed.out),
    vcpus,
    memoryMiB: memory / MiB,
    bufferMiB: Math.floor(buffer / MiB),
    bandwidth: Math.round(usage(() => units.parseRate('--bandwidth', parsed.bandwidth))),
    preempt: parsed.preempt,
    precopyMs: usage(() => units.parseDuration('--precopy-time', parsed['precopy-time'], 's')) / 1e6,
    timeoutMs: usage(() => units.parseDuration('--timeout', parsed.timeout, 's')) / 1e6,
    cache: resolve(parsed.cache ?? join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'blocktime')),
    kernel: parsed.kernel === undefined ? undefined : resolve(parsed.kernel),
    kernelPackage: parsed['kernel-package'],
    accel: parsed.accel,
  };
}

function run(cmd, args, what, opts = {}) {
  const r = spawnSync(cmd, args, { encoding: 'utf8', ...opts });
  if (r.error) throw new Failure(`${what}: ${r.error.code === 'ENOENT' ? `${cmd} not found` : `cannot run ${cmd}: ${r.error.message}`}`, EXIT_UNAVAILABLE);
  if (r.status !== 0) {
    const last = lastLine(r.stderr || r.stdout || '') || `exit ${r.status}`;
    throw new Failure(`${what}: ${cmd} ${args.join(' ')}: ${last}`, EXIT_UNAVAILABLE);
  }
  return r.stdout;
}

/** The Debian package a metapackage such as linux-image-cloud-amd64 depends on (itself when it is not one). */
function concreteKernelPackage(name) {
  const out = run('apt-cache', ['depends', '--no-recommends', '--no-suggests', name], 'kernel');
  const dep = /Depends:\s*(linux-image-\S+)/.exec(out);
  return dep ? dep[1] : name;
}

/** vmlinuz from the Debian package, fetched with apt-get download into the cache once. */
function debianKernel(cacheDir, metaPackage) {
  const pkg = concreteKernelPackage(metaPackage);
  const dir = join(cacheDir, 'kernel');
  const cached = join(dir, `${pkg}.vmlinuz`);
  if (existsSync(cached)) return { path: cached, package: pkg };
  mkdirSync(dir, { recursive: true });
  const work = mkdtempSync(join(dir, 'download-'));
  try {
    progress(`fetching ${pkg} with apt-get download`);
    run('apt-get', ['download', '-q', pkg], 'kernel', { cwd: work });
    const deb = readdirSync(work).find((f) => f.endsWith('.deb'));
    if (!deb) throw new Failure(`kernel: apt-get download ${pkg} left no .deb`, EXIT_UNAVAILABLE);
    run('dpkg-deb', ['-x', join(work, deb), join(work, 'root')], 'kernel');
    const boot = join(work, 'root', 'boot');
    const image = existsSync(boot) ? readdirSync(boot).find((f) => f.startsWith('vmlinuz-')) : undefined;
    if (!image) throw new Failure(`kernel: ${deb} has no boot/vmlinuz-*`, EXIT_UNAVAILABLE);
    renameSync(join(boot, image), `${cached}.tmp`);
    renameSync(`${cached}.tmp`, cached);
    return { path: cached, package: pkg };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

/** One newc cpio member: the 110-byte header, the name and the data, each padded to 4 bytes. */
function cpioEntry(ino, name, mode, data = Buffer.alloc(0), rdev = [0, 0]) {
  const field = (n) => n.toString(16).padStart(8, '0');
  const nameBytes = Buffer.from(`${name}\0`);
  const header = Buffer.from(
    '070701' + [ino, mode, 0, 0, 1, 0, data.length, 0, 0, rdev[0], rdev[1], nameBytes.length, 0].map(field).join(''),
  );
  const pad = (n) => Buffer.alloc((4 - (n % 4)) % 4);
  return Buffer.concat([header, nameBytes, pad(header.length + nameBytes.length), data, pad(data.length)]);
}

/**
 * The initramfs: /init (the static guest program) and a /dev/console node,
 * which the kernel opens for init's stdin/out/err before devtmpfs exists.
 */
function buildInitramfs(cacheDir) {
  const source = readFileSync(INIT_SOURCE);
  const key = createHash('sha256').update(source).digest('hex').slice(0, 12);
  const dir = join(cacheDir, `guest-${key}`);
  const initrd = join(dir, 'initramfs.cpio.gz');
  if (existsSync(initrd)) return initrd;
  mkdirSync(dir, { recursive: true });
  const init = join(dir, 'init');
  run('gcc', ['-static', '-O2', '-pthread', '-o', init, INIT_SOURCE], 'guest (gcc -static needs libc6-dev)');
  const S_IFDIR = 0o040000;
  const S_IFCHR = 0o020000;
  const S_IFREG = 0o100000;
  const archive = Buffer.concat([
    cpioEntry(1, 'dev', S_IFDIR | 0o755),
    cpioEntry(2, 'dev/console', S_IFCHR | 0o600, undefined, [5, 1]),
    cpioEntry(3, 'init', S_IFREG | 0o755, readFileSync(init)),
    cpioEntry(0, 'TRAILER!!!', 0),
  ]);
  writeFileSync(`${initrd}.tmp`, gzipSync(archive));
  renameSync(`${initrd}.tmp`, initrd);
  return initrd;
}

function freePort() {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolvePort(port));
    });
  });
}

/** A minimal QMP client: one command at a time, events ignored. */
class Qmp {
  constructor(socket, name) {
    this.name = name;
    this.socket = socket;
    this.buffer = '';
    this.waiting = [];
    this.closed = false;
    socket.setEncoding('utf8');
    socket.on('data', (chunk) => {
      this.buffer += chunk;
      let nl;
      while ((nl = this.buffer.indexOf('\n')) >= 0) {
        const line = this.buffer.slice(0, nl).trim();
        this.buffer = this.buffer.slice(nl + 1);
        if (!line) continue;
        const msg = JSON.parse(line);
        if ('event' in msg) continue;
        this.waiting.shift()?.(msg);
      }
    });
    socket.on('close', () => {
      this.closed = true;
      for (const w of this.waiting.splice(0)) w({ error: { desc: 'QMP connection closed' } });
    });
  }

  /** Connects once QEMU has created the socket; reads the greeting and enters command mode. */
  static async connect(path, name, qemu, deadline) {
    for (;;) {
      if (exited(qemu)) throw new Failure(`${name} QEMU exited before its QMP socket opened: ${lastLine(qemu.stderr())}`);
      checkDeadline(deadline, `${name}'s QMP socket`);
      const socket = await new Promise((ok) => {
        const s = createConnection(path);
        s.once('connect', () => ok(s));
        s.once('error', () => ok(undefined));
      });
      if (socket) {
        const qmp = new Qmp(socket, name);
        await new Promise((ok) => qmp.waiting.push(ok)); // the greeting
        await qmp.command('qmp_capabilities');
        return qmp;
      }
      await sleep(100);
    }
  }

  command(execute, args) {
    if (this.closed) return Promise.reject(new Failure(`${this.name} QMP ${execute}: connection closed`));
    return new Promise((ok, fail) => {
      this.waiting.push((msg) => (msg.error ? fail(new Failure(`${this.name} QMP ${execute}: ${msg.error.desc}`)) : ok(msg.return)));
      this.socket.write(JSON.stringify(args === undefined ? { execute } : { execute, arguments: args }) + '\n');
    });
  }

  close() {
    this.socket.destroy();
  }
}

const exited = (qemu) => qemu.child.exitCode !== null || qemu.child.signalCode !== null;
const lastLine = (text) => text.trim().split('\n').filter(Boolean).pop() ?? '';

function checkDeadline(deadline, what) {
  if (Date.now() > deadline.at) throw new Failure(`timed out after ${deadline.seconds} s waiting for ${what}`);
}

function startQemu(name, dir, opts, kernel, initrd, extra) {
  const events = join(dir, `${name}-events.txt`);
  writeFileSync(events, (name === 'dst' ? DST_EVENTS : SRC_EVENTS).join('\n') + '\n');
  const args = [
    '-name', `blocktime-${name}`,
    '-accel', opts.accel,
    '-machine', 'pc',
    '-nodefaults', '-no-user-config', '-display', 'none', '-no-reboot',
    '-m', `${opts.memoryMiB}M`,
    '-smp', String(opts.vcpus),
    '-kernel', kernel,
    '-initrd', initrd,
    '-append', `console=ttyS0 panic=-1 loglevel=4 bt_buf_mb=${opts.bufferMiB}`,
    '-serial', `file:${join(dir, `${name}-console.txt`)}`,
    '-qmp', `unix:${join(dir, `${name}.qmp`)},server=on,wait=off`,
    '-trace', `events=${events}`,
    '-D', join(dir, `${name}.log`),
    '-msg', 'timestamp=on',
    ...extra,
  ];
  const child = spawn(QEMU, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  children.add(child);
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (d) => (stderr += d));
  child.on('close', () => {
    children.delete(child);
    writeFileSync(join(dir, `${name}-stderr.txt`), stderr);
  });
  child.on('error', () => {}); // reported by the exit check
  return { child, args, stderr: () => stderr };
}

async function waitForConsole(dir, name, text, qemu, deadline) {
  const file = join(dir, `${name}-console.txt`);
  for (;;) {
    if (existsSync(file) && readFileSync(file, 'utf8').includes(text)) return;
    if (exited(qemu)) throw new Failure(`${name} QEMU exited while waiting for "${text}": ${lastLine(qemu.stderr()) || `see ${name}-console.txt`}`);
    checkDeadline(deadline, `"${text}" on the ${name} console`);
    await sleep(200);
  }
}

/** Why a QEMU exited by itself: its last message, else a guest panic on its console. */
function whyExited(dir, name, qemu) {
  const console = existsSync(join(dir, `${name}-console.txt`)) ? readFileSync(join(dir, `${name}-console.txt`), 'utf8') : '';
  const panic = /Kernel panic[^\n]*/.exec(console);
  return lastLine(qemu.stderr()) || (panic ? `the guest's kernel: ${panic[0]} (see ${name}-console.txt)` : `exit ${qemu.child.exitCode ?? qemu.child.signalCode}`);
}

async function waitForStatus(qmp, name, done, deadline, dir, qemus) {
  for (;;) {
    for (const [other, qemu] of Object.entries(qemus)) if (exited(qemu)) throw new Failure(`the ${other} QEMU exited during the migration: ${whyExited(dir, other, qemu)}`);
    const info = await qmp.command('query-migrate');
    // A paused postcopy could be recovered (migrate-recover); a measurement run is over.
    if (info.status === 'failed' || info.status === 'cancelled' || info.status === 'postcopy-paused') throw new Failure(`${name} migration ${info.status}${info['error-desc'] ? `: ${info['error-desc']}` : ''}`);
    if (done(info.status)) return info;
    checkDeadline(deadline, `${name} migration to reach ${done.what} (now ${info.status})`);
    await sleep(200);
  }
}

async function stopQemu(qmp, qemu) {
  const exited = new Promise((ok) => (qemu.child.exitCode !== null ? ok() : qemu.child.once('close', ok)));
  // QEMU flushes its trace log when it quits cleanly.
  await qmp.command('quit').catch(() => {});
  const timer = setTimeout(() => qemu.child.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(timer);
  qmp.close();
}

function checkOut(out) {
  if (existsSync(out) && (!statSync(out).isDirectory() || readdirSync(out).length > 0)) throw new Failure(`--out: ${out} exists and is not an empty directory`);
}

/** The run writes into DIR.partial-XXXXXX, renamed to DIR when it has completed. */
function prepareOut(out) {
  checkOut(out);
  if (existsSync(out)) rmSync(out, { recursive: true });
  mkdirSync(dirname(out), { recursive: true });
  return mkdtempSync(join(dirname(out), `${basename(out)}.partial-`));
}

async function migrate(opts) {
  checkOut(opts.out);
  const deadline = { at: Date.now() + opts.timeoutMs, seconds: opts.timeoutMs / 1000 };
  const version = run(QEMU, ['--version'], 'qemu').split('\n')[0];
  const kernel = opts.kernel ? { path: opts.kernel, package: undefined } : debianKernel(opts.cache, opts.kernelPackage);
  const initrd = buildInitramfs(opts.cache);
  const dir = prepareOut(opts.out);
  // The waits check the deadline between steps; this also ends a QMP command that never returns.
  const watchdog = setTimeout(() => {
    killChildren();
    progress(`timed out after ${deadline.seconds} s (what was written is in ${dir})`);
    process.exit(EXIT_FAILED);
  }, opts.timeoutMs + 10_000);
  try {
    await migrateInto(dir, opts, deadline, version, kernel, initrd);
  } catch (e) {
    if (e instanceof Failure) e.message += ` (what was written is in ${dir})`;
    throw e;
  } finally {
    clearTimeout(watchdog);
  }
}

async function migrateInto(dir, opts, deadline, version, kernel, initrd) {
  const port = await freePort();
  const uri = `tcp:127.0.0.1:${port}`;
  const times = {};
  const t0 = Date.now();
  const mark = (what) => (times[what] = (Date.now() - t0) / 1000);

  progress(`${version.replace(/^QEMU emulator version /, 'QEMU ')}, ${opts.vcpus} vCPUs, ${opts.memoryMiB} MiB (${opts.bufferMiB} MiB written), ${opts.bandwidth} B/s${opts.preempt ? ', preempt' : ''}; logs in ${dir}`);
  const src = startQemu('src', dir, opts, kernel.path, initrd, []);
  const dst = startQemu('dst', dir, opts, kernel.path, initrd, ['-incoming', 'defer']);
  const srcQmp = await Qmp.connect(join(dir, 'src.qmp'), 'src', src, deadline);
  const dstQmp = await Qmp.connect(join(dir, 'dst.qmp'), 'dst', dst, deadline);

  const capabilities = [
    { capability: 'postcopy-ram', state: true },
    { capability: 'postcopy-blocktime', state: true },
    ...(opts.preempt ? [{ capability: 'postcopy-preempt', state: true }] : []),
  ];
  for (const qmp of [srcQmp, dstQmp]) await qmp.command('migrate-set-capabilities', { capabilities });
  await srcQmp.command('migrate-set-parameters', { 'max-bandwidth': opts.bandwidth, 'max-postcopy-bandwidth': opts.bandwidth });
  await dstQmp.command('migrate-incoming', { uri });

  progress('booting the guest on the source');
  await waitForConsole(dir, 'src', 'blocktime-guest: ready', src, deadline);
  mark('guest_ready_s');
  progress(`guest ready after ${times.guest_ready_s.toFixed(1)} s; precopy for ${opts.precopyMs / 1000} s`);
  await srcQmp.command('migrate', { uri });
  mark('precopy_start_s');
  const precopyEnd = Date.now() + opts.precopyMs;
  while (Date.now() < precopyEnd) {
    for (const [name, qemu] of Object.entries({ src, dst })) if (exited(qemu)) throw new Failure(`the ${name} QEMU exited during precopy: ${whyExited(dir, name, qemu)}`);
    const info = await srcQmp.command('query-migrate');
    if (info.status === 'completed') throw new Failure('the migration completed during precopy: raise --buffer or lower --bandwidth or --precopy-time');
    if (info.status === 'failed') throw new Failure(`src migration failed${info['error-desc'] ? `: ${info['error-desc']}` : ''}`);
    await sleep(Math.min(200, Math.max(0, precopyEnd - Date.now())));
  }
  await srcQmp.command('migrate-start-postcopy');
  mark('postcopy_start_s');
  progress('postcopy started');
  const completed = Object.assign((s) => s === 'completed', { what: 'completed' });
  const srcInfo = await waitForStatus(srcQmp, 'src', completed, deadline, dir, { src, dst });
  mark('src_completed_s');
  const dstInfo = await waitForStatus(dstQmp, 'dst', completed, deadline, dir, { src, dst });
  mark('dst_completed_s');
  writeFileSync(join(dir, 'query-migrate.json'), JSON.stringify({ return: dstInfo }, null, 2) + '\n');
  writeFileSync(join(dir, 'src-query-migrate.json'), JSON.stringify({ return: srcInfo }, null, 2) + '\n');
  await stopQemu(srcQmp, src);
  await stopQemu(dstQmp, dst);
  for (const name of ['src', 'dst']) rmSync(join(dir, `${name}.qmp`), { force: true });

  const summary = {
    command: ['node', 'scripts/qemu-postcopy.mjs', ...process.argv.slice(2)].join(' '),
    qemu: version,
    kernel: kernel.package ?? kernel.path,
    vcpus: opts.vcpus,
    memory_mib: opts.memoryMiB,
    buffer_mib: opts.bufferMiB,
    bandwidth_bytes_per_s: opts.bandwidth,
    preempt: opts.preempt,
    precopy_s: opts.precopyMs / 1000,
    times,
    'postcopy-blocktime': dstInfo['postcopy-blocktime'],
    'postcopy-vcpu-blocktime': dstInfo['postcopy-vcpu-blocktime'],
    qemu_args: { src: src.args, dst: dst.args },
  };
  writeFileSync(join(dir, 'run.json'), JSON.stringify(summary, null, 2) + '\n');
  renameSync(dir, opts.out);
  const postcopyS = (times.dst_completed_s - times.postcopy_start_s).toFixed(1);
  progress(`completed: postcopy ${postcopyS} s, postcopy-blocktime ${dstInfo['postcopy-blocktime']} ms, postcopy-vcpu-blocktime [${(dstInfo['postcopy-vcpu-blocktime'] ?? []).join(', ')}]`);
  progress(`wrote ${['dst.log', 'src.log', 'query-migrate.json'].map((f) => join(opts.out, f)).join(' ')} (and the rest of ${opts.out})`);
}

for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => {
    killChildren();
    progress(`interrupted by ${signal}; QEMUs stopped`);
    process.exit(EXIT_INTERRUPTED);
  });
}
process.on('exit', killChildren);

try {
  await migrate(await parseOptions());
} catch (e) {
  killChildren();
  progress(e instanceof Failure ? e.message.split('\n')[0] : `internal error: ${e?.stack ?? e}`);
  process.exit(e instanceof Failure ? e.exitCode : 1);
}
