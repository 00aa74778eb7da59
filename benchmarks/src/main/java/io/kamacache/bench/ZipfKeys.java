package io.kamacache.bench;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * A fixed, reproducible sequence of key indices drawn from a Zipf distribution (exponent
 * {@value #EXPONENT}) over {@code population} keys: rank r is drawn with probability
 * proportional to 1/r^s by inverse-CDF sampling. Ranks are then scrambled by multiplying
 * with an odd constant modulo the (power-of-two) population, a bijection, so the hot keys
 * are spread over the key space rather than being the lowest indices, as in YCSB's
 * scrambled Zipfian.
 */
final class ZipfKeys {

    static final double EXPONENT = 1.0;

    private ZipfKeys() {
    }

    /** {@code count} indices in [0, population); population must be a power of two. */
    static int[] generate(int population, int count, long seed) {
        if (Integer.bitCount(population) != 1) {
            throw new IllegalArgumentException("population must be a power of two, was " + population);
        }
        double[] cdf = new double[population];
        double sum = 0;
        for (int rank = 1; rank <= population; rank++) {
            sum += 1.0 / Math.pow(rank, EXPONENT);
            cdf[rank - 1] = sum;
        }
        SplittableRandom random = new SplittableRandom(seed);
        int[] indices = new int[count];
        for (int i = 0; i < count; i++) {
            int found = Arrays.binarySearch(cdf, random.nextDouble() * sum);
            int rank = found >= 0 ? found : -found - 1;
            indices[i] = (int) ((rank * 0x9E3779B1L) & (population - 1));
        }
        return indices;
    }
}
