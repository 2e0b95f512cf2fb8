// Runs webpack 5 through its Node API on a fixture's webpack.config.mjs
// (argument: the fixture directory); exits non-zero with the errors.
import webpack from 'webpack';
import { pathToFileURL } from 'node:url';
import { join } from 'node:path';

const dir = process.argv[2];
const { default: config } = await import(pathToFileURL(join(dir, 'webpack.config.mjs')).href);
webpack(config, (err, stats) => {
  if (err) { console.error(err); process.exit(1); }
  if (stats.hasErrors()) { console.error(stats.toString({ all: false, errors: true, errorDetails: true })); process.exit(1); }
  if (stats.hasWarnings()) console.error(stats.toString({ all: false, warnings: true }));
});
