// The oracle: CPython 3.14's asyncio inside Pyodide (a dev dependency), its
// stock BaseEventLoop on a virtual clock (vloop.py). Loaded once per process.
import { readFileSync } from 'node:fs';

const here = new URL('./', import.meta.url);
let py = null;

/** Load Pyodide (once). */
export async function loadOracle() {
  if (py) return py;
  const { loadPyodide } = await import(new URL('../../node_modules/pyodide/pyodide.mjs', here).href);
  py = await loadPyodide({ stdout: () => {}, stderr: () => {} });
  py.FS.mkdirTree('/home/pyodide/diff');
  py.FS.writeFile('/home/pyodide/diff/vloop.py', readFileSync(new URL('vloop.py', here)));
  py.runPython('import sys; sys.path.insert(0, "/home/pyodide/diff"); import vloop');
  return py;
}

/** The Python version of the oracle, e.g. "3.14.2". */
export function oracleVersion() {
  return py.runPython('import sys; sys.version.split()[0]');
}

/**
 * Run a Python program (emit_py.mjs) on the oracle.
 * @returns {{ status: 'ok' | 'tie' | 'error', log: string[], stuck: string[], error?: string }}
 */
export function runPython(src) {
  const fn = py.globals.get('vloop').run_program;
  try {
    return JSON.parse(fn(src));
  } catch (e) {
    return { status: 'error', log: [], stuck: [], error: String(e.message ?? e).split('\n').slice(-4).join('\n') };
  } finally {
    fn.destroy();
  }
}
