package io.kamacache.jcache.processor;

import javax.cache.processor.MutableEntry;
import java.util.Objects;
import java.util.function.Function;

/**
 * The entry an {@link javax.cache.processor.EntryProcessor} works on. It records the net
 * effect of everything the processor did as one {@link Outcome}, which the cache then
 * applies atomically: reading an absent entry may load it (read-through), setting then
 * removing a new value cancels out, and several writes count as one.
 */
public final class ProcessorEntry<K, V> implements MutableEntry<K, V> {

    /** What a processor did to the entry, all told. */
    public enum Outcome {
        /** Nothing, or only checked {@link #exists()}. */
        NONE,
        /** Read the existing value. */
        ACCESS,
        /** Read an absent value, which the loader supplied. */
        LOAD,
        /** Set a value where there was none. */
        CREATE,
        /** Replaced the existing value. */
        UPDATE,
        /** Removed the entry (which may not have existed). */
        REMOVE
    }

    private final K key;
    private final V original;
    private final Function<K, V> loader;
    private V value;
    private Outcome outcome = Outcome.NONE;

    /**
     * @param original the current value, or null when absent
     * @param loader   loads an absent value on {@link #getValue()}, or null without read-through
     */
    public ProcessorEntry(K key, V original, Function<K, V> loader) {
        this.key = key;
        this.original = original;
        this.value = original;
        this.loader = loader;
    }

    public Outcome outcome() {
        return outcome;
    }

    @Override
    public K getKey() {
        return key;
    }

    @Override
    public V getValue() {
        if (outcome == Outcome.NONE) {
            if (value != null) {
                outcome = Outcome.ACCESS;
            } else if (loader != null) {
                value = loader.apply(key);
                if (value != null) {
                    outcome = Outcome.LOAD;
                }
            }
        }
        return value;
    }

    @Override
    public boolean exists() {
        return value != null;
    }

    @Override
    public void remove() {
        value = null;
        outcome = original == null ? (outcome == Outcome.CREATE || outcome == Outcome.LOAD ? Outcome.NONE : Outcome.REMOVE)
                : Outcome.REMOVE;
    }

    @Override
    public void setValue(V newValue) {
        Objects.requireNonNull(newValue, "an entry processor cannot set a null value; use remove()");
        value = newValue;
        outcome = original == null ? Outcome.CREATE : Outcome.UPDATE;
    }

    @Override
    public <T> T unwrap(Class<T> clazz) {
        if (clazz.isInstance(this)) {
            return clazz.cast(this);
        }
        throw new IllegalArgumentException("a mutable entry cannot be unwrapped to " + clazz.getName());
    }
}
