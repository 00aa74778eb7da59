package io.kamacache.eviction;

/**
 * An intrusive doubly-linked queue of {@link EvictionNode}s; a node is in at most one queue
 * at a time. Not thread-safe: policies use it under the store's eviction lock.
 */
final class NodeDeque {

    private EvictionNode head;
    private EvictionNode tail;
    private int size;
    private long weight;

    int size() {
        return size;
    }

    /** The summed {@link EvictionNode#trackedWeight} of the nodes in this queue. */
    long weight() {
        return weight;
    }

    boolean isEmpty() {
        return head == null;
    }

    boolean contains(EvictionNode node) {
        return node.queue == this;
    }

    EvictionNode peekFirst() {
        return head;
    }

    void addLast(EvictionNode node) {
        assert node.queue == null : "node is already queued";
        node.queue = this;
        node.prev = tail;
        node.next = null;
        if (tail == null) {
            head = node;
        } else {
            tail.next = node;
        }
        tail = node;
        size++;
        weight += node.trackedWeight;
    }

    void remove(EvictionNode node) {
        assert node.queue == this : "node is not in this queue";
        EvictionNode p = node.prev;
        EvictionNode n = node.next;
        if (p == null) {
            head = n;
        } else {
            p.next = n;
        }
        if (n == null) {
            tail = p;
        } else {
            n.prev = p;
        }
        node.prev = null;
        node.next = null;
        node.queue = null;
        size--;
        weight -= node.trackedWeight;
    }

    EvictionNode pollFirst() {
        EvictionNode first = head;
        if (first != null) {
            remove(first);
        }
        return first;
    }

    void moveToLast(EvictionNode node) {
        if (tail != node) {
            remove(node);
            addLast(node);
        }
    }

    /** Re-reads the node's current weight into this queue's total. */
    void reweigh(EvictionNode node) {
        long now = node.weight();
        weight += now - node.trackedWeight;
        node.trackedWeight = now;
    }
}
