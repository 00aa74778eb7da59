package io.kamacache.store;

/**
 * Told of every entry the store removes on its own: evictions and expirations (explicit
 * writes and deletes are the caller's own doing and are not reported). Called on the
 * thread that caused the removal, after the store's locks are released; it must be quick
 * and must not throw.
 */
@FunctionalInterface
public interface RemovalListener {

    /** A listener that ignores everything. */
    RemovalListener NONE = (key, value, cause) -> { };

    void onRemoval(byte[] key, StoredValue value, RemovalCause cause);
}
