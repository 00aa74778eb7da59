package io.kamacache.store;

import io.kamacache.eviction.Capacity;
import io.kamacache.config.PolicyKind;
import io.kamacache.eviction.TwoQueuePolicy;

import java.time.Duration;
import java.util.Objects;

/**
 * How a store (and so a group) is bounded and evicts: capacity in bytes and/or entries,
 * the eviction policy with 2Q's queue shares, and a default time to live for entries
 * written without an explicit expiry. Immutable; build with {@link #builder()}.
 * The defaults are unbounded, LRU, 2Q shares of 25 % and 50 %, and no expiry.
 */
public final class StoreOptions {

    private static final StoreOptions DEFAULTS = builder().build();

    private final Capacity capacity;
    private final PolicyKind policy;
    private final double a1inFraction;
    private final double a1outFraction;
    private final Duration expireAfterWrite;

    private StoreOptions(Builder b) {
        this.capacity = new Capacity(b.maxBytes, b.maxEntries);
        this.policy = b.policy;
        this.a1inFraction = b.a1inFraction;
        this.a1outFraction = b.a1outFraction;
        this.expireAfterWrite = b.expireAfterWrite;
        // Validate the 2Q shares eagerly so a bad value fails at configuration time.
        new TwoQueuePolicy(capacity, a1inFraction, a1outFraction);
    }

    /** Unbounded LRU with no expiry. */
    public static StoreOptions defaults() {
        return DEFAULTS;
    }

    public static Builder builder() {
        return new Builder();
    }

    public Capacity capacity() {
        return capacity;
    }

    public PolicyKind policy() {
        return policy;
    }

    public double a1inFraction() {
        return a1inFraction;
    }

    public double a1outFraction() {
        return a1outFraction;
    }

    /** The time to live of entries written without an explicit expiry, or null for none. */
    public Duration expireAfterWrite() {
        return expireAfterWrite;
    }

    /**
     * These options with another eviction policy and bounds.
     *
     * @throws IllegalArgumentException when a bound is negative
     */
    public StoreOptions withBounds(PolicyKind policy, long maxBytes, long maxEntries) {
        return builder().policy(policy).maxBytes(maxBytes).maxEntries(maxEntries)
                .a1inFraction(a1inFraction).a1outFraction(a1outFraction).expireAfterWrite(expireAfterWrite)
                .build();
    }

    @Override
    public String toString() {
        return "StoreOptions{maxBytes=" + capacity.maxBytes() + ", maxEntries=" + capacity.maxEntries()
                + ", policy=" + policy.configName() + ", a1in=" + a1inFraction + ", a1out=" + a1outFraction
                + ", expireAfterWrite=" + expireAfterWrite + '}';
    }

    /** Builds {@link StoreOptions}; every setter validates its argument. */
    public static final class Builder {
        private long maxBytes;
        private long maxEntries;
        private PolicyKind policy = PolicyKind.LRU;
        private double a1inFraction = TwoQueuePolicy.DEFAULT_A1IN_FRACTION;
        private double a1outFraction = TwoQueuePolicy.DEFAULT_A1OUT_FRACTION;
        private Duration expireAfterWrite;

        private Builder() {
        }

        /** The most bytes (keys, values and per-entry overhead) to keep; 0 for no bound. */
        public Builder maxBytes(long maxBytes) {
            this.maxBytes = requireNonNegative("maxBytes", maxBytes);
            return this;
        }

        /** The most entries to keep; 0 for no bound. */
        public Builder maxEntries(long maxEntries) {
            this.maxEntries = requireNonNegative("maxEntries", maxEntries);
            return this;
        }

        public Builder policy(PolicyKind policy) {
            this.policy = Objects.requireNonNull(policy, "policy");
            return this;
        }

        /** 2Q's share of the capacity for new entries ({@code Kin}), in (0, 1). */
        public Builder a1inFraction(double fraction) {
            this.a1inFraction = fraction;
            return this;
        }

        /** 2Q's share of the capacity remembered as ghost keys ({@code Kout}), in (0, 1]. */
        public Builder a1outFraction(double fraction) {
            this.a1outFraction = fraction;
            return this;
        }

        /** Entries written without an explicit expiry live this long; null for forever. */
        public Builder expireAfterWrite(Duration ttl) {
            if (ttl != null && (ttl.isNegative() || ttl.isZero())) {
                throw new IllegalArgumentException("expireAfterWrite must be positive, was " + ttl);
            }
            this.expireAfterWrite = ttl;
            return this;
        }

        public StoreOptions build() {
            return new StoreOptions(this);
        }

        private static long requireNonNegative(String name, long value) {
            if (value < 0) {
                throw new IllegalArgumentException(name + " must be 0 (unbounded) or positive, was " + value);
            }
            return value;
        }
    }
}
