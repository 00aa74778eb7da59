package io.kamacache.eviction;

/**
 * Clock, or second chance: entries wait in insertion order; a hit only sets the entry's
 * reference bit, a plain volatile write that needs no lock, which is why reads on a Clock
 * store scale with cores. The hand takes the front entry: a set bit buys it another pass
 * (the bit is cleared and the entry goes to the back), a clear bit makes it the victim.
 * The loop ends within one pass because every pass clears the bits it meets.
 */
public final class ClockPolicy implements EvictionPolicy {

    private final NodeDeque ring = new NodeDeque();

    @Override
    public void onInsert(EvictionNode node) {
        node.trackedWeight = node.weight();
        node.referenced = false;
        ring.addLast(node);
    }

    @Override
    public void onAccess(EvictionNode node) {
        if (!node.referenced) { // skip the write when already set: keeps the cache line shared
            node.referenced = true;
        }
    }

    @Override
    public void onUpdate(EvictionNode node) {
        ring.reweigh(node);
        onAccess(node);
    }

    @Override
    public void onRemove(EvictionNode node) {
        ring.remove(node);
    }

    @Override
    public EvictionNode evict() {
        for (EvictionNode hand = ring.peekFirst(); hand != null; hand = ring.peekFirst()) {
            if (hand.referenced) {
                hand.referenced = false;
                ring.moveToLast(hand);
            } else {
                ring.remove(hand);
                return hand;
            }
        }
        return null;
    }

    @Override
    public boolean concurrentAccess() {
        return true;
    }
}
