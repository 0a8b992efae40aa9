/**
 * A stand-in for tfjs's webgpu backend whose device is a WGSL interpreter (wgsl_reflect's `WgslExec`): the
 * kernel function that ships (`cutmixPasteWebGPU`) runs unchanged — its plan buffer, its uniforms, its
 * batch copy and its box pass — and the box pass is the program's own WGSL source, parsed and executed
 * word by word. Only the module header is written here, after tfjs's `makeShader`: the private built-in
 * variables, the `Uniforms` struct from the program's `uniforms`, one storage buffer per variable and the
 * `_start` entry point that sets the built-ins and calls the program's `main`.
 *
 * Buffers are declared as i32 words whatever the dtype (tfjs declares float32 as f32): the shader only
 * moves words, and i32 keeps every bit pattern through the interpreter.
 */
import type { TensorInfo } from '@tensorflow/tfjs-core';
import type { WebGPUBackend, WebGPUProgram } from '@tensorflow/tfjs-backend-webgpu';
import { WgslExec, WgslParser } from 'wgsl_reflect/wgsl_reflect.module.js';

/**
 * The one statement form the interpreter cannot execute — a store into one component of an array's
 * vector element, `result[a][b] = images[c][d];` — rewritten to the equivalent load, component store and
 * store through a local. Everything else in the source is interpreted as written.
 */
function interpretable(code: string): string {
  return code.replace(
    /result\[([^\]]+)\]\[([^\]]+)\] = (images\[[^\]]+\]\[[^\]]+\]);/g,
    (_, a: string, b: string, value: string) => `var word = result[${a}]; word[${b}] = ${value}; result[${a}] = word;`,
  );
}

/** The whole WGSL module for `program`, as tfjs would assemble it around the program's source. */
export function wgslModule(program: WebGPUProgram & { getUserCode(): string; uniforms?: string }): string {
  const type = (components: number) => (components === 4 ? 'vec4<i32>' : 'i32');
  const output = program.outputComponent ?? 1;
  const inputs = program.variableNames.map(
    (name, i) =>
      `@group(0) @binding(${1 + i}) var<storage, read> ${name}: array<${type(program.variableComponents?.[i] ?? output)}>;`,
  );
  return `
    var<private> localId: vec3<u32>;
    var<private> localIndex: u32;
    var<private> globalId: vec3<u32>;
    var<private> numWorkgroups: vec3<u32>;
    var<private> workgroupId: vec3<u32>;
    struct Uniforms { ${program.uniforms ?? ''} };
    @group(0) @binding(0) var<storage, read_write> result: array<${type(output)}>;
    ${inputs.join('\n')}
    @group(0) @binding(${1 + program.variableNames.length}) var<uniform> uniforms: Uniforms;
    ${interpretable(program.getUserCode())}
    @compute @workgroup_size(${program.workgroupSize.join(', ')})
    fn _start(@builtin(local_invocation_id) LocalId : vec3<u32>,
              @builtin(global_invocation_id) GlobalId : vec3<u32>,
              @builtin(local_invocation_index) LocalIndex : u32,
              @builtin(workgroup_id) WorkgroupId : vec3<u32>,
              @builtin(num_workgroups) NumWorkgroups : vec3<u32>) {
      localId = LocalId;
      localIndex = LocalIndex;
      globalId = GlobalId;
      numWorkgroups = NumWorkgroups;
      workgroupId = WorkgroupId;
      main();
    }`;
}

/** The backend stand-in and a way to put a batch on it and read a tensor's words back. */
export function interpretedWebGPU(maxWorkgroups = 65535): {
  backend: WebGPUBackend;
  upload(words: Int32Array, shape: number[], dtype: 'float32' | 'int32' | 'bool'): TensorInfo;
  read(info: TensorInfo): Int32Array;
} {
  const store = new Map<object, Int32Array>();
  const sizeOf = (shape: number[]) => shape.reduce((a, b) => a * b, 1);
  const backend = {
    device: {
      limits: { maxComputeWorkgroupsPerDimension: maxWorkgroups },
      createCommandEncoder: () => {
        const copies: (() => void)[] = [];
        return {
          copyBufferToBuffer: (from: Int32Array, fromAt: number, to: Int32Array, toAt: number, bytes: number) =>
            copies.push(() => to.set(from.subarray(fromAt / 4, fromAt / 4 + bytes / 4), toAt / 4)),
          finish: () => copies,
        };
      },
    },
    queue: { submit: (buffers: (() => void)[][]) => buffers.forEach((copies) => copies.forEach((copy) => copy())) },
    tensorMap: { get: (dataId: object) => ({ resource: store.get(dataId) }) },
    makeTensorInfo(shape: number[], dtype: string, values?: Int32Array) {
      const dataId = {};
      store.set(dataId, values ? Int32Array.from(values) : new Int32Array(sizeOf(shape)));
      return { dataId, shape, dtype };
    },
    uploadToGPU: () => undefined,
    ensureCommandEncoderReady: () => undefined,
    endComputePassEncoder: () => undefined,
    submitQueue: () => undefined,
    runWebGPUProgram(
      program: WebGPUProgram & { getUserCode(): string; uniforms?: string },
      inputs: TensorInfo[],
      _dtype: string,
      uniforms: { data: number[] }[] | undefined,
      output: TensorInfo,
    ) {
      if (inputs.length === 0) return output;
      const bindings: Record<number, Int32Array> = { 0: store.get(output.dataId)! };
      inputs.forEach((input, i) => (bindings[1 + i] = store.get(input.dataId)!));
      bindings[1 + inputs.length] = Int32Array.from((uniforms ?? []).flatMap((u) => u.data));
      const exec = new WgslExec(new WgslParser().parse(wgslModule(program)));
      exec.dispatchWorkgroups('_start', program.dispatch, { 0: bindings });
      return output;
    },
    disposeData: (dataId: object) => store.delete(dataId),
  };
  return {
    backend: backend as unknown as WebGPUBackend,
    upload: (words, shape, dtype) => backend.makeTensorInfo(shape, dtype, words) as TensorInfo,
    read: (info) => store.get(info.dataId)!.slice(),
  };
}
