import { describe, it, expect } from 'vitest';
import { colorLevel, styleFor, visibleLength } from '../../../src/cli/terminal/style.js';

describe('colorLevel', () => {
  it('is off when the stream is not a terminal', () => {
    expect(colorLevel({ isTTY: false }, {})).toBe(0);
    expect(colorLevel({}, {})).toBe(0);
  });
  it('is off under NO_COLOR, even on a terminal', () => {
    expect(colorLevel({ isTTY: true }, { NO_COLOR: '1' })).toBe(0);
    expect(styleFor({ isTTY: true }, { NO_COLOR: '1' }).red('x')).toBe('x');
  });
  it('ignores an empty NO_COLOR, as no-color.org says', () => {
    expect(colorLevel({ isTTY: true }, { NO_COLOR: '' })).toBeGreaterThan(0);
  });
  it('is on with FORCE_COLOR, for pagers', () => {
    expect(colorLevel({ isTTY: false }, { FORCE_COLOR: '1' })).toBe(1);
    expect(styleFor({ isTTY: false }, { FORCE_COLOR: '1' }).red('x')).toBe('\x1b[31mx\x1b[39m');
  });
});

describe('visibleLength', () => {
  it('measures what the terminal shows', () => {
    expect(visibleLength('\x1b[31mabc\x1b[39m')).toBe(3);
  });
});
