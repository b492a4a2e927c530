/**
 * The model's rules for a row sequence, in one place, applied by every reader
 * to every batch: kind codes in range; all `vcpu` rows before the first
 * fault or resolve; one vcpu row per cpu index (0 to N - 1, N at most
 * MAX_VCPUS); one cpu per thread.
 */
import { InputError } from '../errors.js';
import type { InputLocation } from '../errors.js';
import type { TraceBatch } from './batch.js';
import { Kind, MAX_VCPUS } from './schema.js';

export class TraceValidator {
  private readonly file: string;
  /** 1-based row of the first fault or resolve, 0 while only vcpu rows were seen. */
  private firstEventRow = 0;
  private readonly cpuRow = new Map<number, number>();
  private readonly tidCpu = new Map<number, { cpu: number; row: number }>();

  /** `vcpus`: the trace's declared N (metadata or option), which every cpu index must be below. */
  constructor(
    file: string,
    private readonly vcpus?: number,
  ) {
    this.file = file;
  }

  /** Throws an InputError at the first offending row; `lineOf(i)` gives the text line of batch row i (0: none, a row an importer made), for text formats. */
  check(b: TraceBatch, lineOf?: (i: number) => number): void {
    const { kind, length } = b;
    let i = 0;
    if (this.firstEventRow === 0) {
      for (; i < length; i++) {
        const k = kind[i]!;
        if (k !== Kind.vcpu) {
          if (k > Kind.erase) this.fail(b, i, lineOf, badKind(k));
          this.firstEventRow = b.firstRow + i + 1;
          i++;
          break;
        }
        this.declare(b, i, lineOf);
      }
    }
    for (; i < length; i++) {
      const k = kind[i]!;
      if (k === Kind.vcpu || k > Kind.erase) {
        this.fail(
          b,
          i,
          lineOf,
          k === Kind.vcpu
            ? `vcpu row after the first fault or resolve (row ${this.firstEventRow}); expected all vcpu rows first`
            : badKind(k),
        );
      }
    }
  }

  private declare(b: TraceBatch, i: number, lineOf: ((i: number) => number) | undefined): void {
    const row = b.firstRow + i + 1;
    const cpu = b.cpu[i]!;
    const tid = b.tid[i]!;
    if (cpu < 0) this.fail(b, i, lineOf, `vcpu row with cpu ${cpu}; expected a cpu index >= 0`);
    if (this.vcpus !== undefined && cpu >= this.vcpus) {
      this.fail(b, i, lineOf, `vcpu row with cpu ${cpu}; expected a cpu index below the trace's ${this.vcpus} vCPUs`);
    }
    if (cpu >= MAX_VCPUS) this.fail(b, i, lineOf, `vcpu row with cpu ${cpu}; expected a cpu index below ${MAX_VCPUS}, the most vCPUs a trace may have`);
    const seen = this.cpuRow.get(cpu);
    if (seen !== undefined) this.fail(b, i, lineOf, `cpu ${cpu} declared twice (first at row ${seen}); expected one vcpu row per cpu`);
    const other = this.tidCpu.get(tid);
    if (other !== undefined) {
      this.fail(b, i, lineOf, `tid ${tid} declared for cpu ${cpu} and for cpu ${other.cpu} (row ${other.row}); expected one cpu per thread`);
    }
    this.cpuRow.set(cpu, row);
    this.tidCpu.set(tid, { cpu, row });
  }

  private fail(b: TraceBatch, i: number, lineOf: ((i: number) => number) | undefined, what: string): never {
    const loc: InputLocation = { file: this.file, row: b.firstRow + i + 1 };
    const line = lineOf?.(i) ?? 0;
    if (line > 0) loc.line = line;
    throw new InputError(loc, what);
  }
}

function badKind(k: number): string {
  return `kind code ${k}; expected 0 (vcpu), 1 (fault) or 2 (resolve), or 3 (erase)`;
}
