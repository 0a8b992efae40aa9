/**
 * How fast the C library's memmove (what V8 runs for `copyWithin` and wasm's `memory.copy`) copies, by how
 * far the destination lies past the source modulo 4 KiB: the measurement behind the wasm copier's rule of
 * never using `memory.copy` 1–63 bytes past (docs/benchmarks.md). Run: npx tsx bench/memmove.ts [bytes …]
 */
import { cpus } from 'node:os';

const sizes = process.argv.slice(2).map(Number);
const bytes = new Uint8Array(64 * 2 ** 20);
bytes.fill(7);
const from = 4096 * 10;
const distances = [0, 1, 2, 4, 8, 16, 24, 31, 32, 48, 63, 64, 128, 1024, 2048, 4032, 4088];
const cpuMs = () => {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
};
console.log(`${cpus()[0]?.model ?? 'unknown CPU'}, Node ${process.version}; bytes per ns (best of 3, CPU time)`);
console.log(`distance mod 4 KiB: ${distances.join(', ')}`);
for (const n of sizes.length > 0 ? sizes : [4096, 16384, 262144]) {
  const speeds = distances.map((distance) => {
    const to = from + 32 * 2 ** 20 + distance;
    const calls = Math.max(3, Math.floor(2e7 / n));
    let best = Infinity;
    for (let rep = 0; rep < 3; rep++) {
      const start = cpuMs();
      for (let k = 0; k < calls; k++) bytes.copyWithin(to, from, from + n);
      best = Math.min(best, (cpuMs() - start) / calls);
    }
    return (n / (best * 1e6)).toFixed(0);
  });
  console.log(`${String(n).padStart(7)} bytes: ${speeds.join(', ')}`);
}
