package dev.crmsync.benchmarks;

import java.util.Arrays;
import java.util.List;

/**
 * Median and spread of a few measurements.
 *
 * @param median the median (the mean of the middle two for an even count)
 * @param min the smallest
 * @param max the largest
 * @param n how many
 */
record Stats(double median, double min, double max, int n) {

    /**
     * @param values at least one value
     * @return their statistics
     */
    static Stats of(List<Double> values) {
        if (values.isEmpty()) {
            throw new IllegalArgumentException("no values");
        }
        double[] v = values.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        int n = v.length;
        double median = n % 2 == 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
        return new Stats(median, v[0], v[n - 1], n);
    }

    /** @return (max − min) / median, as a percentage: the spread of the runs */
    double spreadPercent() {
        return median == 0 ? 0 : (max - min) / median * 100;
    }

    @Override
    public String toString() {
        return "Stats" + Arrays.toString(new double[] {median, min, max}) + "(n=" + n + ")";
    }
}
