// npm run api:report writes the public surface of every subpath (from the built declarations in dist/) to
// etc/api/; npm run api:check (in .ci/run) fails when the committed report differs from the build, when a type that
// a public signature names is not exported by any subpath, or when an export has no TSDoc comment.
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import ts from 'typescript';

const root = join(import.meta.dirname, '..');
const reportDir = join(root, 'etc/api');
const dist = join(root, 'dist');
const check = process.argv.includes('--check');

const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
  name: string;
  exports: Record<string, string | { types?: string }>;
};
const entries = Object.entries(manifest.exports).flatMap(([subpath, target]) =>
  typeof target === 'object' && target.types !== undefined
    ? [{ specifier: `${manifest.name}${subpath.slice(1)}`, file: join(root, target.types) }]
    : [],
);

const program = ts.createProgram(
  entries.map((e) => e.file),
  {
    strict: true,
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    noEmit: true,
  },
);
const checker = program.getTypeChecker();
const printer = ts.createPrinter({ removeComments: true, newLine: ts.NewLineKind.LineFeed });

const problems: string[] = [];
/** Every declaration node exported by some subpath. */
const exportedDeclarations = new Set<ts.Node>();
const surfaces = new Map<string, { name: string; symbol: ts.Symbol }[]>();

for (const entry of entries) {
  const source = program.getSourceFile(entry.file);
  const moduleSymbol = source === undefined ? undefined : checker.getSymbolAtLocation(source);
  if (moduleSymbol === undefined) throw new Error(`cannot read ${entry.file}: run npm run build first`);
  const list = checker
    .getExportsOfModule(moduleSymbol)
    .map((exported) => ({
      name: exported.name,
      symbol: exported.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(exported) : exported,
    }))
    .sort((a, b) => a.name.localeCompare(b.name));
  for (const { symbol } of list)
    for (const declaration of symbol.declarations ?? []) exportedDeclarations.add(declaration);
  surfaces.set(entry.specifier, list);
}

const inPackage = (node: ts.Node) => node.getSourceFile().fileName.startsWith(dist);

/** Types of the package that `node` names but no subpath exports. */
function forgotten(node: ts.Node, owner: string): void {
  const visit = (child: ts.Node): void => {
    if (
      ts.isTypeReferenceNode(child) ||
      ts.isExpressionWithTypeArguments(child) ||
      ts.isTypeQueryNode(child)
    ) {
      const name = ts.isTypeReferenceNode(child)
        ? child.typeName
        : ts.isTypeQueryNode(child)
          ? child.exprName
          : child.expression;
      let symbol = checker.getSymbolAtLocation(name);
      if (symbol !== undefined && symbol.flags & ts.SymbolFlags.Alias)
        symbol = checker.getAliasedSymbol(symbol);
      const declarations = (symbol?.declarations ?? []).filter(
        (d) => inPackage(d) && !ts.isTypeParameterDeclaration(d),
      );
      if (declarations.length > 0 && !declarations.some((d) => exportedDeclarations.has(d)))
        problems.push(`${owner} names ${symbol?.name}, which no subpath exports`);
    }
    ts.forEachChild(child, visit);
  };
  visit(node);
}

/** A declaration as the report shows it: comments and private members' types gone, one line per member. */
function render(declaration: ts.Node): string {
  return printer.printNode(ts.EmitHint.Unspecified, declaration, declaration.getSourceFile()).trim();
}

function documented(symbol: ts.Symbol): boolean {
  return symbol.getDocumentationComment(checker).length > 0 || symbol.getJsDocTags(checker).length > 0;
}

const outputs = new Map<string, string>();
const seen = new Set<ts.Symbol>();
for (const [specifier, list] of surfaces) {
  const lines = [`# ${specifier}`, '', `${list.length} exports.`, ''];
  if (specifier === manifest.name) {
    lines.push('Re-exports the layers; each name is reported under its own subpath.', '', '```ts');
    lines.push(...list.map(({ name }) => name));
    lines.push('```', '');
  } else {
    lines.push('```ts');
    for (const { name, symbol } of list) {
      const declarations = symbol.declarations ?? [];
      if (!seen.has(symbol)) {
        seen.add(symbol);
        if (!documented(symbol)) problems.push(`${specifier}: ${name} has no TSDoc comment`);
        for (const declaration of declarations) forgotten(declaration, `${specifier}: ${name}`);
      }
      for (const declaration of declarations) {
        // A `const x: T` is declared by its statement; print the statement so the report reads as TypeScript.
        const node = ts.isVariableDeclaration(declaration) ? declaration.parent.parent : declaration;
        lines.push(render(node));
      }
      if (declarations.length === 0) lines.push(`// ${name}`);
    }
    lines.push('```', '');
  }
  const file = `${specifier.replace(/\//g, '.')}.api.md`;
  outputs.set(file, lines.join('\n'));
}

if (check) {
  const committed = new Set(readdirSync(reportDir).filter((f) => f.endsWith('.api.md')));
  for (const [file, text] of outputs) {
    let old: string | undefined;
    try {
      old = readFileSync(join(reportDir, file), 'utf8');
    } catch {
      old = undefined;
    }
    if (old !== text)
      problems.push(`etc/api/${file} differs from the build: run npm run api:report and commit it`);
    committed.delete(file);
  }
  for (const file of committed) problems.push(`etc/api/${file} names no subpath: run npm run api:report`);
} else {
  rmSync(reportDir, { recursive: true, force: true });
  mkdirSync(reportDir, { recursive: true });
  for (const [file, text] of outputs) writeFileSync(join(reportDir, file), text);
}
if (problems.length > 0) {
  process.stderr.write(`${problems.join('\n')}\n`);
  process.exit(1);
}
process.stdout.write(
  `${check ? 'checked' : 'wrote'} the API report of ${outputs.size} subpaths in etc/api/\n`,
);
