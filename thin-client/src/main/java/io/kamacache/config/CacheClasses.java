package io.kamacache.config;

/**
 * The classes the file names for a cache it names: what {@code getCache(name)} creates the
 * cache with. Each is null when the file names none.
 *
 * @param keyType   the key type; {@code Object} when null
 * @param valueType the value type; {@code Object} when null
 * @param loader    a {@code javax.cache.integration.CacheLoader} the cache reads through
 * @param writer    a {@code javax.cache.integration.CacheWriter} the cache writes through
 */
public record CacheClasses(ClassName keyType, ClassName valueType, ClassName loader, ClassName writer) {

    /** A cache that names no classes. */
    public static final CacheClasses NONE = new CacheClasses(null, null, null, null);
}
