/**
 * Runs a tfjs WebGL program's `userCode` — GLSL ES 3.0 of the small subset a paste program uses — on the
 * CPU, one output element at a time: integer scalars and vectors (`int`, `bool`, `ivec3`, `ivec4`, tfjs's
 * `ivec5` struct with fields x, y, z, w, u), swizzles, constructors, the component-wise comparisons and
 * `all`/`any`, `round`, `int`, the ternary operator, uniform arrays, and tfjs's generated accessors
 * (`getOutputCoords`, `get<Input>(…)`, `setOutput`). The source is translated statement by statement into
 * JavaScript; anything outside the subset fails the translation instead of being guessed at.
 */

type Vec = number[] & Record<string, unknown>;

const COMPONENTS = 'xyzwu';

/** A vector whose swizzles (`v.x`, `v.yzw`) read like GLSL's. */
function vec(values: number[]): Vec {
  return new Proxy(values, {
    get(target, key, receiver) {
      if (typeof key === 'string' && /^[xyzwu]+$/.test(key)) {
        const picked = [...key].map((c) => {
          const i = COMPONENTS.indexOf(c);
          if (i >= target.length) throw new Error(`swizzle .${key} on a vector of ${target.length}`);
          return target[i];
        });
        return picked.length === 1 ? picked[0] : vec(picked);
      }
      return Reflect.get(target, key, receiver);
    },
  }) as Vec;
}

const componentwise = (f: (a: number, b: number) => boolean) => (a: Vec, b: Vec) => {
  if (a.length !== b.length) throw new Error(`comparison of vectors of ${a.length} and ${b.length}`);
  return a.map((v, i) => (f(v, b[i]) ? 1 : 0));
};

/** GLSL built-ins of the subset, by name. */
const BUILTINS: Record<string, (...args: never[]) => unknown> = {
  ivec3: (...v: number[]) => vec(v),
  ivec4: (...v: number[]) => vec(v),
  int: (v: number) => Math.trunc(v),
  round: (v: number) => Math.round(v),
  all: (v: number[]) => v.every((x) => x !== 0),
  any: (v: number[]) => v.some((x) => x !== 0),
  lessThan: componentwise((a, b) => a < b),
  lessThanEqual: componentwise((a, b) => a <= b),
  greaterThan: componentwise((a, b) => a > b),
  greaterThanEqual: componentwise((a, b) => a >= b),
  equal: componentwise((a, b) => a === b),
  notEqual: componentwise((a, b) => a !== b),
};

/** Translates `void main() { … }` into the body of a JavaScript function. */
function translate(userCode: string): string {
  const match = /void\s+main\s*\(\s*\)\s*\{([\s\S]*)\}\s*$/.exec(userCode.trim());
  if (!match) throw new Error('no void main() { … } in the program');
  return match[1]
    .split(';')
    .map((statement) => statement.trim())
    .filter((statement) => statement.length > 0)
    .map((statement) => {
      const declaration = /^(int|bool|ivec3|ivec4|ivec5)\s+(\w+)\s*=\s*([\s\S]+)$/.exec(statement);
      const code = declaration ? `const ${declaration[2]} = ${declaration[3]}` : statement;
      if (/[{}]|\b(for|while|if|float|vec[234]|uniform)\b/.test(code)) {
        throw new Error(`outside the evaluated subset: ${statement}`);
      }
      return `${code};`;
    })
    .join('\n');
}

export interface GlslInputs {
  /** Output shape (the program's outputShape). */
  shape: readonly number[];
  /** Each input by its variable name, with its shape: read through `get<Name>(coords…)`. */
  inputs: Record<string, { values: ArrayLike<number>; shape: readonly number[] }>;
  /** Uniform arrays by name, as flat numbers grouped by `width` (4 for an `ivec4[]`). */
  uniforms?: Record<string, { values: readonly number[]; width: number }>;
}

/** Runs `userCode` once per output element and returns the values it set. */
export function evaluateGlsl(userCode: string, { shape, inputs, uniforms = {} }: GlslInputs): number[] {
  const names = Object.keys(inputs);
  const getters = names.map((name) => `get${name[0].toUpperCase()}${name.slice(1)}`);
  const uniformNames = Object.keys(uniforms);
  const params = ['getOutputCoords', 'setOutput', ...getters, ...uniformNames, ...Object.keys(BUILTINS)];
  const main = new Function(...params, translate(userCode)) as (...args: unknown[]) => void;
  const strides = (s: readonly number[]) => s.map((_, a) => s.slice(a + 1).reduce((x, y) => x * y, 1));
  const accessors = names.map((name) => {
    const { values, shape: inShape } = inputs[name];
    const st = strides(inShape);
    return (...coords: number[]) => {
      if (coords.length !== inShape.length) throw new Error(`get${name} with ${coords.length} coordinates`);
      coords.forEach((c, a) => {
        if (!Number.isInteger(c) || c < 0 || c >= inShape[a]) throw new Error(`get${name} out of range: [${coords}]`);
      });
      return values[coords.reduce((at, c, a) => at + c * st[a], 0)];
    };
  });
  const uniformArrays = uniformNames.map((name) => {
    const { values, width } = uniforms[name];
    return Array.from({ length: values.length / width }, (_, i) => vec(values.slice(i * width, (i + 1) * width)));
  });
  const size = shape.reduce((a, b) => a * b, 1);
  const st = strides(shape);
  const out = new Array<number>(size);
  for (let i = 0; i < size; i++) {
    const coords = vec(shape.map((_, a) => Math.floor(i / st[a]) % shape[a]));
    let written = false;
    const setOutput = (v: number) => {
      if (written) throw new Error('setOutput called twice');
      written = true;
      out[i] = v;
    };
    main(() => coords, setOutput, ...accessors, ...uniformArrays, ...Object.values(BUILTINS));
    if (!written) throw new Error(`no output at flat index ${i}`);
  }
  return out;
}
