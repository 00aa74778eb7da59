package io.kamacache.eviction;

import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The full 2Q algorithm of Johnson and Shasha (VLDB 1994). New entries enter {@code A1in},
 * a FIFO; hits there do not reorder, so a burst of one-time keys passes through without
 * displacing the working set. When {@code A1in} is over its share the victim is its
 * oldest entry, whose key (only the key) is remembered in the ghost queue {@code A1out}.
 * A key inserted again while its ghost is remembered has proven reuse and goes to
 * {@code Am}, an LRU queue that holds the hot set; otherwise the victim is {@code Am}'s
 * least recently used entry, which is not remembered.
 *
 * <p>The shares ({@code Kin} and {@code Kout} in the paper) are fractions of the store's
 * capacity, measured in each bounded dimension: entries, bytes, or both. The ghost queue
 * measures the weight its keys had when they were evicted.
 */
public final class TwoQueuePolicy implements EvictionPolicy {

    /** The paper's recommended share of {@code A1in}: a quarter of the capacity. */
    public static final double DEFAULT_A1IN_FRACTION = 0.25;
    /** The paper's recommended share of {@code A1out}: half of the capacity. */
    public static final double DEFAULT_A1OUT_FRACTION = 0.5;

    private final Capacity a1inShare;
    private final Capacity a1outShare;
    private final NodeDeque a1in = new NodeDeque();
    private final NodeDeque am = new NodeDeque();
    /** Ghost keys in eviction order, each with the weight it had. */
    private final LinkedHashMap<Object, Long> a1out = new LinkedHashMap<>();
    private long a1outWeight;

    /**
     * @param capacity       the store's capacity, which the shares are fractions of
     * @param a1inFraction   the share of {@code A1in}, in (0, 1)
     * @param a1outFraction  the share of {@code A1out}, in (0, 1]; a ghost holds a key only
     */
    public TwoQueuePolicy(Capacity capacity, double a1inFraction, double a1outFraction) {
        if (!(a1inFraction > 0 && a1inFraction < 1)) {
            throw new IllegalArgumentException("2Q a1in fraction must be between 0 and 1 (exclusive), was " + a1inFraction);
        }
        if (!(a1outFraction > 0 && a1outFraction <= 1)) {
            throw new IllegalArgumentException("2Q a1out fraction must be in (0, 1], was " + a1outFraction);
        }
        this.a1inShare = capacity.fraction(a1inFraction);
        this.a1outShare = capacity.fraction(a1outFraction);
    }

    @Override
    public void onInsert(EvictionNode node) {
        node.trackedWeight = node.weight();
        Long ghostWeight = a1out.remove(node.key());
        if (ghostWeight != null) {
            a1outWeight -= ghostWeight;
            am.addLast(node);
        } else {
            a1in.addLast(node);
        }
    }

    @Override
    public void onAccess(EvictionNode node) {
        if (am.contains(node)) {
            am.moveToLast(node);
        }
        // A hit in A1in is deliberately ignored: correlated references must not promote.
    }

    @Override
    public void onUpdate(EvictionNode node) {
        node.queue.reweigh(node);
        onAccess(node);
    }

    @Override
    public void onRemove(EvictionNode node) {
        node.queue.remove(node);
    }

    @Override
    public EvictionNode evict() {
        if (!a1in.isEmpty() && (a1inShare.isExceededBy(a1in.weight(), a1in.size()) || am.isEmpty())) {
            EvictionNode victim = a1in.pollFirst();
            remember(victim);
            return victim;
        }
        return am.pollFirst();
    }

    private void remember(EvictionNode victim) {
        Long previous = a1out.put(victim.key(), victim.trackedWeight);
        a1outWeight += victim.trackedWeight - (previous == null ? 0 : previous);
        Iterator<Map.Entry<Object, Long>> oldest = a1out.entrySet().iterator();
        while (oldest.hasNext() && a1outShare.isExceededBy(a1outWeight, a1out.size())) {
            a1outWeight -= oldest.next().getValue();
            oldest.remove();
        }
    }

    @Override
    public boolean concurrentAccess() {
        return false;
    }

    /** The number of keys remembered in the ghost queue {@code A1out}. */
    public int ghostCount() {
        return a1out.size();
    }
}
