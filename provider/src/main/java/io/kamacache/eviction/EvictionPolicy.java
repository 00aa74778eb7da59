package io.kamacache.eviction;
import io.kamacache.config.PolicyKind;


/**
 * Chooses which entry a bounded store evicts. The store calls every method under its
 * eviction lock, in the order the changes happened to each entry, with one exception:
 * when {@link #concurrentAccess()} is true, {@link #onAccess} is called by readers
 * directly, from any thread, without the lock.
 *
 * <p>A policy only tracks nodes the store hands it: {@link #onInsert} starts tracking,
 * {@link #onRemove} and {@link #evict} stop it; the other calls are only made for
 * tracked nodes ({@link EvictionNode#isTracked()}).
 */
public interface EvictionPolicy {

    /** A new resident entry; its weight is {@link EvictionNode#weight()}. */
    void onInsert(EvictionNode node);

    /** A read hit on a tracked entry. */
    void onAccess(EvictionNode node);

    /** A tracked entry's value was replaced; its weight may have changed. */
    void onUpdate(EvictionNode node);

    /** A tracked entry left the store for a reason of the store's (delete, expiry). */
    void onRemove(EvictionNode node);

    /**
     * Picks the next entry to evict and stops tracking it.
     *
     * @return the victim, or null when the policy tracks nothing
     */
    EvictionNode evict();

    /**
     * Whether {@link #onAccess} is thread-safe and cheap enough to run on every read
     * without the lock. Policies that reorder entries on a hit answer false, and the store
     * buffers their hits instead. A reader may call it for a node the policy does not track
     * (the store switched policies under it); it must then do nothing harmful.
     */
    boolean concurrentAccess();

    /** Creates the policy of a kind for a store of the given capacity. */
    static EvictionPolicy create(PolicyKind kind, Capacity capacity, double a1inFraction, double a1outFraction) {
        return switch (kind) {
            case LRU -> new LruPolicy();
            case TWO_QUEUE -> new TwoQueuePolicy(capacity, a1inFraction, a1outFraction);
            case CLOCK -> new ClockPolicy();
        };
    }
}
