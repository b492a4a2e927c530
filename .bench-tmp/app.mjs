import { DuckDBTableFunction, DuckDBInstance, BIGINT, INTEGER, UINTEGER, UBIGINT, ENUM, VARCHAR, DuckDBDataChunk } from '@duckdb/node-api';
import bindings from '@duckdb/node-bindings';
import { rmSync } from 'node:fs';
const [mode, coltype, rowsArg] = process.argv.slice(2);
const N = Number(rowsArg ?? 7e6);
const path = mode === 'disk' ? '/tmp/ab/x.duckdb' : ':memory:';
rmSync(path, { force: true }); rmSync(path + '.wal', { force: true });
const inst = await DuckDBInstance.create(path, { memory_limit: '1024MiB', threads: '2', temp_directory: '/tmp/ab/spill' });
const c = await inst.connect();
const st = coltype === 'enum' ? "ENUM('served','duplicate','background','x')" : 'VARCHAR';
const cl = coltype === 'enum' ? "ENUM('resolve','vcpu_exit','trace_end')" : 'VARCHAR';
await c.run(`CREATE TABLE faults (seq BIGINT, t_ns BIGINT, tid UINTEGER, cpu INTEGER, page UBIGINT, status ${st}, resolve_seq BIGINT, resolve_t_ns BIGINT, closed_by ${cl}, end_t_ns BIGINT, latency_ns BIGINT)`);
const how = process.argv[5] ?? 'append';
if (process.argv[6]==='tx') await c.run('BEGIN TRANSACTION');
const app = how === 'append' ? await c.createAppender('faults') : undefined;
const chunk = DuckDBDataChunk.create([BIGINT, BIGINT, UINTEGER, INTEGER, UBIGINT, ENUM(['served','duplicate','background','x']), BIGINT, BIGINT, ENUM(['resolve','vcpu_exit','trace_end']), BIGINT, BIGINT]);
const V = bindings.vector_size();
const b64 = new BigInt64Array(V); for (let i=0;i<V;i++) b64[i]=BigInt(i*1000+Math.floor(Math.random()*1e6));
const b32 = new Int32Array(V); for (let i=0;i<V;i++) b32[i]=i%64;
const b8 = new Uint8Array(V);
const fillChunk = (chunk, n) => {
  for (const [col, arr] of [[0,b64],[1,b64],[2,b32],[3,b32],[4,b64],[5,b8],[6,b64],[7,b64],[8,b8],[9,b64],[10,b64]]) {
    const v = bindings.data_chunk_get_vector(chunk.chunk, col);
    bindings.copy_data_to_vector(v, 0, arr.buffer, 0, n * arr.BYTES_PER_ELEMENT);
  }
};
if (how === 'fn') {
  let done = 0;
  const fn = DuckDBTableFunction.create({ name: 'rows_fn',
    bindFunction: (info) => { const T=[BIGINT, BIGINT, UINTEGER, INTEGER, UBIGINT, ENUM(['served','duplicate','background','x']), BIGINT, BIGINT, ENUM(['resolve','vcpu_exit','trace_end']), BIGINT, BIGINT]; T.forEach((t,i)=>info.addResultColumn('c'+i, t)); },
    initFunction: (info) => info.setMaxThreads(1),
    mainFunction: (info, out) => { if (done >= N) { out.rowCount = 0; return; } fillChunk(out, V); out.rowCount = V; done += V; } });
  c.registerTableFunction(fn);
  const t0 = performance.now();
  await c.run('INSERT INTO faults SELECT * FROM rows_fn()');
  if (process.argv[6]==='tx') await c.run('COMMIT');
  const t1 = performance.now();
  await c.run('CHECKPOINT');
  console.log('cpu', ((process.cpuUsage().user+process.cpuUsage().system)/1e6).toFixed(2), mode, coltype, 'fn insert', ((t1-t0)/1000).toFixed(2), 'ckpt', ((performance.now()-t1)/1000).toFixed(2), 'rss', (process.memoryUsage().rss/2**20).toFixed(0));
  process.exit(0);
}
const t0 = performance.now();
let appendMs = 0;
for (let done = 0; done < N; done += V) {
  chunk.reset();
  bindings.data_chunk_set_size(chunk.chunk, V);
  for (const [col, arr] of [[0,b64],[1,b64],[2,b32],[3,b32],[4,b64],[5,b8],[6,b64],[7,b64],[8,b8],[9,b64],[10,b64]]) {
    const v = bindings.data_chunk_get_vector(chunk.chunk, col);
    bindings.copy_data_to_vector(v, 0, arr.buffer, 0, V * arr.BYTES_PER_ELEMENT);
  }
  const a = performance.now();
  app.appendDataChunk(chunk);
  appendMs += performance.now() - a;
}
app.closeSync();
if (process.argv[6]==='tx') await c.run('COMMIT');
const t1 = performance.now();
await c.run('CHECKPOINT');
console.log('cpu', ((process.cpuUsage().user+process.cpuUsage().system)/1e6).toFixed(2), mode, coltype, 'append', (appendMs/1000).toFixed(2), 'total', ((t1-t0)/1000).toFixed(2), 'ckpt', ((performance.now()-t1)/1000).toFixed(2), 'rss', (process.memoryUsage().rss/2**20).toFixed(0));
