// Browser entry for a bundler that leaves the package's assets alone
// (esbuild): the app copies node_modules/wasyncio/dist/{wasyncio.wasm,
// wasyncio.mjs,worker.js} to wasyncio/ next to its bundle and says so
// before the first use.
import * as W from 'wasyncio';
import { start } from './start.js';

W.configure({ assetsURL: new URL('./wasyncio/', import.meta.url) });
start(W);
