package io.kamacache;

import io.kamacache.ring.HashFunction;
import io.kamacache.ring.HashRing;
import io.kamacache.store.RemovalListener;
import io.kamacache.store.StoreOptions;

import java.time.Duration;
import java.time.InstantSource;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A cache node: the home of {@link Group}s, the maintenance thread that sweeps their expired entries and the threads
 * their loads run on. A node is always a member of its own hash ring; until clustering is
 * configured it is the only member, and every key is its own (single-instance mode: no
 * network at all). Thread-safe; {@link #close()} stops every thread it started.
 */
public final class Node implements AutoCloseable {

    /** The service name nodes register under when none is given. */
    public static final String DEFAULT_SERVICE = "kama-cache";
    /** The address a node calls itself when none is given. */
    public static final String DEFAULT_ADDRESS = "127.0.0.1:8001";

    private final String selfAddress;
    private final String serviceName;
    private final HashRing ring;
    private final Services services;
    private final ConcurrentHashMap<String, Group> groups = new ConcurrentHashMap<>();
    private volatile boolean closed;

    /** What groups share: the clock, the maintenance thread (expiry sweeps, read-buffer drains) and the load threads. */
    record Services(InstantSource clock, ScheduledExecutorService maintenance, Duration sweepInterval,
                    ExecutorService loaders) {
    }

    private Node(Builder b) {
        this.selfAddress = b.selfAddress;
        this.serviceName = b.serviceName;
        this.ring = HashRing.forMember(selfAddress, List.of(), b.hashFunction, b.virtualNodes);
        ScheduledThreadPoolExecutor maintenance = new ScheduledThreadPoolExecutor(1, daemonThreads("kamacache-maintenance"));
        maintenance.setRemoveOnCancelPolicy(true);
        int maxLoads = b.maxConcurrentLoads;
        ExecutorService loaders = new ThreadPoolExecutor(0, maxLoads, 30, TimeUnit.SECONDS,
                new SynchronousQueue<>(), daemonThreads("kamacache-load"), (task, pool) -> {
                    throw new RejectedExecutionException(pool.isShutdown() ? "node " + selfAddress + " is closed"
                            : "too many concurrent loads: all " + maxLoads + " load threads of node " + selfAddress
                            + " are busy (see Node.Builder.maxConcurrentLoads)");
                });
        this.services = new Services(b.clock, maintenance, b.sweepInterval, loaders);
    }

    public static Builder builder() {
        return new Builder();
    }

    /** A group with default options: unbounded, LRU, no expiry. */
    public Group newGroup(String name, Getter getter) {
        return newGroup(name, getter, StoreOptions.defaults());
    }

    /**
     * Creates a group.
     *
     * @throws IllegalArgumentException when the name is empty or already taken on this node
     */
    public Group newGroup(String name, Getter getter, StoreOptions options) {
        return newGroup(name, getter, options, RemovalListener.NONE);
    }

    /**
     * Creates a group whose evictions and expirations are also reported to {@code onRemoval}.
     *
     * @throws IllegalArgumentException when the name is empty or already taken on this node
     */
    public Group newGroup(String name, Getter getter, StoreOptions options, RemovalListener onRemoval) {
        ensureOpen();
        Objects.requireNonNull(onRemoval, "onRemoval must not be null");
        requireGroupName(name);
        Objects.requireNonNull(getter, "getter must not be null");
        Objects.requireNonNull(options, "options must not be null");
        Group created = groups.compute(name, (n, existing) -> {
            if (existing != null) {
                throw new IllegalArgumentException("group '" + name + "' already exists on node " + selfAddress);
            }
            return new Group(this, name, getter, options, onRemoval, services);
        });
        if (closed) { // closed while creating: do not leave a sweep behind
            created.close();
        }
        return created;
    }

    /** The group of that name, or null when there is none. */
    public Group getGroup(String name) {
        requireGroupName(name);
        return groups.get(name);
    }

    /**
     * Removes the group of that name: its sweep stops and its entries are dropped.
     *
     * @return whether there was such a group
     */
    public boolean removeGroup(String name) {
        requireGroupName(name);
        Group removed = groups.remove(name);
        if (removed == null) {
            return false;
        }
        removed.close();
        return true;
    }

    /** The groups on this node. */
    public Collection<Group> groups() {
        return List.copyOf(groups.values());
    }

    public String selfAddress() {
        return selfAddress;
    }

    public String serviceName() {
        return serviceName;
    }

    /** The node's current hash ring; it always contains this node. */
    public HashRing ring() {
        return ring;
    }

    /** Stops the sweep and load threads; loads still running get five seconds to finish. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        groups.values().forEach(Group::close);
        services.maintenance().shutdownNow();
        services.loaders().shutdown();
        try {
            if (!services.loaders().awaitTermination(5, TimeUnit.SECONDS)) {
                services.loaders().shutdownNow();
            }
        } catch (InterruptedException e) {
            services.loaders().shutdownNow();
            Thread.currentThread().interrupt();
        }
    }

    void ensureOpen() {
        if (closed) {
            throw new IllegalStateException("node " + selfAddress + " is closed");
        }
    }

    private static void requireGroupName(String name) {
        Objects.requireNonNull(name, "group name must not be null");
        if (name.isBlank()) {
            throw new IllegalArgumentException("group name must not be empty");
        }
    }

    private static ThreadFactory daemonThreads(String prefix) {
        AtomicInteger counter = new AtomicInteger();
        return runnable -> {
            Thread thread = new Thread(runnable, prefix + "-" + counter.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        };
    }

    /** Builds a {@link Node}; every setter validates its argument. */
    public static final class Builder {
        private String selfAddress = DEFAULT_ADDRESS;
        private String serviceName = DEFAULT_SERVICE;
        private HashFunction hashFunction = HashFunction.MURMUR3;
        private int virtualNodes = HashRing.DEFAULT_VIRTUAL_NODES;
        private InstantSource clock = InstantSource.system();
        private Duration sweepInterval = Duration.ofSeconds(1);
        private int maxConcurrentLoads = 256;

        private Builder() {
        }

        /** The address ({@code host:port}) this node is known by on the ring. */
        public Builder selfAddress(String address) {
            Objects.requireNonNull(address, "self address must not be null");
            if (address.isBlank()) {
                throw new IllegalArgumentException("self address must not be empty");
            }
            this.selfAddress = address.trim();
            return this;
        }

        /** The service the node belongs to; nodes of one service form one cache. */
        public Builder serviceName(String name) {
            Objects.requireNonNull(name, "service name must not be null");
            if (name.isBlank()) {
                throw new IllegalArgumentException("service name must not be empty");
            }
            this.serviceName = name.trim();
            return this;
        }

        public Builder hashFunction(HashFunction function) {
            this.hashFunction = Objects.requireNonNull(function, "hash function must not be null");
            return this;
        }

        /** Virtual nodes per member on the hash ring. */
        public Builder virtualNodes(int count) {
            if (count < 1) {
                throw new IllegalArgumentException("virtual nodes must be at least 1, was " + count);
            }
            this.virtualNodes = count;
            return this;
        }

        /** The clock expiry is measured with; the system clock by default. */
        public Builder clock(InstantSource clock) {
            this.clock = Objects.requireNonNull(clock, "clock must not be null");
            return this;
        }

        /** How often expired entries are swept from every group; one second by default. */
        public Builder sweepInterval(Duration interval) {
            Objects.requireNonNull(interval, "sweep interval must not be null");
            if (interval.isNegative() || interval.isZero()) {
                throw new IllegalArgumentException("sweep interval must be positive, was " + interval);
            }
            this.sweepInterval = interval;
            return this;
        }

        /**
         * The most getter calls running at once across the node's groups (256 by default);
         * a miss beyond it fails with a {@link LoadException} instead of queueing without bound.
         */
        public Builder maxConcurrentLoads(int max) {
            if (max < 1) {
                throw new IllegalArgumentException("max concurrent loads must be at least 1, was " + max);
            }
            this.maxConcurrentLoads = max;
            return this;
        }

        public Node build() {
            return new Node(this);
        }
    }
}
