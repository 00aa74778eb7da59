package io.kamacache;

import io.kamacache.ring.HashRing;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;

/**
 * A joining node's take-over of the ranges it now owns. Their entries are still with the
 * members that owned them before it joined (the owners in the ring of the others) until
 * those hand them over, which they do once they see it join and it has created the
 * groups. Until each of them has said that its hand-off to this node is done, and for at
 * most {@link #LIMIT}, an operation on a key of those ranges first fetches the key's entry
 * from its previous owner (see {@link Group#takeOver}).
 *
 * <p>A key is <em>settled</em> by the first operation on it: its fetched entry is merged
 * then, unless a hand-off has brought one already. A hand-off or fetch that arrives for a
 * settled key later leaves it alone, so a write or a removal here wins over a late
 * hand-off; only the keys operations reach are remembered, while the take-over lasts.
 * Thread-safe.
 */
final class TakeOver {

    /**
     * How long a node fetches keys from previous owners that have not said they are done:
     * long enough for a hand-off that waits for the joining node to create the group
     * (retried with pauses of up to five seconds). A previous owner that has not handed off
     * by then is no longer asked; what it hands over later is still kept where this node
     * holds no value.
     */
    static final Duration LIMIT = Duration.ofSeconds(30);

    private final long deadline = System.nanoTime() + LIMIT.toNanos();
    /** The members that owned this node's ranges before it joined, less those that left since; null before the first view. */
    private volatile HashRing previous;
    private final Set<String> done = ConcurrentHashMap.newKeySet();
    private final Map<String, Set<ByteBuffer>> settled = new ConcurrentHashMap<>();

    /** A view of the members: the first names the previous owners, later ones drop those that left. */
    void view(HashRing ring, String self) {
        HashRing before = previous;
        if (before == null) {
            previous = ring.withoutMember(self);
            return;
        }
        for (String member : before.members()) {
            if (!ring.contains(member)) {
                before = before.withoutMember(member);
            }
        }
        previous = before;
    }

    /** The previous owner to fetch a key of this node's from, or null when it has said it is done. */
    String source(byte[] key) {
        HashRing ring = previous;
        if (ring == null || ring.isEmpty()) {
            return null;
        }
        String owner = ring.ownerOf(key);
        return done.contains(owner) ? null : owner;
    }

    /** {@code member} has handed this node everything it owns. */
    void handedOff(String member) {
        done.add(member);
    }

    /** Whether every previous owner has said it is done, or the limit has passed. */
    boolean isOver() {
        HashRing ring = previous;
        return (ring != null && done.containsAll(ring.members())) || System.nanoTime() - deadline > 0;
    }

    /** The previous owners that have not said they are done. */
    Set<String> pending() {
        HashRing ring = previous;
        return ring == null ? Set.of() : ring.members().stream().filter(m -> !done.contains(m))
                .collect(Collectors.toUnmodifiableSet());
    }

    /** Marks a key of {@code group} merged; whether it was not yet. Called inside the key's compute. */
    boolean settle(String group, byte[] key) {
        return settled.computeIfAbsent(group, g -> ConcurrentHashMap.newKeySet()).add(ByteBuffer.wrap(key));
    }

    boolean isSettled(String group, byte[] key) {
        Set<ByteBuffer> keys = settled.get(group);
        return keys != null && keys.contains(ByteBuffer.wrap(key));
    }
}
