import { DuckDBInstance } from '@duckdb/node-api';
const c = await (await DuckDBInstance.create(':memory:')).connect();
await c.run("CREATE TYPE st AS ENUM ('served','duplicate')");
await c.run("CREATE TABLE f (s st)"); await c.run("INSERT INTO f VALUES ('served'),('duplicate')");
for (const q of ["select count(*) from f where s = 'served'", "select count(*) from f where s = 'nope'", "select s || '!' from f", "select typeof(s) from f limit 1", "select count(*) from f where s like 'ser%'", "select s from f union all select 'x'", "select max(s) from f", "select * from f order by s"]) {
  try { console.log(q, JSON.stringify((await c.runAndReadAll(q)).getRowsJson())); } catch (e) { console.log(q, 'ERR', e.message); }
}
