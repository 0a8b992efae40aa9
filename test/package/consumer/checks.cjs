/**
 * What the consumer scripts check, on one backend, against the installed tarball. CommonJS so that both
 * consumers load the same list (the ESM one imports it); it imports nothing itself — the caller hands in the
 * package exactly as it loaded it (`import` or `require`), so the module format under test is the caller's.
 *
 * To check a new function: add `{ name, run(ctx) }` to CHECKS. `run` throws (`check` below) on a wrong result
 * and disposes what it made; the runner asserts `tf.memory().numTensors` is unchanged after every check.
 */
'use strict';
/* global module */

function check(ok, message) {
  if (!ok) throw new Error(message);
}

function close(a, b, tol = 1e-5) {
  return Math.abs(a - b) <= tol * Math.max(1, Math.abs(a), Math.abs(b));
}

/** A [n, c, h, w] float32 batch whose every element is distinct, and labels 0..n-1 mod k. */
function batch(tf, n, c, h, w, k) {
  const size = n * c * h * w;
  const images = tf.tensor4d(
    Float32Array.from({ length: size }, (_, i) => i + 0.25),
    [n, c, h, w],
  );
  const labels = tf.tensor1d(
    Int32Array.from({ length: n }, (_, i) => i % k),
    'int32',
  );
  return { images, labels, size };
}

/** Cross-entropy of one row of logits against class `label`, in float64. */
function ce(row, label) {
  const max = Math.max(...row);
  const logSum = Math.log(row.reduce((s, v) => s + Math.exp(v - max), 0)) + max;
  return logSum - row[label];
}

const CHECKS = [
  {
    name: 'cutmixBatch pastes each box from its partner (NCHW) and is reproducible per seed',
    run({ tf, lib }) {
      const [n, c, h, w] = [6, 2, 7, 9];
      const { images, labels } = batch(tf, n, c, h, w, 4);
      const r = lib.cutmixBatch(images, labels, { seed: 11, dataFormat: 'NCHW', mode: 'elem' });
      const again = lib.cutmixBatch(images, labels, { seed: 11, dataFormat: 'NCHW', mode: 'elem' });
      try {
        check(r.images.shape.join() === images.shape.join(), `images shape ${r.images.shape}`);
        check(r.lam.length === n && r.boxes.length === n && r.partners.length === n, 'one λ, box, partner each');
        check(Array.from(again.lam).join() === Array.from(r.lam).join(), 'same seed, same λ');
        check(JSON.stringify(again.boxes) === JSON.stringify(r.boxes), 'same seed, same boxes');
        const x = images.dataSync();
        const out = r.images.dataSync();
        const [a, b] = [r.labelsA.dataSync(), r.labelsB.dataSync()];
        const y = labels.dataSync();
        for (let i = 0; i < n; i++) {
          const { y1, x1, y2, x2 } = r.boxes[i];
          const p = r.partners[i];
          check(a[i] === y[i] && b[i] === y[p], `labels of sample ${i}`);
          check(close(r.lam[i], 1 - ((y2 - y1) * (x2 - x1)) / (h * w)), `λ of sample ${i} is 1 − box area`);
          for (let ch = 0; ch < c; ch++) {
            for (let yy = 0; yy < h; yy++) {
              for (let xx = 0; xx < w; xx++) {
                const inside = yy >= y1 && yy < y2 && xx >= x1 && xx < x2;
                const from = ((inside ? p : i) * c + ch) * h * w + yy * w + xx;
                const at = (i * c + ch) * h * w + yy * w + xx;
                check(out[at] === x[from], `element (${i}, ${ch}, ${yy}, ${xx}) comes from the wrong sample`);
              }
            }
          }
        }
      } finally {
        tf.dispose([images, labels, r.images, r.labelsA, r.labelsB, again.images, again.labelsA, again.labelsB]);
      }
    },
  },
  {
    name: 'cutmixLoss is the λ-weighted cross-entropy of both labels',
    run({ tf, lib }) {
      const k = 3;
      const values = [0.2, -1, 2, 1.5, 0.1, -0.3, 0, 0, 1];
      const logits = tf.tensor2d(values, [3, k]);
      const labelsA = tf.tensor1d([0, 2, 1], 'int32');
      const labelsB = tf.tensor1d([1, 2, 0], 'int32');
      const lam = Float32Array.from([0.25, 1, 0.5]);
      const loss = lib.cutmixLoss(logits, labelsA, labelsB, lam);
      try {
        const rows = [0, 1, 2].map((i) => values.slice(i * k, (i + 1) * k));
        const [a, b] = [
          [0, 2, 1],
          [1, 2, 0],
        ];
        const expected = rows.reduce((s, row, i) => s + lam[i] * ce(row, a[i]) + (1 - lam[i]) * ce(row, b[i]), 0) / 3;
        check(close(loss.dataSync()[0], expected, 1e-5), `loss ${loss.dataSync()[0]} ≠ ${expected}`);
      } finally {
        tf.dispose([logits, labelsA, labelsB, loss]);
      }
    },
  },
  {
    name: 'mixTargets gives λ·onehot(a) + (1 − λ)·onehot(b)',
    run({ tf, lib }) {
      const labelsA = tf.tensor1d([0, 3], 'int32');
      const labelsB = tf.tensor1d([2, 3], 'int32');
      const targets = lib.mixTargets(labelsA, labelsB, Float32Array.from([0.75, 0.5]), { numClasses: 4 });
      try {
        const got = Array.from(targets.dataSync());
        const expected = [0.75, 0, 0.25, 0, 0, 0, 0, 1];
        check(targets.shape.join() === '2,4', `shape ${targets.shape}`);
        check(
          got.every((v, i) => close(v, expected[i])),
          `targets ${got}`,
        );
      } finally {
        tf.dispose([labelsA, labelsB, targets]);
      }
    },
  },
  {
    name: 'CutMix class: mix (NHWC) then loss equals cutmixLoss on what it kept',
    run({ tf, lib }) {
      const images = tf.randomUniform([4, 5, 5, 3], 0, 1, 'float32', 3);
      const labels = tf.tensor1d([0, 1, 2, 1], 'int32');
      const logits = tf.tensor2d([1, 0, 0, 0, 1, 0, 0, 0, 1, 0.5, 0.5, 0], [4, 3]);
      const cutmix = new lib.CutMix({ alpha: 1, seed: 5, dataFormat: 'NHWC' });
      const r = cutmix.mix(images, labels);
      const loss = cutmix.loss(logits);
      const direct = lib.cutmixLoss(logits, r.labelsA, r.labelsB, r.lam);
      try {
        check(r.images.shape.join() === '4,5,5,3', `images shape ${r.images.shape}`);
        check(close(loss.dataSync()[0], direct.dataSync()[0]), 'loss() ≠ cutmixLoss on the kept labels');
        cutmix.training = false;
        const plain = cutmix.mix(images, labels);
        check(
          Array.from(plain.lam).every((v) => v === 1),
          'evaluation mode leaves λ = 1',
        );
        check(plain.images.dataSync().join() === images.dataSync().join(), 'evaluation mode passes images through');
        tf.dispose(plain.images);
      } finally {
        tf.dispose([images, labels, logits, r.images, loss, direct]);
        cutmix.dispose();
      }
    },
  },
  {
    name: 'cutmixDataset (tfjs-cutmix/data) yields mixed NHWC batches with soft targets',
    needs: 'data',
    async run({ tf, data, libData }) {
      const xs = tf.randomUniform([8, 4, 4, 1], 0, 1, 'float32', 9);
      const ys = tf.tensor1d([0, 1, 2, 3, 0, 1, 2, 3], 'int32');
      const [xItems, yItems] = [tf.unstack(xs), tf.unstack(ys)];
      const source = data.zip({ xs: data.array(xItems), ys: data.array(yItems) }).batch(4);
      const batches = await libData.cutmixDataset(source, { numClasses: 4, seed: 1 }).toArray();
      try {
        check(batches.length === 2, `${batches.length} batches`);
        for (const b of batches) {
          check(b.xs.shape.join() === '4,4,4,1', `xs shape ${b.xs.shape}`);
          check(b.ys.shape.join() === '4,4', `ys shape ${b.ys.shape}`);
          const t = b.ys.dataSync();
          for (let i = 0; i < 4; i++)
            check(close(t[4 * i] + t[4 * i + 1] + t[4 * i + 2] + t[4 * i + 3], 1), 'rows sum to 1');
        }
      } finally {
        tf.dispose([xs, ys, ...xItems, ...yItems, ...batches.flatMap((b) => [b.xs, b.ys])]);
      }
    },
  },
  {
    name: "the package's paste kernel is registered in the caller's tfjs engine",
    run({ tf, lib }) {
      check(tf.getKernel(lib.CUTMIX_PASTE, tf.getBackend()) !== undefined, `no ${lib.CUTMIX_PASTE} kernel`);
    },
  },
  {
    name: "applyCutmix cuts a bool mask with the images' plan (NHWC); cutmixObjects moves object boxes",
    run({ tf, lib }) {
      const [n, h, w] = [4, 6, 8];
      const values = Float32Array.from({ length: n * h * w }, (_, i) => i % 3);
      const images = tf.tensor4d(values, [n, h, w, 1]);
      const masks = tf.tensor4d(
        Uint8Array.from(values, (v) => (v === 2 ? 1 : 0)),
        [n, h, w, 1],
        'bool',
      );
      const labels = tf.tensor1d([0, 1, 0, 1], 'int32');
      const r = lib.cutmixBatch(images, labels, { seed: 3, mode: 'elem', dataFormat: 'NHWC' });
      const mixedMasks = lib.applyCutmix(masks, r, { dataFormat: 'NHWC' });
      try {
        check(mixedMasks.dtype === 'bool', `mask dtype ${mixedMasks.dtype}`);
        const truth = Array.from(r.images.dataSync(), (v) => (v === 2 ? 1 : 0));
        check(Array.from(mixedMasks.dataSync()).join() === truth.join(), "the mixed mask is the mixed image's mask");
        const objects = Array.from({ length: n }, (_, s) => [{ y1: 0, x1: 0, y2: h, x2: w, id: s }]);
        const moved = lib.cutmixObjects(objects, r, { minVisible: 0 });
        check(moved.length === n, 'one object list per sample');
        moved.forEach((list, s) => {
          const cut = r.boxes[s];
          const mixed = r.partners[s] !== s && cut.y2 > cut.y1 && cut.x2 > cut.x1;
          check(
            list.some((o) => o.id === r.partners[s]) === mixed,
            `sample ${s} gains its partner's object when mixed`,
          );
        });
      } finally {
        tf.dispose([images, masks, labels, r.images, r.labelsA, r.labelsB, mixedMasks]);
      }
    },
  },
  {
    name: 'signals (NWC, rank 3) get 1-D cuts; sigmoidCrossEntropyPerSample serves multi-hot targets',
    run({ tf, lib }) {
      const [n, len] = [3, 50];
      const signals = tf.tensor3d(
        Float32Array.from({ length: n * len }, (_, i) => i),
        [n, len, 1],
      );
      const targets = tf.tensor2d([1, 0, 1, 0, 1, 1, 0, 0, 1], [3, 3]);
      const r = lib.cutmixBatch(signals, targets, { seed: 2, dataFormat: 'NWC', placement: 'inside' });
      const logits = tf.tensor2d([2, -1, 0.5, 0, 3, -2, 1, 1, 1], [3, 3]);
      const loss = lib.cutmixLoss(logits, r.labelsA, r.labelsB, r.lam, lib.sigmoidCrossEntropyPerSample);
      try {
        r.boxes.forEach((b, s) => {
          check(Object.keys(b).join() === 'x1,x2', `box ${s} is 1-D`);
          check(close(r.lam[s], 1 - (b.x2 - b.x1) / len), `λ of ${s} is the stretch's share`);
        });
        check(Number.isFinite(loss.dataSync()[0]), 'finite multi-label loss');
      } finally {
        tf.dispose([signals, targets, r.images, r.labelsA, r.labelsB, logits, loss]);
      }
    },
  },
  {
    name: "a TF.js user's first call: an NHWC batch without dataFormat is refused naming both readings",
    run({ tf, lib }) {
      const images = tf.zeros([4, 28, 28, 1]);
      const labels = tf.tensor1d([0, 1, 2, 3], 'int32');
      try {
        let message = '';
        try {
          lib.cutmixBatch(images, labels, { seed: 1 });
        } catch (error) {
          message = error.message;
        }
        check(message.includes("'NHWC'") && message.includes("'NCHW'"), `refused naming both: ${message}`);
        for (const dataFormat of ['NHWC', 'channelsLast']) {
          const r = lib.cutmixBatch(images, labels, { seed: 1, dataFormat, lam: 0.5, placement: 'inside' });
          check(r.boxes[0].x2 - r.boxes[0].x1 === 19, `${dataFormat}: a 28×28 image's half-area box`);
          tf.dispose([r.images, r.labelsA, r.labelsB]);
        }
      } finally {
        tf.dispose([images, labels]);
      }
    },
  },
  {
    name: 'labels may be omitted; CutMix takes numClasses, labelSmoothing and the MixUp switch',
    run({ tf, lib }) {
      const images = tf.randomUniform([6, 8, 8, 1], 0, 1, 'float32', 4);
      const labels = tf.tensor1d([0, 1, 2, 3, 0, 1], 'int32');
      const plain = lib.cutmixBatch(images, undefined, { seed: 2, dataFormat: 'NHWC' });
      const cutmix = new lib.CutMix({
        seed: 3,
        dataFormat: 'NHWC',
        numClasses: 4,
        labelSmoothing: 0.1,
        switchProb: 0.5,
      });
      try {
        check(!('labelsA' in plain) && plain.images.shape.join() === '6,8,8,1', 'no labels in, none out');
        const methods = new Set();
        for (let step = 0; step < 8; step++) {
          const r = cutmix.mix(images, labels);
          methods.add(r.method);
          const targets = cutmix.targets();
          const sums = tf.tidy(() => tf.sum(targets, 1).dataSync());
          check(
            Array.from(sums).every((s) => close(s, 1)),
            'smoothed mixed targets sum to 1',
          );
          tf.dispose([r.images, targets]);
        }
        check(methods.has('cutmix') && methods.has('mixup'), `the switch drew both: ${[...methods]}`);
      } finally {
        tf.dispose([images, labels, plain.images]);
        cutmix.dispose();
      }
    },
  },
  {
    name: 'oneHotDataset (tfjs-cutmix/data) gives validation data the one-hot targets',
    needs: 'data',
    async run({ tf, data, libData }) {
      const xs = tf.zeros([4, 4, 4, 1]);
      const ys = tf.tensor1d([2, 0, 1, 2], 'int32');
      const [xItems, yItems] = [tf.unstack(xs), tf.unstack(ys)];
      const source = data.zip({ xs: data.array(xItems), ys: data.array(yItems) }).batch(4);
      const [b] = await libData.oneHotDataset(source, { numClasses: 3 }).toArray();
      try {
        check(b.ys.dtype === 'float32' && b.ys.shape.join() === '4,3', `ys ${b.ys.dtype} [${b.ys.shape}]`);
        check(Array.from(b.ys.dataSync()).join() === '0,0,1,1,0,0,0,1,0,0,0,1', 'one-hot rows');
      } finally {
        tf.dispose([xs, ys, ...xItems, ...yItems, b.xs, b.ys]);
      }
    },
  },
  {
    name: 'tfjs-cutmix/wasm-grad: a conv2d model trains on wasm with CutMix (the loss falls)',
    backends: ['wasm'],
    async run({ tf, lib, layers, libWasmGrad }) {
      check(libWasmGrad.WASM_GRADIENT_KERNELS.includes('Conv2DBackpropFilter'), 'the entry lists its kernels');
      check(tf.getKernel('Conv2DBackpropFilter', 'wasm') !== undefined, 'importing the entry registered it');
      check(Array.isArray(libWasmGrad.registerWasmGradients()), 'registerWasmGradients() returns the names');
      // Two classes of 8×8 images (NHWC): the bright half is the left one or the right one.
      const n = 8;
      const pixels = new Float32Array(n * 64);
      for (let i = 0; i < n; i++) for (let p = 0; p < 64; p++) pixels[i * 64 + p] = p % 8 < 4 === (i % 2 === 0) ? 1 : 0;
      const xs = tf.tensor4d(pixels, [n, 8, 8, 1]);
      const ys = tf.tensor1d(
        Int32Array.from({ length: n }, (_, i) => i % 2),
        'int32',
      );
      const init = (seed) => layers.initializers.glorotUniform({ seed });
      const model = layers.sequential({
        layers: [
          layers.layers.conv2d({ inputShape: [8, 8, 1], filters: 4, kernelSize: 3, kernelInitializer: init(1) }),
          layers.layers.flatten(),
          layers.layers.dense({ units: 2, kernelInitializer: init(2) }),
        ],
      });
      const optimizer = tf.train.adam(0.05);
      const losses = [];
      try {
        for (let step = 0; step < 15; step++) {
          const loss = optimizer.minimize(() => {
            const mixed = lib.cutmixBatch(xs, ys, { seed: step, dataFormat: 'NHWC', prob: 0.5 });
            return lib.cutmixLoss(model.apply(mixed.images), mixed.labelsA, mixed.labelsB, mixed.lam);
          }, true);
          losses.push((await loss.data())[0]);
          loss.dispose();
        }
        const mean = (a) => a.reduce((s, v) => s + v, 0) / a.length;
        check(losses.every(Number.isFinite), `finite losses ${losses}`);
        check(
          mean(losses.slice(-3)) < 0.8 * mean(losses.slice(0, 3)),
          `the loss falls: ${losses.map((l) => l.toFixed(3))}`,
        );
      } finally {
        model.dispose();
        optimizer.dispose();
        tf.dispose([xs, ys]);
      }
    },
  },
  {
    name: "tfjs-cutmix/wasm-grad: max pooling trains on wasm with the cpu backend's gradients (tfjs 4.22's own drops all-negative windows)",
    backends: ['wasm'],
    async run({ tf, layers, libWasmGrad }) {
      check(libWasmGrad.WASM_GRADIENT_KERNELS.includes('MaxPoolGrad'), 'the entry lists MaxPoolGrad');
      check(libWasmGrad.registerWasmGradients().includes('MaxPoolGrad'), "this package's MaxPoolGrad runs on wasm");
      // Two 2×2 windows, the second of negative values only: its gradient belongs to −0.1.
      const x = tf.tensor4d([1, 2, -0.5, -0.1, 3, 4, -0.3, -0.2], [1, 2, 4, 1]);
      const dy = tf.tensor4d([2, 3], [1, 1, 2, 1]);
      const g = tf.grad((v) => tf.mul(tf.maxPool(v, 2, 2, 'valid'), dy))(x);
      const got = Array.from(g.dataSync());
      tf.dispose([x, dy, g]);
      check(got.join() === '0,0,0,3,0,2,0,0', `maxPool gradient ${got}`);
      // A linear conv2d into max pooling, biased below 0 so that many windows hold negative values only (on
      // these inputs tfjs's own kernel gets 30 of the 56 weight gradients wrong): wasm's against cpu's.
      const init = (seed) => layers.initializers.glorotUniform({ seed });
      const model = layers.sequential({
        layers: [
          layers.layers.conv2d({
            inputShape: [6, 6, 1],
            filters: 3,
            kernelSize: 3,
            kernelInitializer: init(3),
            biasInitializer: layers.initializers.constant({ value: -1 }),
          }),
          layers.layers.maxPooling2d({ poolSize: 2 }),
          layers.layers.flatten(),
          layers.layers.dense({ units: 2, kernelInitializer: init(4) }),
        ],
      });
      const xs = tf.tensor4d(
        Float32Array.from({ length: 4 * 36 }, (_, i) => Math.sin(i * 1.7)),
        [4, 6, 6, 1],
      );
      const ys = tf.tidy(() => tf.oneHot(tf.tensor1d([0, 1, 1, 0], 'int32'), 2));
      const gradients = () => {
        const { value, grads } = tf.variableGrads(() =>
          tf.losses.softmaxCrossEntropy(ys, model.apply(xs, { training: true })),
        );
        const values = Object.keys(grads)
          .sort()
          .map((k) => Array.from(grads[k].dataSync()));
        tf.dispose([value, ...Object.values(grads)]);
        return values;
      };
      try {
        const onWasm = gradients();
        check(await tf.setBackend('cpu'), 'the cpu backend');
        const onCpu = gradients();
        check(onWasm.length === onCpu.length && onWasm.length === 4, `${onWasm.length} weight gradients`);
        onWasm.forEach((w, i) =>
          w.forEach((v, j) => check(close(v, onCpu[i][j], 1e-4), `weight ${i}[${j}]: wasm ${v}, cpu ${onCpu[i][j]}`)),
        );
      } finally {
        await tf.setBackend('wasm');
        model.dispose();
        tf.dispose([xs, ys]);
      }
    },
  },
];

/**
 * Runs every check on each backend; returns the counts and the failures as lines.
 * @param ctx `{ tf, data, layers, lib, libData, libWasmGrad, backends }`: tfjs-core (or the union package),
 *   tf.data (null in a project without tfjs-data: checks that need it are skipped), tfjs-layers (or the
 *   union package), and the package's root, `/data` and `/wasm-grad` entries as the caller loaded them. A
 *   check with `backends` runs on those only.
 */
async function runChecks(ctx) {
  const failures = [];
  let [passed, skipped] = [0, 0];
  for (const backend of ctx.backends) {
    check(await ctx.tf.setBackend(backend), `backend ${backend} failed to initialise`);
    await ctx.tf.ready();
    for (const { name, run, needs, backends } of CHECKS) {
      if ((needs === 'data' && !ctx.data) || (backends && !backends.includes(backend))) {
        skipped++;
        continue;
      }
      const before = ctx.tf.memory().numTensors;
      try {
        await run(ctx);
        const after = ctx.tf.memory().numTensors;
        check(after === before, `numTensors ${before} → ${after}`);
        passed++;
      } catch (error) {
        failures.push(`[${backend}] ${name}: ${error && error.stack ? error.stack : error}`);
      }
    }
  }
  return { passed, skipped, failures };
}

module.exports = { CHECKS, runChecks };
