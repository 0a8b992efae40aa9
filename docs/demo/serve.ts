/**
 * `npm run demo:web [-- --port 8080]`: builds the demo page and serves it on 127.0.0.1 until Ctrl-C.
 * Open the printed URL; `?backend=wasm` or `?backend=webgl` picks the backend.
 */
import { buildDemoBundle, startDemoServer } from './server.js';

function readPort(argv: string[]): number {
  const i = argv.indexOf('--port');
  const raw = i >= 0 ? argv[i + 1] : process.env.PORT;
  if (raw === undefined) return 0;
  const port = Number(raw);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new Error(`--port must be an integer in [0, 65535], but got ${raw}.`);
  return port;
}

const port = readPort(process.argv.slice(2));
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
