// jstat ships no types; only the part this package calls is declared.
declare module 'jstat' {
  interface JStatBeta {
    sample(alpha: number, beta: number): number;
    cdf(x: number, alpha: number, beta: number): number;
  }
  interface JStat {
    _random_fn: () => number;
    setRandom(fn: () => number): void;
    beta: JStatBeta;
  }
  const jStat: JStat;
  export default jStat;
}
