import { UsageError } from '../../errors.js';
import { parseDuration } from '../../units.js';

/** `--clock-offset`: a signed duration, for the source's clock may be either side of the destination's. */
export function parseClockOffset(text: string): bigint {
  const neg = text.trim().startsWith('-');
  const ns = BigInt(parseDuration('--clock-offset', neg ? text.trim().slice(1) : text));
  return neg ? -ns : ns;
}

export type ClockAssumption = 'auto' | 'same-host' | 'estimate';

export function parseClockAssumption(text: string): ClockAssumption {
  if (text === 'auto' || text === 'same-host' || text === 'estimate') return text;
  throw new UsageError(`--clock: expected auto, same-host or estimate, got "${text}"`);
}

export const CLOCK_OFFSET_HELP = "the source's clock minus the destination's (e.g. 1.5ms, -200us), when known";
export const CLOCK_HELP = 'without --clock-offset: auto (one clock when the bounds allow it), same-host, or estimate (the middle of the bounds)';
