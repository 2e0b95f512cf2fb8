// The shipped declarations (bindings/*.d.ts) parse and type the API: the
// files in tests/types/ are checked with `tsc --strict` for browser users
// (DOM lib, no @types/node), Node users (@types/node, no DOM) and projects on
// the newest lib (`using`); negative.ts holds uses that must be rejected
// (`@ts-expect-error`: an unused one fails the check). And the declarations
// name exactly what the module exports at run time.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../', import.meta.url));
const tsc = fileURLToPath(new URL('../../node_modules/typescript/bin/tsc', import.meta.url));

function check(config) {
  const r = spawnSync(process.execPath, [tsc, '-p', `tests/types/${config}`], { cwd: root, encoding: 'utf8' });
  assert.equal(r.status, 0, `tsc -p tests/types/${config}:\n${r.stdout}${r.stderr}`);
}

test('tsc --strict: browser project (DOM lib, no @types/node)', () => check('tsconfig.json'));
test('tsc --strict: Node project (@types/node, no DOM lib)', () => check('tsconfig.node.json'));
test('tsc --strict: esnext lib, using / await using', () => check('tsconfig.esnext.json'));

/** Names a .d.ts declares as values (classes, consts, functions). */
function declaredValues(file) {
  const src = readFileSync(new URL(`../../bindings/${file}`, import.meta.url), 'utf8');
  return [...src.matchAll(/^export declare (?:abstract )?(?:const|let|class|function) (\w+)/gm)].map((m) => m[1]);
}

for (const [entry, dts] of [['index.js', 'index.d.ts'], ['loader.js', 'loader.d.ts'], ['worker.js', 'worker.d.ts']]) {
  test(`bindings/${dts} declares exactly the exports of bindings/${entry}`, async () => {
    const mod = await import(`../../bindings/${entry}`);
    const actual = Object.keys(mod).filter((k) => k !== 'default').sort();
    const declared = [...new Set(declaredValues(dts))].sort();
    assert.deepEqual(declared, actual);
  });
}

test('tests/types/api.ts uses every export of the package', async () => {
  const api = readFileSync(new URL('../types/api.ts', import.meta.url), 'utf8');
  const imported = new Set([...api.matchAll(/import\s*\{([^}]*)\}\s*from\s*'wasyncio(?:\/\w+)?'/g)]
    .flatMap((m) => m[1].split(',').map((s) => s.trim().split(/\s+as\s+/)[0]).filter(Boolean)));
  for (const entry of ['index.js', 'loader.js', 'worker.js']) {
    const mod = await import(`../../bindings/${entry}`);
    for (const name of Object.keys(mod)) assert.ok(imported.has(name), `api.ts does not use ${name} (bindings/${entry})`);
  }
});
