/**
 * `npm run demo:web [-- --port 8080]`: builds the demo page and serves it on 127.0.0.1 until Ctrl-C.
 * Open the printed URL; `?backend=wasm`, `?backend=webgl` or `?backend=webgpu` picks the backend.
 */
import { exitUsage, numberFlag, parseCli, UsageError } from '../../scripts/cli.js';
import { buildDemoBundle, startDemoServer } from './server.js';

const args = parseCli(process.argv.slice(2), {
  command: 'demo:web',
  usage: 'npm run demo:web [-- --port N]\nBuilds the demo page and serves it on 127.0.0.1 until Ctrl-C.',
  options: {
    port: { type: 'string', value: 'N', help: 'port on 127.0.0.1, 0..65535 (default: $PORT, else any free one)' },
  },
});
let port: number | undefined;
try {
  const inRange = (n: number) => Number.isInteger(n) && n >= 0 && n <= 65535;
  port = numberFlag('port', args.port ?? process.env.PORT, inRange, 'an integer in [0, 65535]') ?? 0;
} catch (error) {
  if (!(error instanceof UsageError)) throw error;
  exitUsage('demo:web', error.message);
}
if (port !== undefined) {
  const bundle = await buildDemoBundle();
  const server = await startDemoServer({ '': bundle }, port);
  console.log(
    `tfjs-cutmix demo: ${server.url}  (backends: ${server.url}?backend=cpu | wasm | webgl | webgpu) — Ctrl-C to stop`,
  );
  const stop = () => {
    server.close().then(() => process.exit(0));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}
