import type { DemoResult } from '../demo.js';

/** The results table the demo prints (markdown, as docs/demo.md shows it). */
export function formatTable(result: DemoResult): string {
  const rows = [
    ['run', 'train objective', 'train loss', 'train acc', 'test acc', 'test loss', 'ECE (15 bins)', 'wall time'],
    ...result.runs.map((r) => [
      r.name,
      r.lastEpochObjective.toFixed(4),
      r.train.loss.toFixed(4),
      `${(100 * r.train.accuracy).toFixed(2)} %`,
      `${(100 * r.test.accuracy).toFixed(2)} %`,
      r.test.loss.toFixed(4),
      r.test.ece.toFixed(4),
      `${r.seconds.toFixed(1)} s`,
    ]),
  ];
  const widths = rows[0].map((_, c) => Math.max(...rows.map((row) => row[c].length)));
  const line = (row: string[]) => `| ${row.map((cell, c) => cell.padEnd(widths[c])).join(' | ')} |`;
  return [line(rows[0]), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...rows.slice(1).map(line)].join('\n');
}
