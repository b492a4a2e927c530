// Runs the blocktime CLI in this process, then reports this process's peak
// RSS as one JSON line on stderr: what a user's `blocktime ...` costs in
// memory, measured from inside, without depending on /usr/bin/time.
const { main } = await import('../../dist/cli/main.js');
process.on('exit', () => {
  process.stderr.write(JSON.stringify({ max_rss_kb: process.resourceUsage().maxRSS }) + '\n');
});
await main(['node', 'blocktime', ...process.argv.slice(2)]);
