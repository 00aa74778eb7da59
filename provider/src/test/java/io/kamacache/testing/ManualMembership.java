package io.kamacache.testing;

import io.kamacache.discovery.Membership;

import java.util.HashSet;
import java.util.Set;
import java.util.function.Consumer;

/**
 * A membership whose views the test reports by hand: a node sees the members the test
 * says, when it says so, as it would see them through etcd's watch with any lag the test
 * wants.
 */
public final class ManualMembership implements Membership {

    private final Set<String> first;
    private Consumer<Set<String>> views;
    private String self;

    /** A membership whose first view is {@code first} and the joining node. */
    public ManualMembership(Set<String> first) {
        this.first = Set.copyOf(first);
    }

    @Override
    public synchronized void join(String self, Consumer<Set<String>> views) {
        if (this.views != null) {
            throw new IllegalStateException("already joined");
        }
        this.self = self;
        this.views = views;
        report(first);
    }

    /** Reports a view: {@code members} and the node itself. */
    public synchronized void report(Set<String> members) {
        if (views == null) {
            throw new IllegalStateException("not joined");
        }
        Set<String> view = new HashSet<>(members);
        view.add(self);
        views.accept(Set.copyOf(view));
    }

    @Override
    public void observe(Consumer<Set<String>> views) {
        throw new UnsupportedOperationException("a manual membership is for nodes");
    }

    @Override
    public synchronized void close() {
        views = null;
    }

    @Override
    public String toString() {
        return "manual membership " + first;
    }
}
