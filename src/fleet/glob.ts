/**
 * Glob patterns, expanded by us rather than the shell (a quoted pattern
 * reaches us as it is, and Node 20 has no fs.glob): `*` and `?` within one
 * name, `[...]` a character class, `**` any number of directories, `{a,b}`
 * alternatives. Small enough to write down; a dependency would bring more
 * syntax than a list of traces needs.
 */
import { readdir } from 'node:fs/promises';
import { join, sep } from 'node:path';

/** Whether `arg` is a pattern rather than a name. */
export function isGlob(arg: string): boolean {
  return /[*?[{]/.test(arg);
}

/** The files `pattern` names, in name order; none when nothing matches. */
export async function expandGlob(pattern: string): Promise<string[]> {
  const parts = pattern.split('/');
  // The leading names without wildcards are where the walk starts.
  let fixed = 0;
  while (fixed < parts.length - 1 && !isGlob(parts[fixed]!)) fixed++;
  const base = parts.slice(0, fixed).join('/') || (pattern.startsWith('/') ? '/' : '.');
  const rest = parts.slice(fixed);
  const matcher = globRegExp(rest.join('/'));
  const deep = rest.length > 1 || rest.some((p) => p.includes('**'));
  const out: string[] = [];
  for (const rel of await walk(base, deep)) {
    if (matcher.test(rel)) out.push(fixed === 0 && base === '.' ? rel : join(base, rel));
  }
  return out.sort();
}

/** The pattern (relative, `/`-separated) as a regular expression over relative paths. */
export function globRegExp(pattern: string): RegExp {
  let re = '';
  for (let i = 0; i < pattern.length; i++) {
    const ch = pattern[i]!;
    if (ch === '*' && pattern[i + 1] === '*') {
      // `**/` matches no directory or several; a final `**` anything below.
      const slash = pattern[i + 2] === '/';
      re += slash ? '(?:[^/]*/)*' : '.*';
      i += slash ? 2 : 1;
    } else if (ch === '*') re += '[^/]*';
    else if (ch === '?') re += '[^/]';
    else if (ch === '[') {
      const end = pattern.indexOf(']', i + 2);
      if (end < 0) re += '\\[';
      else {
        const body = pattern.slice(i + 1, end).replace(/^!/, '^').replace(/\\/g, '\\\\');
        re += `[${body}]`;
        i = end;
      }
    } else if (ch === '{') {
      const end = pattern.indexOf('}', i);
      if (end < 0) re += '\\{';
      else {
        re += `(?:${pattern
          .slice(i + 1, end)
          .split(',')
          .map((alt) => globRegExp(alt).source.slice(1, -1))
          .join('|')})`;
        i = end;
      }
    } else re += ch.replace(/[.+^$()|\\]/g, '\\$&');
  }
  return new RegExp(`^${re}$`);
}

/** Every file under `dir`, as paths relative to it with `/` separators; only its own files unless `deep`. */
async function walk(dir: string, deep: boolean): Promise<string[]> {
  const out: string[] = [];
  const visit = async (rel: string): Promise<void> => {
    let entries;
    try {
      entries = await readdir(rel === '' ? dir : join(dir, rel), { withFileTypes: true });
    } catch {
      // A directory we may not read holds nothing we can match.
      return;
    }
    for (const e of entries) {
      const path = rel === '' ? e.name : `${rel}/${e.name}`;
      if (e.isDirectory()) {
        if (deep) await visit(path);
      } else if (e.isFile()) out.push(path);
    }
  };
  await visit('');
  return sep === '/' ? out : out.map((p) => p.split(sep).join('/'));
}
