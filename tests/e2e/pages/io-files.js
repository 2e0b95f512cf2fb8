// The files API on the Origin Private File System, the same scenarios on
// the main thread (OPFS's async API: File slices, writable streams) and in
// a dedicated worker (exclusive sync access handles). Each scenario works
// in a fresh directory of its own and removes it.
import { run, files, sleep, CancelledError, WasyncioError } from '/bindings/index.js';

function assert(cond, msg) { if (!cond) throw new Error('assertion failed: ' + msg); }
const json = (v) => JSON.stringify(v);

async function rejects(p, test, what) {
  try {
    await p;
  } catch (e) {
    assert(test(e), `${what}: wrong error ${e && e.name} ${e && e.codeName} ${e && e.message}`);
    return e;
  }
  throw new Error(`${what}: did not fail`);
}

/**
 * Run the scenarios; check(name, fn) records each one's outcome.
 * @param {(name: string, fn: () => Promise<void>) => Promise<void>} check
 * @param {string} where 'page' or 'worker' (names the directories)
 */
export async function fileScenarios(check, where) {
  const base = `e2e-${where}-${Date.now().toString(36)}`;

  await check(`${where}: write, append, read back, stat, list, rename, remove (generator task)`, async () => {
    const d = `${base}/basic`;
    const out = await run(function* () {
      yield files.mkdir(`${d}/sub`, { recursive: true });
      yield files.writeFile(`${d}/a.txt`, 'hello');
      const f = yield files.open(`${d}/a.txt`, 'a');
      const n = yield f.write(', wörld');
      yield f.close();
      const text = yield files.readFile(`${d}/a.txt`, { encoding: 'utf8' });
      const st = yield files.stat(`${d}/a.txt`);
      yield files.rename(`${d}/a.txt`, `${d}/b.txt`);
      const names = yield files.list(d);
      const dst = yield files.stat(d);
      return { n, text, st, names, dst };
    });
    assert(out.n === 8, 'bytes written ' + out.n);
    assert(out.text === 'hello, wörld', out.text);
    assert(out.st.size === 13 && out.st.isFile, json(out.st));
    assert(out.dst.isDirectory, json(out.dst));
    assert(json(out.names) === '["b.txt","sub"]', json(out.names));
    // the bytes are in OPFS itself, as the browser's own API reads them
    const root = await navigator.storage.getDirectory();
    const dir = await (await root.getDirectoryHandle(base)).getDirectoryHandle('basic');
    const file = await (await dir.getFileHandle('b.txt')).getFile();
    assert((await file.text()) === 'hello, wörld', 'OPFS holds the text');
    await run(async () => {
      await rejects(files.remove(d), (e) => e instanceof WasyncioError && e.codeName === 'EIO', 'removing a full directory');
      await files.remove(d, { recursive: true });
      assert(!(await files.exists(d)), 'removed');
    });
  });

  await check(`${where}: streamed: write in pieces, read in chunks with for await (async task)`, async () => {
    const p = `${base}/stream.bin`;
    const got = await run(async () => {
      await files.mkdir(base, { recursive: true });
      const f = await files.open(p, 'w');
      for (let i = 0; i < 10; i++) await f.write(new Uint8Array(1000).fill(65 + i));
      await f.close();
      const chunks = [];
      const r = await files.open(p);
      for (;;) {
        const c = await r.read(4096);
        if (c === null) break;
        chunks.push(c.length);
      }
      await r.close();
      let total = 0;
      let first = -1;
      let last = -1;
      for await (const c of await files.open(p)) {
        if (first < 0) first = c[0];
        last = c[c.length - 1];
        total += c.length;
      }
      return { chunks, total, first, last };
    });
    assert(json(got.chunks) === '[4096,4096,1808]', json(got.chunks));
    assert(got.total === 10000 && got.first === 65 && got.last === 74, json(got));
  });

  await check(`${where}: bad paths get clear errors (ENOENT, EEXIST, '..')`, async () => {
    await run(async () => {
      await files.mkdir(base, { recursive: true });
      await rejects(files.readFile(`${base}/missing/x`), (e) => e.codeName === 'ENOENT' && /x/.test(e.message), 'missing dir');
      await rejects(files.open(`${base}/nope.txt`), (e) => e.codeName === 'ENOENT', 'missing file');
      await files.writeFile(`${base}/exists.txt`, '1');
      await rejects(files.open(`${base}/exists.txt`, 'wx'), (e) => e.codeName === 'EEXIST', 'wx on a file');
      await rejects(files.mkdir(`${base}/exists.txt`), (e) => e.codeName === 'EEXIST', 'mkdir on a file');
      await rejects(files.readFile(`${base}/../x`), (e) => /'\.\.' is not supported/.test(e.message), "'..'");
      const f = await files.open(`${base}/exists.txt`);
      await f.close();
      await f.close(); // twice: a no-op
      await rejects(f.read(), (e) => /closed/.test(e.message), 'read after close');
    });
  });

  await check(`${where}: cancellation withdraws: a cancelled open lets the file be opened again, a cancelled read keeps the position`, async () => {
    const p = `${base}/cancel.txt`;
    const out = await run(async () => {
      await files.mkdir(base, { recursive: true });
      await files.writeFile(p, 'abcdef');
      const errors = [];
      // In a worker an open holds an exclusive sync access handle: the
      // reopen right after a withdrawn open must wait for it, not fail.
      for (let i = 0; i < 5; i++) {
        const ac = new AbortController();
        const opening = files.open(p, 'r+', { signal: ac.signal }).then(() => 'opened', (e) => e);
        ac.abort();
        errors.push(await opening);
        const f = await files.open(p, 'r+');
        await f.close();
      }
      const f = await files.open(p);
      const ac2 = new AbortController();
      const reading = f.read(3, { signal: ac2.signal }).then(() => 'read', (e) => e);
      ac2.abort();
      const e2 = await reading;
      const next = new TextDecoder().decode(await f.read(3));
      await sleep(20); // the withdrawn read settles meanwhile, unseen
      await f.close();
      await files.remove(base, { recursive: true });
      return { errors, e2, next };
    });
    assert(out.errors.every((e) => e instanceof CancelledError), out.errors.map(String).join());
    assert(out.e2 instanceof CancelledError, String(out.e2));
    assert(out.next === 'abc', out.next);
  });
}
