/**
 * `npm run test:package`: the package as a user installs it. Packs the tarball (the `prepack` build runs),
 * installs it into fresh consumer projects in the system's temporary directory (outside the repository, so
 * nothing resolves to the source), and runs in each: an ES module and a CommonJS script (test/package/
 * consumer/checks.cjs, on cpu and wasm, with `tf.memory().numTensors` checked after every check; they load
 * all three entries, and train a conv2d model on wasm through `tfjs-cutmix/wasm-grad`), that entry bundled
 * by esbuild (its `sideEffects` entry kept), and `tsc --noEmit --strict` (no skipLibCheck) under
 * moduleResolution node16, nodenext, bundler and node10 with the repository's TypeScript 5.9, and, where a
 * project installs the current TypeScript 7.x, under node16, nodenext and bundler (and bundler with
 * skipLibCheck, which must be clean). It also fails when installing the tarball prints an install-script
 * warning or its package.json carries a lifecycle script a consumer would be asked to approve.
 *
 * Projects: tfjs-core/cpu/wasm/layers/data 4.22.0; the oldest version the peer range allows; the
 * `@tensorflow/tfjs` 4.22.0 union package (+ wasm); and 4.22.0 without `@tensorflow/tfjs-data`, where only
 * the root entry's types must check and `tfjs-cutmix/data`'s must fail naming the missing package. Every
 * project must hold exactly one tfjs-core (`npm ls`). Installs reuse npm's cache (`--prefer-offline`).
 */
import { build } from 'esbuild';
import { execFile } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { parseCli, runCli, UsageError } from './cli.js';
import { PROJECTS, TSC7_VARIANTS, TSC_VARIANTS, TYPESCRIPT_7, type Project } from './test-package.projects.js';

const run = promisify(execFile);
const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const CONSUMER = join(ROOT, 'test/package/consumer');
const TSC = join(ROOT, 'node_modules/typescript/bin/tsc');

/** A file that uses tfjs-core alone: what its declarations give without this package. */
const BASELINE = "import * as tf from '@tensorflow/tfjs-core';\nexport const version: string = tf.version_core;\n";

interface Outcome {
  name: string;
  ok: boolean;
  detail: string;
}

const outcomes: Outcome[] = [];
function record(name: string, ok: boolean, detail = ''): void {
  outcomes.push({ name, ok, detail });
  console.log(`${ok ? 'ok  ' : 'FAIL'} ${name}${detail ? `  — ${detail}` : ''}`);
}

/** Runs a command; resolves with its output and exit code instead of throwing on a non-zero exit. */
async function sh(file: string, args: string[], cwd: string): Promise<{ code: number; out: string; stdout: string }> {
  try {
    const { stdout, stderr } = await run(file, args, { cwd, maxBuffer: 64 * 2 ** 20, timeout: 300_000 });
    return { code: 0, out: `${stdout}${stderr}`, stdout };
  } catch (error) {
    const e = error as { code?: number | string; stdout?: string; stderr?: string; message: string };
    const stdout = e.stdout ?? '';
    return { code: typeof e.code === 'number' ? e.code : 1, out: `${stdout}${e.stderr ?? e.message}`, stdout };
  }
}

const seconds = (since: number) => `${((performance.now() - since) / 1000).toFixed(1)} s`;

/** `npm pack` into `dir`; prints the tarball's files and sizes, returns its path. */
async function pack(dir: string): Promise<string> {
  const started = performance.now();
  const { code, out, stdout } = await sh('npm', ['pack', '--json', '--pack-destination', dir], ROOT);
  if (code !== 0) throw new Error(`npm pack failed:\n${out}`);
  // The prepack build logs to stdout before the JSON, which starts at the first line that is just '['.
  const [info] = JSON.parse(stdout.slice(stdout.indexOf('\n[\n') + 1)) as {
    filename: string;
    size: number;
    unpackedSize: number;
    files: { path: string; size: number }[];
  }[];
  console.log(
    `packed ${info.filename}: ${info.files.length} files, ${info.size} B packed, ${info.unpackedSize} B unpacked (${seconds(started)})`,
  );
  for (const f of info.files) console.log(`  ${String(f.size).padStart(7)}  ${f.path}`);
  return join(dir, info.filename);
}

/** Installs the tarball and the project's tfjs packages into a fresh directory under the system's tmp. */
async function install(project: Project, tarball: string): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), `tfjs-cutmix-consumer-${project.name}-`));
  writeFileSync(join(dir, 'package.json'), `${JSON.stringify({ name: 'consumer', private: true }, null, 2)}\n`);
  for (const f of ['checks.cjs', 'esm.mjs', 'cjs.cjs', 'typed.ts', 'typed-root.ts']) {
    copyFileSync(join(CONSUMER, f), join(dir, f));
  }
  // The same typed sources as an ES module and as CommonJS for node16/nodenext.
  for (const base of ['typed', 'typed-root']) {
    copyFileSync(join(CONSUMER, `${base}.ts`), join(dir, `${base}.mts`));
    copyFileSync(join(CONSUMER, `${base}.ts`), join(dir, `${base}.cts`));
  }
  writeFileSync(join(dir, 'consumer.json'), `${JSON.stringify(project.runtime, null, 2)}\n`);
  for (const ext of ['ts', 'mts', 'cts']) writeFileSync(join(dir, `baseline.${ext}`), BASELINE);
  for (const v of [...TSC_VARIANTS, ...(project.typescript7 ? TSC7_VARIANTS : [])]) {
    const files = v.files.map((f) => (project.hasData ? f : f.replace('typed', 'typed-root')));
    const config = (names: string[]) => JSON.stringify({ compilerOptions: v.options, files: names }, null, 2);
    writeFileSync(join(dir, `tsconfig.${v.name}.json`), config(files));
    writeFileSync(
      join(dir, `tsconfig.${v.name}.baseline.json`),
      config(files.map((f) => f.replace(/typed(-root)?/, 'baseline'))),
    );
  }
  const started = performance.now();
  const packages = [...project.packages, ...(project.typescript7 ? [TYPESCRIPT_7] : [])];
  // Warnings shown: an install script of ours would be one (npm asks users to approve it).
  const args = ['install', '--prefer-offline', '--no-audit', '--no-fund', '--loglevel=warn', tarball, ...packages];
  const { code, out } = await sh('npm', args, dir);
  record(`[${project.name}] npm install ${packages.join(' ')}`, code === 0, code ? out.trim() : seconds(started));
  if (code !== 0) throw new Error(`install failed in ${dir}`);
  const ours = out.split('\n').filter((l) => /install.?script/i.test(l) && l.includes('tfjs-cutmix'));
  const { scripts = {} } = JSON.parse(readFileSync(join(dir, 'node_modules/tfjs-cutmix/package.json'), 'utf8')) as {
    scripts?: Record<string, string>;
  };
  const lifecycle = ['preinstall', 'install', 'postinstall', 'prepare'].filter((s) => s in scripts);
  record(
    `[${project.name}] installing the tarball asks no approval: no install script in its package.json`,
    ours.length === 0 && lifecycle.length === 0,
    [...ours, ...lifecycle.map((s) => `scripts.${s}: ${scripts[s]}`)].join('; '),
  );
  return dir;
}

/** tsc's error lines, without the file-independent summary. */
const errorLines = (out: string) => new Set(out.split('\n').filter((l) => l.includes('error TS')));

/**
 * `tsc -p tsconfig.<variant>.json`. When it fails, the same settings compile a file that imports only
 * tfjs-core: errors that also appear there come from tfjs's own declarations (tfjs-core < 4.10 depends on
 * @types/webgl-ext, which clashes with current TypeScript's DOM library), not from this package, and are reported
 * as such; any other error fails.
 */
async function typecheck(project: Project, dir: string, variant: string, tsc = TSC): Promise<void> {
  const name = `[${project.name}] tsc --strict, ${variant}`;
  const { code, out } = await sh(process.execPath, [tsc, '-p', `tsconfig.${variant}.json`], dir);
  if (code === 0) return record(name, true);
  const base = await sh(process.execPath, [tsc, '-p', `tsconfig.${variant}.baseline.json`], dir);
  const own = [...errorLines(out)].filter((l) => !errorLines(base.out).has(l));
  if (base.code !== 0 && own.length === 0) {
    const where = [...new Set([...errorLines(base.out)].map((l) => l.split('(')[0]))].join(', ');
    return record(
      name,
      true,
      `no errors of its own; tfjs's declarations fail alone too (${errorLines(base.out).size} in ${where})`,
    );
  }
  record(name, false, out.trim());
}

/**
 * `import 'tfjs-cutmix/wasm-grad'` bundled by a bundler that honours package.json's `sideEffects` (esbuild;
 * webpack and Rollup read it the same way): the bare import must survive and register the kernels. tfjs stays
 * external, resolved from the project as at run time.
 */
async function bundledSideEffect(project: Project, dir: string): Promise<void> {
  const name = `[${project.name}] bundled (esbuild, sideEffects honoured): import 'tfjs-cutmix/wasm-grad' registers`;
  writeFileSync(
    join(dir, 'bundle-entry.mjs'),
    "import * as tf from '@tensorflow/tfjs-core';\nimport 'tfjs-cutmix/wasm-grad';\n" +
      "console.log(tf.getKernel('Conv2DBackpropFilter', 'wasm') === undefined ? 'missing' : 'registered');\n",
  );
  const result = await build({
    entryPoints: ['bundle-entry.mjs'],
    absWorkingDir: dir,
    bundle: true,
    format: 'esm',
    platform: 'node',
    outfile: 'bundle.mjs',
    external: ['@tensorflow/*'],
    logLevel: 'silent',
  });
  const warnings = result.warnings.map((w) => w.text);
  const { code, out } = await sh(process.execPath, ['bundle.mjs'], dir);
  const ok = code === 0 && out.trim() === 'registered' && warnings.length === 0;
  record(name, ok, ok ? '' : `${out.trim()} ${warnings.join('; ')}`);
}

async function testProject(project: Project, tarball: string, keep: boolean): Promise<void> {
  const dir = await install(project, tarball);
  try {
    const ls = await sh('npm', ['ls', '@tensorflow/tfjs-core', '--all', '--parseable'], dir);
    const copies = new Set(ls.out.split('\n').filter((l) => l.includes('node_modules')));
    const version = (
      JSON.parse(readFileSync(join(dir, 'node_modules/@tensorflow/tfjs-core/package.json'), 'utf8')) as {
        version: string;
      }
    ).version;
    record(
      `[${project.name}] one tfjs-core in npm ls (${version})`,
      copies.size === 1 && version === project.coreVersion,
      `${copies.size} cop${copies.size === 1 ? 'y' : 'ies'}, version ${version}, expected ${project.coreVersion}`,
    );
    for (const script of ['esm.mjs', 'cjs.cjs']) {
      const started = performance.now();
      const { code, out } = await sh(process.execPath, [script], dir);
      const summary = out.split('\n').find((l) => l.includes('checks passed')) ?? '(no summary line)';
      record(`[${project.name}] node ${script}`, code === 0, code ? out.trim() : `${summary} (${seconds(started)})`);
    }
    await bundledSideEffect(project, dir);
    // The typechecks are independent: run them together (tsc is single-threaded).
    await Promise.all(TSC_VARIANTS.map((v) => typecheck(project, dir, v.name)));
    if (project.typescript7) {
      // The project's own TypeScript, as `npm i -D typescript@7` installed it.
      const tsc7 = join(dir, 'node_modules/typescript/bin/tsc');
      const { out } = await sh(process.execPath, [tsc7, '--version'], dir);
      console.log(`  [${project.name}] ${out.trim()}`);
      await Promise.all(TSC7_VARIANTS.map((v) => typecheck(project, dir, v.name, tsc7)));
    }
    if (!project.hasData) {
      // /data's declarations import tfjs-data: without it tsc must fail and name the package to install.
      writeFileSync(
        join(dir, 'needs-data.ts'),
        "import { cutmixDataset } from 'tfjs-cutmix/data';\nexport { cutmixDataset };\n",
      );
      const options = TSC_VARIANTS.find((v) => v.name === 'bundler')?.options;
      writeFileSync(
        join(dir, 'tsconfig.needs-data.json'),
        JSON.stringify({ compilerOptions: options, files: ['needs-data.ts'] }),
      );
      const { code, out } = await sh(process.execPath, [TSC, '-p', 'tsconfig.needs-data.json'], dir);
      const named = out.includes("Cannot find module '@tensorflow/tfjs-data'");
      record(
        `[${project.name}] tfjs-cutmix/data without tfjs-data: tsc names the missing package`,
        code !== 0 && named,
        named ? '' : out.trim(),
      );
    }
  } finally {
    if (keep) console.log(`  kept ${dir}`);
    else rmSync(dir, { recursive: true, force: true });
  }
}

await runCli('test:package', async () => {
  const args = parseCli(process.argv.slice(2), {
    command: 'test:package',
    usage: 'npm run test:package [-- --only NAME[,NAME]] [--tarball FILE] [--keep]',
    options: {
      only: {
        type: 'string',
        value: 'NAMES',
        help: `run only these projects (${PROJECTS.map((p) => p.name).join(', ')})`,
      },
      tarball: { type: 'string', value: 'FILE', help: 'test this tarball instead of packing the working tree' },
      keep: { type: 'boolean', help: 'keep the consumer projects (their paths are printed)' },
    },
    notes: ['Installs come from npm (cache first); the projects live in the system temporary directory.'],
  });
  const only = args.only?.split(',');
  const unknown = only?.filter((n) => !PROJECTS.some((p) => p.name === n)) ?? [];
  if (unknown.length) throw new UsageError(`--only: no project named ${unknown.join(', ')}`);
  const started = performance.now();
  const work = mkdtempSync(join(tmpdir(), 'tfjs-cutmix-pack-'));
  try {
    const tarball = args.tarball ? resolve(args.tarball) : await pack(work);
    for (const project of PROJECTS.filter((p) => !only || only.includes(p.name))) {
      try {
        await testProject(project, tarball, args.keep ?? false);
      } catch (error) {
        record(`[${project.name}]`, false, error instanceof Error ? error.message : String(error));
      }
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  const failed = outcomes.filter((o) => !o.ok).length;
  console.log(`test:package took ${seconds(started)}`);
  console.log(`package: ${outcomes.length - failed} passed, ${failed} failed`);
  process.exitCode = failed ? 1 : 0;
});
