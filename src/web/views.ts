// The view engine: EJS templates (views/*.ejs), compiled by EJS, rendered without two of ejs.renderFile's costs.
// - Locals are destructured, not looked up through `with (locals)`: inside a `with` block every name a template reads
//   (its locals, and EJS's own __append and escapeFn) is a dynamic lookup through the locals object, which cost about
//   a third of a render. Each template gets `var name = locals.name` for the names its code reads (freeNames below):
//   the same values as before; a name no caller passed is undefined instead of a ReferenceError.
// - An include without data of its own gets its caller's locals object, not a copy of it (EJS copies every local
//   into a new object for each include: seven includes a page). Views never assign to locals.
// Includes are absolute from views/ (`include('/partials/head')`) or relative to the including file, as with EJS.
// Outside development each template is compiled once and kept.
import fs from 'node:fs';
import path from 'node:path';
import ejs from 'ejs';
import { escapeHtml } from './escapeHtml';

type Locals = Record<string, unknown>;
type Include = (name: string, data?: Locals) => string;
type ClientFunction = (locals: Locals, escape: (value: unknown) => string, include: Include, rethrow?: unknown) => string;

const RESERVED = new Set(
  ('break case catch class const continue debugger default delete do else export extends false finally for function if ' +
    'import in instanceof let new null of return static super switch this throw true try typeof var void while with ' +
    'yield async await arguments eval undefined NaN Infinity').split(' '),
);
// What EJS's compiled function itself declares or receives.
const EJS_NAMES = new Set(['locals', '__output', '__append', '__line', '__lines', '__filename', 'escapeFn', 'include', 'rethrow']);
const GLOBALS = new Set(Object.getOwnPropertyNames(globalThis));

/**
 * The names a template's code reads that are neither JavaScript's own, nor globals, nor declared by the template at
 * its top level (a `const x` there next to `var x = locals.x` would not compile): the locals it needs. `source` is
 * the JavaScript EJS generates for the template. Property names (after `.` or `?.`) are not names; object keys are
 * taken too, which only declares a variable the template never reads.
 */
export function freeNames(source: string): string[] {
  const names = new Set<string>();
  const declared = new Set<string>();
  let depth = 0; // braces, brackets and parentheses: a declaration at depth 0 is at the template's top level
  let prev = ''; // the previous token: after '.' a word is a property; after a value '/' divides
  let declaring: 'no' | 'name' | 'pattern' = 'no'; // function/class: the next name; const/let/var: names up to `=`
  const templateDepths: number[] = []; // the depth at which each open `${` of a template literal began
  let i = 0;
  const n = source.length;
  const skipString = (quote: string) => {
    for (i++; i < n && source[i] !== quote; i++) if (source[i] === '\\') i++;
    i++;
  };
  // From inside a template literal: to its end (back in code), or into a `${` (code inside it).
  const skipTemplate = () => {
    for (; i < n; i++) {
      if (source[i] === '\\') i++;
      else if (source[i] === '`') return void i++;
      else if (source[i] === '$' && source[i + 1] === '{') {
        templateDepths.push(depth);
        depth++;
        i += 2;
        return;
      }
    }
  };
  const endsValue = () => /^[\w$)\]]/.test(prev) && (!RESERVED.has(prev) || /^(this|true|false|null|undefined|arguments)$/.test(prev));
  while (i < n) {
    const c = source[i];
    if (/\s/.test(c)) i++;
    else if (c === '/' && source[i + 1] === '/') i = source.includes('\n', i) ? source.indexOf('\n', i) : n;
    else if (c === '/' && source[i + 1] === '*') i = source.includes('*/', i + 2) ? source.indexOf('*/', i + 2) + 2 : n;
    else if (c === '"' || c === "'") {
      skipString(c);
      prev = ')';
    } else if (c === '`') {
      i++;
      skipTemplate();
      prev = ')';
    } else if (c === '/' && !endsValue()) {
      // a regular expression literal: to its closing '/' (not one inside a [...] class), then its flags
      for (i++; i < n && source[i] !== '/'; i++) {
        if (source[i] === '\\') i++;
        else if (source[i] === '[') for (i++; i < n && source[i] !== ']'; i++) if (source[i] === '\\') i++;
      }
      for (i++; i < n && /\w/.test(source[i]); i++);
      prev = ')';
    } else if (/[A-Za-z_$]/.test(c)) {
      const word = /^[\w$]+/.exec(source.slice(i, i + 200))![0];
      i += word.length;
      if (prev !== '.') {
        if (depth === 0 && (word === 'const' || word === 'let' || word === 'var')) declaring = 'pattern';
        else if (depth === 0 && (word === 'function' || word === 'class')) declaring = 'name';
        else if (declaring !== 'no') {
          declared.add(word);
          if (declaring === 'name') declaring = 'no';
        } else if (!RESERVED.has(word)) names.add(word);
      }
      prev = word;
    } else if (/[0-9]/.test(c)) {
      i += /^[\w.]+/.exec(source.slice(i, i + 100))![0].length;
      prev = '0';
    } else if (c === '.' && source.startsWith('...', i)) {
      i += 3; // a spread: the name after it is a name, not a property
      prev = '...';
    } else if (c === '?' && source[i + 1] === '.' && !/[0-9]/.test(source[i + 2] ?? '')) {
      i += 2;
      prev = '.';
    } else {
      if (c === '{' || c === '(' || c === '[') depth++;
      else if (c === ')' || c === ']') depth--;
      else if (c === '}') {
        if (templateDepths.length && templateDepths[templateDepths.length - 1] === depth - 1) {
          depth = templateDepths.pop()!; // the end of a `${...}`: back into the template literal
          i++;
          skipTemplate();
          prev = ')';
          continue;
        }
        depth--;
      }
      if (declaring === 'pattern' && depth === 0 && (c === '=' || c === ';')) declaring = 'no';
      prev = c;
      i++;
    }
  }
  return [...names].filter((name) => !declared.has(name) && !EJS_NAMES.has(name) && !GLOBALS.has(name)).sort();
}

export type ViewEngine = (file: string, locals: object, done: (err: unknown, html?: string) => void) => void;

/** One template compiled: a function of (locals, escape, include), its locals destructured (freeNames). */
export function compileView(file: string, o: { root: string; compileDebug: boolean }): ClientFunction {
  const text = fs.readFileSync(file, 'utf8');
  const options = { filename: file, root: o.root, rmWhitespace: true, compileDebug: o.compileDebug, client: true, _with: false, escape: escapeHtml };
  const template = new ejs.Template(text, options) as ejs.Template & { generateSource(): void };
  template.generateSource();
  return ejs.compile(text, { ...options, destructuredLocals: freeNames(template.source) }) as unknown as ClientFunction;
}

/** The engine for app.engine('ejs', …): `root` is views/; `cache` keeps compiled templates; `compileDebug` keeps line numbers for errors. */
export function createViewEngine(o: { root: string; cache: boolean; compileDebug: boolean }): ViewEngine {
  const compiled = new Map<string, ClientFunction>();

  function compile(file: string): ClientFunction {
    let fn = o.cache ? compiled.get(file) : undefined;
    if (!fn) {
      fn = compileView(file, o);
      if (o.cache) compiled.set(file, fn);
    }
    return fn;
  }

  const includePaths = new Map<string, string>(); // '/partials/head' -> its file: a path.join per include was garbage
  function includePath(name: string, from: string): string {
    const key = name.startsWith('/') ? name : `${from}\n${name}`;
    let file = includePaths.get(key);
    if (file === undefined) {
      file = name.startsWith('/') ? path.join(o.root, name) : path.resolve(path.dirname(from), name);
      if (!path.extname(file)) file += '.ejs';
      includePaths.set(key, file);
    }
    return file;
  }

  function render(file: string, locals: Locals): string {
    const include: Include = (name, data) => render(includePath(name, file), data ? { ...locals, ...data } : locals);
    return compile(file)(locals, escapeHtml, include);
  }

  return (file, locals, done) => {
    let html: string;
    try {
      html = render(file, locals as Locals);
    } catch (err) {
      return done(err);
    }
    done(null, html);
  };
}
