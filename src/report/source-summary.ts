/**
 * A trace's `blocktime.source` (what produced it: the simulator, a native
 * capture, a QEMU log import; docs/trace-format.md) as one short line a
 * person reads, for the report's header. Any field may be missing (older
 * traces wrote fewer) and an unknown kind is shown as its JSON, cut short.
 */
import { formatBytes, formatCount, formatDuration } from '../units.js';

const MAX_RAW = 120;

export function describeSource(source: Record<string, unknown>): string {
  const num = (k: string): number | undefined => (typeof source[k] === 'number' && Number.isFinite(source[k]) ? (source[k] as number) : undefined);
  const str = (k: string): string | undefined => (typeof source[k] === 'string' ? (source[k] as string) : undefined);
  const parts: string[] = [];
  const add = (text: string | undefined): void => {
    if (text !== undefined) parts.push(text);
  };
  const plural = (n: number | undefined, one: string): string | undefined => (n === undefined ? undefined : `${formatCount(n)} ${one}${n === 1 ? '' : 's'}`);
  const dur = (k: string, label = ''): string | undefined => {
    const v = num(k);
    return v === undefined ? undefined : `${label}${formatDuration(v)}`;
  };
  switch (source.kind) {
    case 'sim':
      add('simulator');
      add(str('scenario') && `scenario ${str('scenario')}`);
      add(num('seed') !== undefined ? `seed ${num('seed')}` : undefined);
      add(plural(num('vcpus'), 'vCPU'));
      add(num('faults') !== undefined ? plural(num('faults'), 'fault') : dur('durationNs'));
      add(num('memoryBytes') !== undefined ? `memory ${formatBytes(num('memoryBytes')!)}` : undefined);
      add(str('pattern') && `pattern ${str('pattern')}`);
      add(dur('latencyNs', 'latency '));
      break;
    case 'native':
      add('native capture (userfaultfd)');
      add(plural(num('vcpus'), 'vCPU'));
      add(plural(num('resolvers'), 'resolver'));
      add(dur('duration_ns'));
      add(str('pattern') && `pattern ${str('pattern')}`);
      add(dur('latency_ns', 'latency '));
      add(str('kernel') && `kernel ${str('kernel')}`);
      break;
    case 'qemu-log':
      add(`QEMU ${str('qemu_version') ?? str('qemu') ?? '(version unknown)'} log${str('file') ? ` ${str('file')}` : ''}`);
      add(str('detected_from') && `version from ${str('detected_from')}`);
      add(plural(num('lines'), 'line'));
      add(str('vcpus_from') && `vCPUs from ${str('vcpus_from')}`);
      break;
    default: {
      const raw = JSON.stringify(source);
      return raw.length <= MAX_RAW ? raw : `${raw.slice(0, MAX_RAW - 1)}…`;
    }
  }
  return parts.join(', ');
}
