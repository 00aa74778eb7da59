package io.kamacache.discovery;

import java.util.Collection;
import java.util.Set;
import java.util.function.Consumer;

/**
 * Where a node learns which nodes form its cluster: nowhere (a single instance), a static
 * list of addresses, or etcd ({@link EtcdMembership}).
 *
 * <p>{@link #join} makes the node known and starts reporting views: each view is the
 * complete set of member addresses, always including the joining node itself, delivered
 * one at a time and in order. {@link #close()} leaves: the node is no longer listed and no
 * more views are reported.
 */
public interface Membership extends AutoCloseable {

    /**
     * Joins as {@code self} and reports every view to {@code views}; the first view is
     * reported before this returns.
     *
     * @throws MembershipException when the source of membership cannot be reached in time;
     *         the message names it
     * @throws IllegalStateException when already joined
     */
    void join(String self, Consumer<Set<String>> views);

    /**
     * Joins as {@link #join(String, Consumer)} does, and calls {@code dropped} when the
     * source of membership dropped the node while it ran (its etcd lease ended while it
     * could not renew it: frozen, or cut off from etcd), just before it is listed again. The
     * other members have owned its keys meanwhile, so what it holds may be stale. A static
     * list never drops a node.
     */
    default void join(String self, Consumer<Set<String>> views, Runnable dropped) {
        join(self, views);
    }

    /**
     * Reports every view without joining: what a client that owns nothing does. Views hold
     * only the members, and the first is reported before this returns.
     *
     * @throws MembershipException when the source of membership cannot be reached in time
     * @throws IllegalStateException when already started
     * @throws UnsupportedOperationException for {@link #none()}, which has no members to watch
     */
    void observe(Consumer<Set<String>> views);

    /** Leaves the cluster (or stops watching) and stops reporting; does nothing when not started. */
    @Override
    void close();

    /**
     * Whether other nodes can ever be members: false only for {@link #none()}, where a node
     * opens no port at all.
     */
    default boolean isClustered() {
        return true;
    }

    /** A single instance: the only member is the node itself. */
    static Membership none() {
        return new StaticMembership(Set.of());
    }

    /** A fixed cluster of these peer addresses (the node itself may be among them). */
    static Membership staticPeers(Collection<String> peers) {
        return new StaticMembership(Set.copyOf(peers));
    }
}
