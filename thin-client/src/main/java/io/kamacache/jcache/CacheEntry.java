package io.kamacache.jcache;

import javax.cache.Cache;

/** A key and a copy of its value, as iteration returns them. Immutable. */
public record CacheEntry<K, V>(K key, V value) implements Cache.Entry<K, V> {

    @Override
    public K getKey() {
        return key;
    }

    @Override
    public V getValue() {
        return value;
    }

    @Override
    public <T> T unwrap(Class<T> clazz) {
        if (clazz.isInstance(this)) {
            return clazz.cast(this);
        }
        throw new IllegalArgumentException("a cache entry cannot be unwrapped to " + clazz.getName());
    }
}
