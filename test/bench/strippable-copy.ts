/**
 * For the bench: a copy of bin/ and lib/ rewritten as Node's own type stripping needs it, so
 * that `node bin/app.ts` can be timed against ts-node on the same code. Stripping only
 * erases types, so the copy must be an ES module package whose every import resolves as it
 * is written: relative specifiers end in `.ts`, deep imports of packages without an
 * `exports` map end in `.js`, names that are only types are imported with `type`, and
 * `require` / `__dirname` become `createRequire(import.meta.url)` / `import.meta.dirname`.
 * The counts say what moving the sources themselves to type stripping would change.
 */
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'fs';
import { dirname, join, relative } from 'path';
import * as ts from 'typescript';

export interface StrippableCopy {
  /** The copy's bin/app.ts. */
  readonly app: string;
  readonly files: number;
  readonly specifiers: number;
  readonly typeOnlyNames: number;
  readonly requires: number;
}

interface Edit {
  readonly start: number;
  readonly end: number;
  readonly text: string;
}

/** `spec` with `.js` when it reaches into a package that has no `exports` map (Node's ESM resolver adds no extension). */
function packageSpecifier(spec: string, root: string): string {
  const parts = spec.split('/');
  const nameLength = spec.startsWith('@') ? 2 : 1;
  if (parts.length <= nameLength || spec.endsWith('.js')) return spec;
  // The project's own dependency (require.resolve would not do: ts-node redirects `source-map-support` to its own copy).
  const manifest = join(root, 'node_modules', ...parts.slice(0, nameLength), 'package.json');
  const exportsMap = (JSON.parse(readFileSync(manifest, 'utf8')) as { exports?: unknown }).exports;
  return exportsMap === undefined ? `${spec}.js` : spec;
}

export function writeStrippableCopy(root: string, out: string): StrippableCopy {
  const config = ts.getParsedCommandLineOfConfigFile(join(root, 'tsconfig.json'), {}, { ...ts.sys, onUnRecoverableConfigFileDiagnostic: () => undefined });
  if (config === undefined) throw new Error('cannot read tsconfig.json');
  const roots = config.fileNames.filter((file) => /^(bin|lib)\//.test(relative(root, file)));
  const program = ts.createProgram(roots, { ...config.options, noEmit: true });
  const checker = program.getTypeChecker();
  rmSync(out, { recursive: true, force: true });
  const counts = { files: 0, specifiers: 0, typeOnlyNames: 0, requires: 0 };
  for (const file of roots) {
    const source = program.getSourceFile(file);
    if (source === undefined) throw new Error(`${file} is not in the program`);
    const edits: Edit[] = [];
    let usesRequire = false;
    const visit = (node: ts.Node): void => {
      if ((ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) && node.moduleSpecifier !== undefined && ts.isStringLiteral(node.moduleSpecifier)) {
        const spec = node.moduleSpecifier.text;
        const resolved = spec.startsWith('.') ? ts.resolveModuleName(spec, file, config.options, ts.sys).resolvedModule?.resolvedFileName : undefined;
        if (spec.startsWith('.') && resolved === undefined) throw new Error(`${file}: cannot resolve ${spec}`);
        const rewritten = resolved === undefined ? packageSpecifier(spec, root) : relative(dirname(file), resolved).replace(/^(?!\.)/, './');
        if (rewritten !== spec) {
          counts.specifiers += 1;
          edits.push({ start: node.moduleSpecifier.getStart(source) + 1, end: node.moduleSpecifier.getEnd() - 1, text: rewritten });
        }
        const named = ts.isImportDeclaration(node) ? node.importClause?.namedBindings : node.exportClause;
        const typeOnly = ts.isImportDeclaration(node) ? node.importClause?.isTypeOnly === true : node.isTypeOnly;
        if (named !== undefined && (ts.isNamedImports(named) || ts.isNamedExports(named)) && !typeOnly) {
          for (const element of named.elements) {
            const symbol = checker.getSymbolAtLocation(element.propertyName ?? element.name);
            const target = symbol !== undefined && symbol.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(symbol) : symbol;
            if (element.isTypeOnly || target === undefined || target.flags & ts.SymbolFlags.Value) continue;
            counts.typeOnlyNames += 1;
            edits.push({ start: element.getStart(source), end: element.getStart(source), text: 'type ' });
          }
        }
      } else if (ts.isIdentifier(node) && (node.text === 'require' || node.text === '__dirname') && !(ts.isPropertyAccessExpression(node.parent) && node.parent.name === node)) {
        counts.requires += 1;
        if (node.text === '__dirname') edits.push({ start: node.getStart(source), end: node.getEnd(), text: 'import.meta.dirname' });
        else usesRequire = true;
      }
      ts.forEachChild(node, visit);
    };
    visit(source);
    let text = source.text;
    for (const edit of [...edits].sort((a, b) => b.start - a.start)) text = `${text.slice(0, edit.start)}${edit.text}${text.slice(edit.end)}`;
    if (usesRequire) {
      const shebang = /^#!.*\n/.exec(text)?.[0] ?? '';
      text = `${shebang}import { createRequire } from 'node:module';\nconst require = createRequire(import.meta.url);\n${text.slice(shebang.length)}`;
    }
    const target = join(out, relative(root, file));
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, text);
    counts.files += 1;
  }
  writeFileSync(join(out, 'package.json'), `${JSON.stringify({ type: 'module' })}\n`);
  return { app: join(out, 'bin', 'app.ts'), ...counts };
}
