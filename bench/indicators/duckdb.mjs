// Runs bench/indicators/postgres.sql in DuckDB (in memory) on a snapshot
// folder prepared by bench/indicators/run, and writes its result as CSV.
//
//   node duckdb.mjs --snapshot DIR --out FILE.csv [--runs N]
//
// Prints "duckdb: load S s; query S S S s" (seconds; the query run N times,
// data already loaded). Needs `npm ci` in bench/indicators first.
import { DuckDBInstance } from '@duckdb/node-api';
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const here = dirname(fileURLToPath(import.meta.url));
const { values } = parseArgs({
  options: {
    snapshot: { type: 'string' },
    out: { type: 'string' },
    runs: { type: 'string', default: '1' },
  },
});
if (!values.snapshot || !values.out) {
  console.error('usage: node duckdb.mjs --snapshot DIR --out FILE.csv [--runs N]');
  process.exit(2);
}
const out = resolve(values.out);
const runs = Number(values.runs);
const load = readFileSync(resolve(here, 'duckdb-load.sql'), 'utf8');
// The query as written for PostgreSQL, without its final semicolon, inside COPY.
const query = readFileSync(resolve(here, 'postgres.sql'), 'utf8').trim().replace(/;$/, '');

process.chdir(values.snapshot);  // the load reads children.csv etc. from here
const seconds = (from) => Number(process.hrtime.bigint() - from) / 1e9;
const instance = await DuckDBInstance.create(':memory:');
const db = await instance.connect();

let start = process.hrtime.bigint();
await db.run(load);
const loaded = seconds(start);

const times = [];
for (let i = 0; i < runs; i++) {
  start = process.hrtime.bigint();
  await db.run(`COPY (${query}) TO '${out.replaceAll("'", "''")}' (FORMAT csv, HEADER true)`);
  times.push(seconds(start));
}
console.log(`duckdb: load ${loaded.toFixed(2)} s; query ${times.map((t) => t.toFixed(3)).join(' ')} s`);
