// wgsl_reflect's ESM build, imported by path: its package entry for Node lacks the interpreter.
declare module 'wgsl_reflect/wgsl_reflect.module.js' {
  export * from 'wgsl_reflect';
}
