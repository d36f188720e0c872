// The statistic every benchmark figure uses: the median of several runs resists the outliers a
// shared, noisy machine produces better than the mean.

/** The median of `values` (the upper one of the two middle values for an even count). */
export function median(values) {
  return [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
}
