/**
 * `npm run demo:web [-- --port 8080]`: builds the demo page and serves it on 127.0.0.1 until Ctrl-C.
 * Open the printed URL; `?backend=wasm`, `?backend=webgl` or `?backend=webgpu` picks the backend.
 */
import { parseArgs } from 'node:util';
import { buildDemoBundle, startDemoServer } from './server.js';

const USAGE = `usage: npm run demo:web [-- --port N]
Builds the demo page and serves it on 127.0.0.1 until Ctrl-C.
  --port N    port to listen on, 0..65535 (default: $PORT, else a free one)
  -h, --help  this text`;

/** The port from `--port` or `$PORT` (0: any free port); undefined after printing the help. */
function readPort(argv: string[]): number | undefined {
  const { values } = parseArgs({
    args: argv,
    options: { port: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
  });
  if (values.help) {
    console.log(USAGE);
    return undefined;
  }
  const raw = values.port ?? process.env.PORT;
  if (raw === undefined) return 0;
  const port = Number(raw);
  if (raw.trim() === '' || !Number.isInteger(port) || port < 0 || port > 65535)
    throw new Error(`--port must be an integer in [0, 65535], but got ${raw}.`);
  return port;
}

let port: number | undefined;
try {
  port = readPort(process.argv.slice(2));
} catch (error) {
  console.error(`demo:web: ${error instanceof Error ? error.message : String(error)} (see --help)`);
  process.exit(2);
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
