// Runs the blocktime CLI in this process, then reports this process's peak
// RSS and CPU time as one JSON line on stderr: what a user's `blocktime ...`
// costs, measured from inside, without depending on /usr/bin/time. CPU time
// tells the cost apart from the wait when the machine is shared.
const { main } = await import('../../dist/cli/main.js');
process.on('exit', () => {
  const u = process.resourceUsage();
  process.stderr.write(JSON.stringify({ max_rss_kb: u.maxRSS, user_cpu_s: u.userCPUTime / 1e6, system_cpu_s: u.systemCPUTime / 1e6 }) + '\n');
});
await main(['node', 'blocktime', ...process.argv.slice(2)]);
