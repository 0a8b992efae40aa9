/**
 * The consumer projects of `npm run test:package` and the TypeScript settings each is checked under. Add a
 * tfjs version or a resolution mode here; the checks themselves live in test/package/consumer/.
 */
import { readFileSync } from 'node:fs';

export interface Project {
  name: string;
  /** What `npm install` gets besides the tarball (exact versions). */
  packages: string[];
  /** The tfjs-core version `npm ls` must show, once. */
  coreVersion: string;
  /** Whether @tensorflow/tfjs-data is installed (if not, only the root entry's types are checked). */
  hasData: boolean;
  /** Also typecheck with the current TypeScript 7.x, installed into the project as `npm i -D typescript` would. */
  typescript7?: boolean;
  /** consumer.json: what the ESM and CommonJS scripts load, and the backends they run on. */
  runtime: { tf: string; imports: string[]; data: string | null; layers: string; backends: string[] };
}

/** The oldest tfjs-core the peer range allows: the lower bound of a `^x.y.z` or `>=x.y.z` range. */
function oldestAllowed(): string {
  const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
    peerDependencies: Record<string, string>;
  };
  const range = pkg.peerDependencies['@tensorflow/tfjs-core'];
  const match = /^(?:\^|>=\s*)(\d+\.\d+\.\d+)$/.exec(range.trim());
  if (!match) throw new Error(`test-package: cannot read the lower bound of the tfjs-core peer range '${range}'`);
  return match[1];
}

const LATEST = '4.22.0';
const OLDEST = oldestAllowed();

/** tfjs-core with the cpu and wasm backends, tfjs-layers (the gradients) and tfjs-data, all at `version`. */
function split(name: string, version: string, withData: boolean): Project {
  const parts = [
    'tfjs-core',
    'tfjs-backend-cpu',
    'tfjs-backend-wasm',
    'tfjs-layers',
    ...(withData ? ['tfjs-data'] : []),
  ];
  return {
    name,
    packages: parts.map((p) => `@tensorflow/${p}@${version}`),
    coreVersion: version,
    hasData: withData,
    runtime: {
      tf: '@tensorflow/tfjs-core',
      imports: ['@tensorflow/tfjs-backend-cpu', '@tensorflow/tfjs-backend-wasm'],
      data: withData ? '@tensorflow/tfjs-data' : null,
      layers: '@tensorflow/tfjs-layers',
      backends: ['cpu', 'wasm'],
    },
  };
}

export const PROJECTS: Project[] = [
  { ...split(`core-${LATEST}`, LATEST, true), typescript7: true },
  ...(OLDEST === LATEST ? [] : [split(`core-${OLDEST}`, OLDEST, true)]),
  {
    name: `union-${LATEST}`,
    packages: [`@tensorflow/tfjs@${LATEST}`, `@tensorflow/tfjs-backend-wasm@${LATEST}`],
    coreVersion: LATEST,
    hasData: true,
    typescript7: true,
    runtime: {
      tf: '@tensorflow/tfjs',
      imports: ['@tensorflow/tfjs-backend-wasm'],
      data: 'union',
      layers: 'union',
      backends: ['cpu', 'wasm'],
    },
  },
  split(`no-data-${LATEST}`, LATEST, false),
];

// No `types` list: like most projects, the consumers get every installed @types package (tfjs-core's
// declarations need @types/long, which it depends on).
const STRICT = { strict: true, noEmit: true, target: 'es2020' };

/** Each is one `tsc -p`; `files` name the typed sources for projects with tfjs-data ('typed' → 'typed-root' without). */
export const TSC_VARIANTS: { name: string; options: Record<string, unknown>; files: string[] }[] = [
  {
    name: 'node16',
    options: { ...STRICT, module: 'node16', moduleResolution: 'node16' },
    files: ['typed.mts', 'typed.cts'],
  },
  {
    name: 'nodenext',
    options: { ...STRICT, module: 'nodenext', moduleResolution: 'nodenext' },
    files: ['typed.mts', 'typed.cts'],
  },
  { name: 'bundler', options: { ...STRICT, module: 'esnext', moduleResolution: 'bundler' }, files: ['typed.ts'] },
  { name: 'node10', options: { ...STRICT, module: 'commonjs', moduleResolution: 'node10' }, files: ['typed.ts'] },
];

/** The range `npm i -D typescript@7` resolves today: the current 7.x. */
export const TYPESCRIPT_7 = 'typescript@7';

/**
 * TypeScript 7 runs the same strict checks (node10 resolution no longer exists there). Without skipLibCheck
 * tfjs-core's own dependencies' declarations fail alone (the baseline tells them apart); with it, which is
 * what the README asks of TypeScript ≥ 6 users, nothing may fail.
 */
export const TSC7_VARIANTS: typeof TSC_VARIANTS = [
  ...TSC_VARIANTS.filter((v) => v.name !== 'node10').map((v) => ({ ...v, name: `ts7-${v.name}` })),
  {
    name: 'ts7-bundler-skipLibCheck',
    options: { ...STRICT, module: 'esnext', moduleResolution: 'bundler', skipLibCheck: true },
    files: ['typed.ts'],
  },
];
