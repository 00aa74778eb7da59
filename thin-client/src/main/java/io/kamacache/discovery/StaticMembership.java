package io.kamacache.discovery;

import io.kamacache.config.NodeSettings;

import java.util.HashSet;
import java.util.Objects;
import java.util.Set;
import java.util.function.Consumer;

/** A membership that never changes: the given peers and the node itself. */
final class StaticMembership implements Membership {

    private final Set<String> peers;
    private boolean joined;

    StaticMembership(Set<String> peers) {
        for (String peer : peers) {
            NodeSettings.checkAddress(peer);
        }
        this.peers = peers;
    }

    @Override
    public synchronized void join(String self, Consumer<Set<String>> views) {
        Objects.requireNonNull(views, "views");
        if (joined) {
            throw new IllegalStateException("already joined as a member");
        }
        Set<String> members = new HashSet<>(peers);
        members.add(NodeSettings.checkAddress(self));
        joined = true;
        views.accept(Set.copyOf(members));
    }

    @Override
    public synchronized void observe(Consumer<Set<String>> views) {
        Objects.requireNonNull(views, "views");
        if (peers.isEmpty()) {
            throw new UnsupportedOperationException("a single instance has no members to watch; give peers or etcd");
        }
        if (joined) {
            throw new IllegalStateException("already started");
        }
        joined = true;
        views.accept(peers);
    }

    @Override
    public boolean isClustered() {
        return !peers.isEmpty();
    }

    @Override
    public synchronized void close() {
        joined = false;
    }

    @Override
    public String toString() {
        return peers.isEmpty() ? "single instance" : "static peers " + peers;
    }
}
