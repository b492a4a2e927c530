/**
 * Splits SQL text into statements at the semicolons that end them, the ones
 * outside strings ('...'), quoted names ("..."), dollar-quoted bodies
 * ($tag$...$tag$) and comments (-- and nested /* *\/). The shell uses the
 * incomplete rest to know that a statement goes on on the next line; `-f`
 * runs each statement on its own, so an error names the one that failed.
 */

export interface SplitSql {
  /** Complete statements, without their semicolon, trimmed; pieces that are only comments are dropped. */
  statements: string[];
  /** Text after the last complete statement ('' when it holds nothing but blanks and comments). */
  rest: string;
}

export function splitStatements(text: string): SplitSql {
  const { statements, rest } = locateStatements(text);
  return { statements: statements.map((s) => s.sql), rest: rest?.sql ?? '' };
}

/** A statement and the 1-based line of the text it starts on, for errors that name a file's line. */
export interface LocatedStatement {
  sql: string;
  line: number;
}

/** As `splitStatements`, each statement with its line; the rest, when it holds code, is the last statement of a file. */
export function locateStatements(text: string): { statements: LocatedStatement[]; rest?: LocatedStatement } {
  const statements: LocatedStatement[] = [];
  // Statements come in text order, so the newlines before each are counted once in all.
  let counted = 0;
  let line = 1;
  const located = (from: number, to: number): LocatedStatement => {
    const piece = text.slice(from, to);
    const start = from + (piece.length - piece.trimStart().length);
    for (; counted < start; counted++) if (text.charCodeAt(counted) === 10) line++;
    return { sql: piece.trim(), line };
  };
  let start = 0;
  let hasCode = false;
  let i = 0;
  const n = text.length;
  while (i < n) {
    const c = text[i]!;
    if (c === '-' && text[i + 1] === '-') {
      const end = text.indexOf('\n', i);
      i = end < 0 ? n : end + 1;
    } else if (c === '/' && text[i + 1] === '*') {
      i = skipBlockComment(text, i);
    } else if (c === "'" || c === '"') {
      hasCode = true;
      i = skipQuoted(text, i, c);
    } else if (c === '$' && dollarTag(text, i) !== undefined) {
      hasCode = true;
      const tag = dollarTag(text, i)!;
      const end = text.indexOf(tag, i + tag.length);
      i = end < 0 ? n : end + tag.length;
    } else if (c === ';') {
      if (hasCode) statements.push(located(start, i));
      start = i + 1;
      hasCode = false;
      i++;
    } else {
      if (!/\s/.test(c)) hasCode = true;
      i++;
    }
  }
  return hasCode ? { statements, rest: located(start, n) } : { statements };
}

function skipQuoted(text: string, i: number, quote: string): number {
  let j = i + 1;
  for (;;) {
    const end = text.indexOf(quote, j);
    if (end < 0) return text.length;
    // A doubled quote is an escaped one, inside the string.
    if (text[end + 1] === quote) j = end + 2;
    else return end + 1;
  }
}

function skipBlockComment(text: string, i: number): number {
  let depth = 0;
  let j = i;
  while (j < text.length) {
    if (text[j] === '/' && text[j + 1] === '*') {
      depth++;
      j += 2;
    } else if (text[j] === '*' && text[j + 1] === '/') {
      depth--;
      j += 2;
      if (depth === 0) return j;
    } else j++;
  }
  return text.length;
}

/** `$$` or `$tag$` starting at i, else undefined (a `$1` parameter is not one). */
function dollarTag(text: string, i: number): string | undefined {
  const m = /^\$([A-Za-z_][A-Za-z0-9_]*)?\$/.exec(text.slice(i, i + 66));
  return m ? m[0] : undefined;
}
