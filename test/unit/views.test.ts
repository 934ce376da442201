// The view engine's pieces: which names a template reads from its locals, and every view compiling with them.
import fs from 'node:fs';
import path from 'node:path';
import { VIEWS_DIR } from '../../src/paths';
import { compileView, freeNames } from '../../src/web/views';

describe('freeNames', () => {
  it.each([
    ['names, not properties', 'a.b(c)?.d; e?.[f]', ['a', 'c', 'e', 'f']],
    ['spread', 'x({ ...y, z }); [...w]', ['w', 'x', 'y', 'z']],
    ['strings and comments', `s('a b', "c") // d e\n/* f */ g`, ['g', 's']],
    ['template literals', 'h(`x ${i + `${j}`} y ${ {k: l}.k }`)', ['h', 'i', 'j', 'k', 'l']],
    ['regular expressions and division', 'm.replace(/n [o]\\/ p/g, q) / r', ['m', 'q', 'r']],
    ['a top-level declaration is the template\u2019s own', 'const a = b; let [c, d] = e; function f(g) { return g }', ['b', 'e', 'g']],
    ['a declaration inside a block shadows', 'if (a) { const b = c; } b', ['a', 'b', 'c']],
    ['keywords and globals are not locals', 'if (typeof a === "undefined" && JSON && Math.max(1) && encodeURIComponent(b)) return null', ['a', 'b']],
    ['EJS\u2019s own names', 'locals.x; __append(escapeFn(y)); include("/p")', ['y']],
  ])('%s', (_name, source, names) => {
    expect(freeNames(source)).toEqual(names);
  });
});

describe('every view', () => {
  const views: string[] = [];
  (function walk(dir: string) {
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      if (e.isDirectory()) walk(path.join(dir, e.name));
      else if (e.name.endsWith('.ejs')) views.push(path.join(dir, e.name));
    }
  })(VIEWS_DIR);

  it.each(views.map((v) => [path.relative(VIEWS_DIR, v), v]))('%s compiles', (_name, file) => {
    expect(typeof compileView(file, { root: VIEWS_DIR, compileDebug: false })).toBe('function');
    expect(typeof compileView(file, { root: VIEWS_DIR, compileDebug: true })).toBe('function');
  });
});
