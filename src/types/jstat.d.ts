// jstat ships no types; only the part this package calls is declared.
declare module 'jstat' {
  interface JStat {
    /** ln B(a, b). */
    betaln(a: number, b: number): number;
    /** The regularised incomplete beta function I_x(a, b): Beta(a, b)'s CDF at x. */
    ibeta(x: number, a: number, b: number): number;
    beta: { cdf(x: number, a: number, b: number): number; sample(a: number, b: number): number };
    normal: { inv(p: number, mean: number, sd: number): number };
  }
  const jStat: JStat;
  export default jStat;
}
