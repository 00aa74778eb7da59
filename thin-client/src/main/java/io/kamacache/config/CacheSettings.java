package io.kamacache.config;

import java.util.Objects;

/**
 * How one cache is bounded, evicts, expires and is observed, and, for a cache the file
 * names, the classes {@code getCache(name)} creates it with.
 *
 * @param policy     the eviction policy
 * @param maxBytes   bound on the cache's bytes, 0 for unbounded
 * @param maxEntries bound on the cache's entry count, 0 for unbounded
 * @param expiry     when entries expire
 * @param statistics whether the cache keeps JCache statistics
 * @param management whether the cache registers its JCache management bean
 * @param classes    the classes of a cache the file names; {@link CacheClasses#NONE} for others
 */
public record CacheSettings(PolicyKind policy, long maxBytes, long maxEntries, ExpirySettings expiry,
                            boolean statistics, boolean management, CacheClasses classes) {

    /** @throws IllegalArgumentException if maxBytes or maxEntries is negative */
    public CacheSettings {
        Objects.requireNonNull(policy, "policy");
        Objects.requireNonNull(expiry, "expiry");
        Objects.requireNonNull(classes, "classes");
        if (maxBytes < 0) {
            throw new IllegalArgumentException("maxBytes must not be negative, got " + maxBytes);
        }
        if (maxEntries < 0) {
            throw new IllegalArgumentException("maxEntries must not be negative, got " + maxEntries);
        }
    }

    /** Settings that name no classes. */
    public CacheSettings(PolicyKind policy, long maxBytes, long maxEntries, ExpirySettings expiry,
                         boolean statistics, boolean management) {
        this(policy, maxBytes, maxEntries, expiry, statistics, management, CacheClasses.NONE);
    }

    /** These settings with another eviction policy and bounds: what a cache created at run time changes. */
    public CacheSettings withBounds(PolicyKind policy, long maxBytes, long maxEntries) {
        return new CacheSettings(policy, maxBytes, maxEntries, expiry, statistics, management, classes);
    }

    /** LRU, unbounded in bytes and entries, eternal, no statistics, no management, no classes. */
    public static CacheSettings defaults() {
        return new CacheSettings(PolicyKind.LRU, 0, 0, ExpirySettings.ETERNAL, false, false);
    }
}
