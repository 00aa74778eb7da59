package io.kamacache.eviction;

/**
 * An entry as an eviction policy sees it. Stores extend this class so that a policy can
 * link, move and unlink entries without maps or allocation. The link fields belong to the
 * policy and are only touched under the store's eviction lock; the reference bit is the
 * one exception, set by readers without a lock (see {@link ClockPolicy}).
 */
public abstract class EvictionNode {

    EvictionNode prev;
    EvictionNode next;
    /** The queue holding this node, or null when no policy tracks it. */
    NodeDeque queue;
    /** The weight the policy accounted for this node when it last saw it. */
    long trackedWeight;
    /** Clock's reference bit: set on a hit, cleared when the hand passes. */
    volatile boolean referenced;

    /** The entry's key, with value equality; 2Q remembers evicted keys by it. */
    public abstract Object key();

    /** The entry's current weight in bytes (key, value and per-entry overhead). */
    public abstract long weight();

    /** Whether a policy currently tracks this node. */
    public final boolean isTracked() {
        return queue != null;
    }
}
