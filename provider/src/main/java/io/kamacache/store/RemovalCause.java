package io.kamacache.store;

/** Why the store removed an entry on its own. */
public enum RemovalCause {
    /** The eviction policy chose it to bring the store back within its capacity. */
    EVICTED,
    /** Its expiry time passed. */
    EXPIRED
}
