import { describe, it, expect } from 'vitest';
import { locateStatements, splitStatements } from '../../src/sql/statements.js';

describe('splitStatements', () => {
  it('splits at top-level semicolons and keeps the unfinished rest', () => {
    expect(splitStatements('SELECT 1; select 2 ;\nSELECT\n  3')).toEqual({ statements: ['SELECT 1', 'select 2'], rest: 'SELECT\n  3' });
  });

  it('ignores semicolons in strings, quoted names, dollar quotes and comments', () => {
    const sql = `SELECT 'a;''b', "x;y" FROM t -- no; end here
      /* nor; /* nested; */ here; */ WHERE $$;$$ = $tag$;$tag$;`;
    const { statements, rest } = splitStatements(sql);
    expect(statements).toHaveLength(1);
    expect(statements[0]).toContain('WHERE $$;$$ = $tag$;$tag$');
    expect(rest).toBe('');
  });

  it('drops pieces that are only blanks and comments', () => {
    expect(splitStatements(';; -- just a note;\n;')).toEqual({ statements: [], rest: '' });
    expect(splitStatements('SELECT 1; -- trailing note')).toEqual({ statements: ['SELECT 1'], rest: '' });
  });

  it('treats an open string as unfinished, so the shell asks for more', () => {
    expect(splitStatements("SELECT 'it;s")).toEqual({ statements: [], rest: "SELECT 'it;s" });
  });

  it('does not take a $1 parameter for a dollar quote', () => {
    expect(splitStatements('SELECT $1; SELECT 2;').statements).toEqual(['SELECT $1', 'SELECT 2']);
  });
});

describe('locateStatements', () => {
  it('gives each statement the line it starts on, blank lines and comments between them counted', () => {
    const text = "SELECT 1;\n\n  SELECT 'a;\nb';\n/* note;\n */ SELECT 3;\nSELECT\n  4";
    expect(locateStatements(text)).toEqual({
      statements: [
        { sql: 'SELECT 1', line: 1 },
        { sql: "SELECT 'a;\nb'", line: 3 },
        { sql: '/* note;\n */ SELECT 3', line: 5 },
      ],
      rest: { sql: 'SELECT\n  4', line: 7 },
    });
  });

  it('has no rest when only blanks and comments follow the last statement', () => {
    expect(locateStatements('SELECT 1;\n-- done\n')).toEqual({ statements: [{ sql: 'SELECT 1', line: 1 }] });
  });
});
