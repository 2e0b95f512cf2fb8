// Code blocks of a Markdown file, with the doc-test directives written just
// before them as HTML comments (invisible when rendered):
//
//   <!-- doctest: skip REASON -->     not run; the test says why (a fragment ...)
//   <!-- doctest: save FILE -->       written as FILE in the work directory for
//                                     later blocks (not run by itself)
//   <!-- doctest: setup COMMAND -->   a shell command run in the work directory
//                                     before the block
//   <!-- doctest: no-types REASON --> a JS block run but not type-checked
//
// Several directives may precede one block (one comment each).
import { readFileSync } from 'node:fs';

/**
 * @param {string} file
 * @returns {{ lang: string, code: string, line: number,
 *             directives: { kind: string, arg: string }[] }[]}
 *   line: 1-based line of the block's first code line
 */
export function extractBlocks(file) {
  const lines = readFileSync(file, 'utf8').split('\n');
  const blocks = [];
  let pending = [];
  for (let i = 0; i < lines.length; i++) {
    const d = /^<!--\s*doctest:\s*(\S+)\s*(.*?)\s*-->\s*$/.exec(lines[i]);
    if (d) { pending.push({ kind: d[1], arg: d[2] }); continue; }
    const open = /^(\s*)(`{3,})\s*([\w+-]*)/.exec(lines[i]);
    if (open) {
      const fence = open[2];
      const start = i + 1;
      let j = start;
      while (j < lines.length && !lines[j].trimStart().startsWith(fence)) j++;
      blocks.push({ lang: open[3].toLowerCase(), code: lines.slice(start, j).join('\n') + '\n', line: start + 1, directives: pending });
      pending = [];
      i = j;
      continue;
    }
    if (lines[i].trim() !== '') pending = [];
  }
  return blocks;
}

/** The stdout lines a JS block announces with `// → text` comments, in order. */
export function expectedOutput(code) {
  return [...code.matchAll(/\/\/ → (.*)$/gm)].map((m) => m[1].trimEnd());
}
