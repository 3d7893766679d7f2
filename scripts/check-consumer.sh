#!/usr/bin/env bash
# The package as a consumer gets it: packs the tarball (dist/ must be built), installs it into a fresh project (its
# dependencies from the npm registry or cache, as `npm install` would), compiles a file importing every subpath with
# `strict` and `skipLibCheck: false` (so every shipped declaration, and those of the dependencies it names, must
# type-check), plus the README's snippets (examples/readme/), and runs the import file with node.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
[ -f dist/index.js ] || { echo "dist/ is missing: run npm run build first" >&2; exit 1; }

work="$(mktemp -d "${TMPDIR:-/tmp}/agora-consumer-XXXXXX")"
trap 'rm -rf "$work"' EXIT
tarball="$work/$(npm pack --ignore-scripts --silent --pack-destination "$work" | tail -n 1)"

node_types="$(node -p "require('./package.json').devDependencies['@types/node']")"
typescript="$(node -p "require('./package.json').devDependencies.typescript")"
mkdir "$work/consumer"
cd "$work/consumer"
cat > package.json << 'JSON'
{ "name": "agora402-consumer", "private": true, "type": "module" }
JSON
npm install --no-audit --no-fund --prefer-offline --loglevel=error \
  "$tarball" "typescript@$typescript" "@types/node@$node_types" > /dev/null

cat > tsconfig.json << 'JSON'
{
  "compilerOptions": {
    "target": "ES2022",
    "lib": ["ES2022", "DOM"],
    "module": "NodeNext",
    "moduleResolution": "NodeNext",
    "types": ["node"],
    "strict": true,
    "skipLibCheck": false,
    "outDir": "out"
  },
  "include": ["*.ts", "readme/*.ts"]
}
JSON

# One namespace import per subpath, each used, so the compiler checks every declaration the subpath reaches.
node --input-type=module -e "
  import { readFileSync, writeFileSync } from 'node:fs';
  const manifest = JSON.parse(readFileSync('node_modules/agora402/package.json', 'utf8'));
  const subpaths = Object.keys(manifest.exports).filter((key) => !key.endsWith('.json'));
  const lines = subpaths.map((subpath, i) => \`import * as m\${i} from 'agora402\${subpath.slice(1)}';\`);
  lines.push('const loaded: Record<string, number> = {');
  subpaths.forEach((subpath, i) => lines.push(\`  'agora402\${subpath.slice(1)}': Object.keys(m\${i}).length,\`));
  lines.push('};');
  lines.push('for (const [name, count] of Object.entries(loaded)) if (count === 0) throw new Error(name + \" exports nothing\");');
  lines.push('console.log(JSON.stringify(loaded));');
  writeFileSync('imports.ts', lines.join('\n') + '\n');
"
mkdir readme
cp "$root"/examples/readme/*.ts readme/
npx tsc -p tsconfig.json
node out/imports.js
echo "consumer check: the packed tarball installs, type-checks with strict and skipLibCheck false, and imports"
