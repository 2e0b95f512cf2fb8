// Files from JS tasks (bindings/files.js over runtime/src/fs.c, node:fs
// underneath): real files in a temp dir, both task styles, streamed reads
// and writes, cancellation, bad input, and the tutorials' crawler that
// saves pages.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  run, createTask, gather, sleep, fetch, files, FileHandle, CancelledError, WasyncioError, Semaphore,
} from '../../bindings/index.js';
import { startServer } from '../../web/server.mjs';

let dir;
let srv;
before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'wasyncio-files-'));
  srv = await startServer({ port: 0 });
});
after(async () => {
  rmSync(dir, { recursive: true, force: true });
  await srv?.close();
});

test('write, append, read back, stat, list, rename, remove (generator task)', async () => {
  const d = join(dir, 'basic');
  const out = await run(function* () {
    yield files.mkdir(join(d, 'sub'), { recursive: true });
    yield files.writeFile(join(d, 'a.txt'), 'hello');
    const f = yield files.open(join(d, 'a.txt'), 'a');
    assert.ok(f instanceof FileHandle);
    assert.equal(yield f.write(', wörld'), 8);
    yield f.close();
    const text = yield files.readFile(join(d, 'a.txt'), { encoding: 'utf8' });
    const st = yield files.stat(join(d, 'a.txt'));
    yield files.rename(join(d, 'a.txt'), join(d, 'b.txt'));
    const names = yield files.list(d);
    const dst = yield files.stat(d);
    return { text, st, names, dst };
  });
  assert.equal(out.text, 'hello, wörld');
  assert.equal(out.st.size, 13);
  assert.equal(out.st.isFile, true);
  assert.ok(out.st.mtimeMs > 0);
  assert.equal(out.dst.isDirectory, true);
  assert.deepEqual(out.names, ['b.txt', 'sub']);
  assert.equal(readFileSync(join(d, 'b.txt'), 'utf8'), 'hello, wörld');
  await run(async () => {
    await assert.rejects(files.remove(d), (e) => e instanceof WasyncioError && e.codeName === 'EIO');
    await files.remove(d, { recursive: true });
    assert.equal(await files.exists(d), false);
  });
  assert.equal(existsSync(d), false);
});

test('streamed: write in pieces, read in chunks with for await (async task)', async () => {
  const p = join(dir, 'stream.bin');
  const got = await run(async () => {
    const f = await files.open(p, 'w');
    for (let i = 0; i < 10; i++) await f.write(new Uint8Array(1000).fill(65 + i));
    await f.close();
    const chunks = [];
    const r = await files.open(p);
    while (true) {
      const c = await r.read(4096);
      if (c === null) break;
      chunks.push(c.length);
    }
    await r.close();
    let total = 0;
    for await (const c of await files.open(p)) total += c.length;
    return { chunks, total };
  });
  assert.deepEqual(got.chunks, [4096, 4096, 1808]);
  assert.equal(got.total, 10000);
  const bytes = readFileSync(p);
  assert.equal(bytes[0], 65);
  assert.equal(bytes[9999], 74);
});

test('bad paths and bad input get clear errors, nothing is left open', async () => {
  await run(async () => {
    await assert.rejects(files.readFile(join(dir, 'missing', 'x')), (e) => e.codeName === 'ENOENT' && /x/.test(e.message));
    await assert.rejects(files.open(join(dir, 'nope.txt')), (e) => e.codeName === 'ENOENT');
    writeFileSync(join(dir, 'exists.txt'), '1');
    await assert.rejects(files.open(join(dir, 'exists.txt'), 'wx'), (e) => e.codeName === 'EEXIST');
    await assert.rejects(files.mkdir(join(dir, 'exists.txt')), (e) => e.codeName === 'EEXIST');
    await assert.rejects(files.list(join(dir, 'exists.txt')), (e) => e.codeName === 'EIO');
    const f = await files.open(join(dir, 'exists.txt'));
    await f.close();
    await f.close(); // twice: a no-op
    await assert.rejects(f.read(), /closed/);
  });
  assert.throws(() => files.open(''), /path must be a non-empty string/);
  assert.throws(() => files.open('x', 'rw'), /mode must be one of/);
  assert.throws(() => files.readFile('x', { encodng: 'utf8' }), /unknown option "encodng"/);
  assert.throws(() => files.writeFile('x', 42), /data must be/);
  assert.throws(() => files.remove('x', { recursve: true }), /unknown option/);
});

test('cancellation withdraws: a cancelled open closes its file, a cancelled read keeps the position', async () => {
  const p = join(dir, 'cancel.txt');
  writeFileSync(p, 'abcdef');
  const out = await run(async () => {
    const ac = new AbortController();
    const opening = files.open(p, 'r', { signal: ac.signal });
    const pending = opening.then(() => 'opened', (e) => e);
    ac.abort();
    const e1 = await pending;
    const f = await files.open(p);
    const ac2 = new AbortController();
    const reading = f.read(3, { signal: ac2.signal }).then(() => 'read', (e) => e);
    ac2.abort();
    const e2 = await reading;
    const next = new TextDecoder().decode(await f.read(3));
    await sleep(20); // the withdrawn operations settle meanwhile, unseen
    await f.close();
    return { e1, e2, next };
  });
  assert.ok(out.e1 instanceof CancelledError);
  assert.ok(out.e2 instanceof CancelledError);
  assert.equal(out.next, 'abc');
});

test('a generator task cancelled while its read is pending gets CancelledError; the file still works', async () => {
  const p = join(dir, 'cancel2.txt');
  writeFileSync(p, 'xyz');
  const out = await run(function* () {
    const f = yield files.open(p);
    const t = createTask(function* () { return yield f.read(); });
    yield sleep(0);
    const cancelled = t.cancel();
    let err = null;
    let got = null;
    try { got = new TextDecoder().decode(yield t); } catch (e) { err = e; }
    const rest = yield f.read();
    yield f.close();
    return { cancelled, err, got, rest: new TextDecoder().decode(rest) };
  });
  // Under load the read can finish before the cancel (cancel() then says
  // false); either way no byte is lost: the task read them, or the file did.
  if (out.cancelled) {
    assert.ok(out.err instanceof CancelledError);
    assert.equal(out.rest, 'xyz');
  } else {
    assert.equal(out.err, null);
    assert.equal(out.got + out.rest, 'xyz');
  }
});

test('the crawler saves pages (fetch + files, bounded concurrency)', async () => {
  const d = join(dir, 'pages');
  const saved = await run(function* () {
    yield files.mkdir(d, { recursive: true });
    const sem = new Semaphore(3);
    const save = (i) => createTask(function* () {
      yield sem.acquire();
      try {
        const r = yield fetch(`${srv.url}links/8/${i}`);
        const html = yield r.text();
        yield files.writeFile(join(d, `page-${i}.html`), html);
        return html.length;
      } finally {
        sem.release();
      }
    });
    yield gather(...Array.from({ length: 8 }, (_, i) => save(i)));
    return yield files.list(d);
  });
  assert.deepEqual(saved, Array.from({ length: 8 }, (_, i) => `page-${i}.html`).sort());
  assert.match(readFileSync(join(d, 'page-3.html'), 'utf8'), /<title>Links 3<\/title>/);
});
