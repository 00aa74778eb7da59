package io.kamacache.eviction;

/**
 * How much a store may hold: a bound on the summed entry weight in bytes and a bound on
 * the number of entries. Zero means that dimension is unbounded; with both zero the store
 * never evicts.
 *
 * @param maxBytes   the most weight the store keeps, or 0 for no bound
 * @param maxEntries the most entries the store keeps, or 0 for no bound
 */
public record Capacity(long maxBytes, long maxEntries) {

    /** No bound at all. */
    public static final Capacity UNBOUNDED = new Capacity(0, 0);

    public Capacity {
        if (maxBytes < 0) {
            throw new IllegalArgumentException("maxBytes must be 0 (unbounded) or positive, was " + maxBytes);
        }
        if (maxEntries < 0) {
            throw new IllegalArgumentException("maxEntries must be 0 (unbounded) or positive, was " + maxEntries);
        }
    }

    /** Whether either dimension is bounded. */
    public boolean isBounded() {
        return maxBytes > 0 || maxEntries > 0;
    }

    /** Whether a store holding {@code weight} bytes in {@code entries} entries is over this capacity. */
    public boolean isExceededBy(long weight, long entries) {
        return (maxBytes > 0 && weight > maxBytes) || (maxEntries > 0 && entries > maxEntries);
    }

    /** Whether a single entry of this weight could never fit. */
    public boolean isTooHeavy(long weight) {
        return maxBytes > 0 && weight > maxBytes;
    }

    /**
     * This capacity scaled by {@code fraction} in each bounded dimension (at least one
     * unit), as 2Q sizes its queues.
     */
    Capacity fraction(double fraction) {
        return new Capacity(scale(maxBytes, fraction), scale(maxEntries, fraction));
    }

    private static long scale(long bound, double fraction) {
        return bound == 0 ? 0 : Math.max(1, (long) (bound * fraction));
    }
}
