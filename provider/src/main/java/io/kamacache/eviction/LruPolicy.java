package io.kamacache.eviction;

/**
 * Least recently used: one queue in access order; a hit or an update moves the entry to
 * the back, the victim is the front.
 */
public final class LruPolicy implements EvictionPolicy {

    private final NodeDeque queue = new NodeDeque();

    @Override
    public void onInsert(EvictionNode node) {
        node.trackedWeight = node.weight();
        queue.addLast(node);
    }

    @Override
    public void onAccess(EvictionNode node) {
        queue.moveToLast(node);
    }

    @Override
    public void onUpdate(EvictionNode node) {
        queue.reweigh(node);
        queue.moveToLast(node);
    }

    @Override
    public void onRemove(EvictionNode node) {
        queue.remove(node);
    }

    @Override
    public EvictionNode evict() {
        return queue.pollFirst();
    }

    @Override
    public boolean concurrentAccess() {
        return false;
    }
}
