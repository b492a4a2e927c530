// The built CLI (dist/), run in this process as bin/blocktime runs it; when
// the process exits, its peak resident memory in KiB goes to file descriptor 3.
import { writeSync } from 'node:fs';

process.on('exit', () => {
  writeSync(3, String(process.resourceUsage().maxRSS));
});
const { main } = await import('../../dist/cli/main.js');
await main(process.argv);
