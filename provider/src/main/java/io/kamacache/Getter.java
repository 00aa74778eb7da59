package io.kamacache;

/**
 * Loads the value of a key that is not in the cache, from wherever the data really lives.
 * A group calls its getter at most once at a time per key, however many callers miss
 * together, and caches what it returns.
 */
@FunctionalInterface
public interface Getter {

    /**
     * @param key the key that missed
     * @return the value's bytes, or null when the key has no value (nothing is cached and
     *         the callers get null)
     * @throws Exception when loading failed; every waiting caller receives it wrapped in a
     *         {@link LoadException}, and nothing is cached
     */
    byte[] get(String key) throws Exception;
}
