package io.kamacache;

import io.grpc.BindableService;
import io.kamacache.config.ClusterSettings;
import io.kamacache.config.TlsSettings;
import io.kamacache.discovery.Membership;
import io.kamacache.remote.PeerChannels;
import io.kamacache.ring.HashFunction;
import io.kamacache.metrics.NodeMetrics;
import io.kamacache.ring.HashRing;
import io.kamacache.store.RemovalListener;
import io.kamacache.store.StoreOptions;

import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;

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

    private static final System.Logger LOG = System.getLogger(Node.class.getName());
    private static final long HAND_OFF_MAX_PAUSE_MS = 5_000;
    /**
     * How long a closing node keeps handing over the entries that new owners which answered
     * did not take (one has not created the group yet, or did not confirm in time), with
     * {@link #LEAVE_PAUSE_MS} between tries; what is left then is dropped. Owners that cannot
     * be reached at all are not waited for.
     */
    private static final Duration LEAVE_HAND_OFF = Duration.ofSeconds(5);
    private static final long LEAVE_PAUSE_MS = 200;

    private final String selfAddress;
    private final String serviceName;
    private final HashFunction hashFunction;
    private final int virtualNodes;
    private volatile HashRing ring;
    private final Services services;
    private final Membership membership;
    /** Null in single-instance mode, like the server. */
    private final PeerClient peers;
    private final NodeServer server;
    private final ConcurrentHashMap<String, Group> groups = new ConcurrentHashMap<>();
    private final NodeMetrics metrics;
    private final List<Consumer<Set<String>>> memberWatchers = new CopyOnWriteArrayList<>();
    /** While this node takes over the ranges it joined for; null once that is over, and in single-instance mode. */
    private final AtomicReference<TakeOver> takeOver = new AtomicReference<>();
    /** Members that joined after this node's first view and have not been told that its hand-off to them is done. */
    private final Set<String> toTell = ConcurrentHashMap.newKeySet();
    /**
     * Whether a view has been reported. The members of the first one are never told: they
     * were there from this node's start, so it never owned their ranges and owes them
     * nothing ({@link #owesNoHandOff}).
     */
    private boolean viewed;
    private volatile boolean closed;
    private volatile boolean closing;

    /**
     * What groups share: the clock, the maintenance thread (expiry sweeps, read-buffer drains)
     * and the load threads; and whether readers replay full read buffers themselves, as on a
     * clustered node, which serves its peers' and clients' reads on its network threads and
     * under load is bound by CPU (see {@link io.kamacache.store.ByteStore.Builder#drainReadsOnReader}).
     */
    record Services(InstantSource clock, ScheduledExecutorService maintenance, Duration sweepInterval,
                    ExecutorService loaders, boolean readersDrain) {
    }

    private Node(Builder b) {
        this.membership = b.membership;
        this.metrics = b.metrics;
        // Listen before joining: peers route to this node as soon as they see it. Port 0 takes a free port.
        NodeServer started = membership.isClustered()
                ? NodeServer.start(this, b.selfAddress, b.maxMessageBytes, b.services, b.inlineMethods,
                        b.lastingMethods, b.token, b.tls) : null;
        this.selfAddress = started == null ? b.selfAddress : started.address();
        this.serviceName = b.serviceName;
        this.hashFunction = b.hashFunction;
        this.virtualNodes = b.virtualNodes;
        this.ring = HashRing.forMember(selfAddress, List.of(), hashFunction, virtualNodes);
        ScheduledThreadPoolExecutor maintenance = new ScheduledThreadPoolExecutor(1, daemonThreads("kamacache-maintenance"));
        maintenance.setRemoveOnCancelPolicy(true);
        int maxLoads = b.maxConcurrentLoads;
        String address = selfAddress;
        ExecutorService loaders = new ThreadPoolExecutor(0, maxLoads, 30, TimeUnit.SECONDS,
                new SynchronousQueue<>(), daemonThreads("kamacache-load"), (task, pool) -> {
                    throw new RejectedExecutionException(pool.isShutdown() ? "node " + address + " is closed"
                            : "too many concurrent loads: all " + maxLoads + " load threads of node " + address
                            + " are busy (see Node.Builder.maxConcurrentLoads)");
                });
        this.services = new Services(b.clock, maintenance, b.sweepInterval, loaders, started != null);
        if (started == null) {
            this.peers = null;
            this.server = null;
            return;
        }
        this.peers = new PeerClient(selfAddress, new PeerChannels(b.channelSettings()));
        takeOver.set(new TakeOver());
        try {
            membership.join(selfAddress, this::onView, this::onDropped);
        } catch (RuntimeException e) {
            started.stop();
            peers.close();
            maintenance.shutdownNow();
            loaders.shutdownNow();
            throw e;
        }
        this.server = started;
    }

    /**
     * A new view of the members: rebuild the ring, then hand off what this node no longer
     * owns, and tell the members that joined when that is done.
     */
    private void onView(Set<String> members) {
        if (closing) {
            return; // leaving: the ring without this node stays
        }
        HashRing previous = ring;
        HashRing next = HashRing.forMember(selfAddress, members, hashFunction, virtualNodes);
        // before the ring is published: a member in the ring and not in toTell is owed nothing (owesNoHandOff)
        if (viewed) {
            next.members().stream().filter(member -> !previous.contains(member)).forEach(toTell::add);
        }
        toTell.retainAll(next.members());
        viewed = true;
        ring = next;
        peers.channels().retain(members);
        TakeOver joining = takeOver.get();
        if (joining != null) {
            joining.view(next, selfAddress);
        }
        if (!previous.members().equals(next.members())) {
            try {
                services.maintenance().execute(() -> handOff(next, 1));
            } catch (RejectedExecutionException e) {
                // closing: close() hands off on its own
            }
            for (Consumer<Set<String>> watcher : memberWatchers) {
                watcher.accept(next.members());
            }
        }
    }

    /**
     * Calls {@code watcher} with the members each time they change, after the ring has
     * changed, on the thread that reports views: a face built on the node (the JCache
     * provider) tells new members what it needs from them. It must not block.
     */
    public void watchMembers(Consumer<Set<String>> watcher) {
        memberWatchers.add(Objects.requireNonNull(watcher, "watcher"));
    }

    /**
     * Hands off what this node no longer owns in {@code view}, then tells the members that
     * joined that it is done; what an owner did not take (it is starting and has not created
     * the group yet, or a call failed) and whom it could not tell are tried again with
     * growing pauses, for as long as the view stands.
     */
    private void handOff(HashRing view, int attempt) {
        if (ring != view || closed) {
            return; // a newer view has its own hand-off queued
        }
        long left = handOffGroups(view).left();
        int untold = left == 0 ? tellHandedOff(view) : 0;
        if (left > 0 || untold > 0) {
            long pause = Math.min(HAND_OFF_MAX_PAUSE_MS, 100L << Math.min(attempt, 6));
            if (attempt % 10 == 0) {
                LOG.log(System.Logger.Level.WARNING, "node " + selfAddress + (left > 0 ? " still holds " + left
                        + " entries their owners did not take" : " could not tell " + untold + " members that joined"
                        + " that it has handed off") + "; trying again every " + pause + " ms");
            }
            try {
                services.maintenance().schedule(() -> handOff(view, attempt + 1), pause, TimeUnit.MILLISECONDS);
            } catch (RejectedExecutionException e) {
                // closing: close() hands off on its own
            }
        }
    }

    /** Hands every group's entries that this node does not own in {@code view} to their owners. */
    private Group.HandOff handOffGroups(HashRing view) {
        Group.HandOff all = Group.HandOff.NONE;
        for (Group group : groups.values()) {
            Group.HandOff done = group.handOff(view);
            all = all.plus(done);
            if (done.moved() > 0) {
                LOG.log(System.Logger.Level.DEBUG, "node " + selfAddress + " handed " + done.moved()
                        + " entries of group '" + group.name() + "' to their new owners");
            }
        }
        return all;
    }

    /** Tells each member that joined that this node has handed it every entry it owns; how many could not be told. */
    private int tellHandedOff(HashRing view) {
        int untold = 0;
        for (String member : toTell) {
            if (view.contains(member)) {
                try {
                    peers.handedOff(member);
                } catch (ClusterException e) {
                    LOG.log(System.Logger.Level.DEBUG, e.getMessage());
                    untold++;
                    continue;
                }
            }
            toTell.remove(member);
        }
        return untold;
    }

    /**
     * The membership dropped this node while it ran (its lease ended: it was frozen or cut
     * off), so the others have owned its keys meanwhile and may have rewritten or removed
     * them: what it holds is no longer to be trusted. It drops its entries, as a node that
     * crashed would have lost them, and takes its ranges over again as a joining node does,
     * fetching each key from the member that owned it meanwhile until that one has handed
     * its keys back.
     */
    private void onDropped() {
        if (closing) {
            return;
        }
        TakeOver joining = new TakeOver();
        joining.view(ring, selfAddress);
        takeOver.set(joining);
        long dropped = 0;
        for (Group group : groups.values()) {
            dropped += group.store().size();
            group.store().clear();
        }
        LOG.log(System.Logger.Level.WARNING, "node " + selfAddress + " was dropped from the cluster while it ran;"
                + " it dropped the " + dropped + " entries it held, which the others may have changed meanwhile");
    }

    /**
     * The take-over of the ranges this node joined for, while it lasts (see {@link TakeOver});
     * null once every previous owner has handed off, or its limit has passed.
     */
    TakeOver takeOver() {
        TakeOver current = takeOver.get();
        if (current != null && current.isOver() && takeOver.compareAndSet(current, null)) {
            Set<String> pending = current.pending();
            LOG.log(pending.isEmpty() ? System.Logger.Level.DEBUG : System.Logger.Level.INFO, "node " + selfAddress
                    + " took over its ranges" + (pending.isEmpty() ? "" : "; " + pending + " did not say they had handed"
                    + " off within " + TakeOver.LIMIT + ", and keys they still hold are no longer fetched"));
            return null;
        }
        return current;
    }

    /**
     * Whether this node owes {@code member} no hand-off, now or later: the member is in its
     * ring, and either was from this node's first view on (so this node never owned its
     * ranges) or has been told that this node's hand-off to it is done. False for a member
     * this node has not seen join yet: it may still hold entries of the member's ranges.
     */
    boolean owesNoHandOff(String member) {
        return ring.contains(member) && !toTell.contains(member);
    }

    /** {@code member} says it has handed this node every entry this node owns. */
    void handedOff(String member) {
        TakeOver current = takeOver.get();
        if (current != null) {
            current.handedOff(member);
        }
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
        metrics.addGroup(created);
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
        metrics.removeGroup(name);
        removed.close();
        return true;
    }

    /** This node's metrics: its groups' counters and the calls it served. */
    public NodeMetrics metrics() {
        return metrics;
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

    /** The node's current hash ring; it contains this node until {@link #close()} hands off. */
    public HashRing ring() {
        return ring;
    }

    /** Where this node learns its members. */
    public Membership membership() {
        return membership;
    }

    /** The owner of a key when it is another node, or null when it is this one. */
    String ownerOf(byte[] key) {
        if (peers == null) {
            return null;
        }
        String owner = ring.ownerOf(key);
        return owner.equals(selfAddress) ? null : owner;
    }

    PeerClient peers() {
        return peers;
    }

    /** The channels to the other members, shared by the faces built on this node; null in single-instance mode. */
    public PeerChannels peerChannels() {
        return peers == null ? null : peers.channels();
    }

    /**
     * Leaves: a clustered node first hands its entries to the nodes that own them without it
     * (what an owner that answered does not take at once is tried again for
     * {@link #LEAVE_HAND_OFF}, then dropped) and then leaves its membership; then the server, the sweep and the load
     * threads stop (loads still running get five seconds to finish).
     */
    @Override
    public void close() {
        synchronized (this) {
            if (closed || closing) {
                return;
            }
            closing = true;
        }
        if (peers != null) {
            leaveCluster();
        }
        closed = true;
        groups.values().forEach(Group::close);
        if (server != null) {
            server.stop();
            peers.close();
        }
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

    private void leaveCluster() {
        HashRing without = ring.withoutMember(selfAddress);
        if (!without.isEmpty()) {
            ring = without; // requests arriving from now on go to the new owners
            long deadline = System.nanoTime() + LEAVE_HAND_OFF.toNanos();
            Group.HandOff done = handOffGroups(without);
            while (done.left() > done.unreachable() && System.nanoTime() - deadline < 0 && pause(LEAVE_PAUSE_MS)) {
                done = handOffGroups(without);
            }
            if (done.left() > 0) {
                List<String> why = new ArrayList<>(2);
                if (done.unreachable() > 0) {
                    why.add(done.unreachable() + " for new owners it could not reach");
                }
                if (done.left() > done.unreachable()) {
                    why.add(done.left() - done.unreachable() + " that their new owners did not take within " + LEAVE_HAND_OFF);
                }
                LOG.log(System.Logger.Level.WARNING, "node " + selfAddress + " drops " + done.left()
                        + " entries as it leaves: " + String.join(", ", why));
            }
        }
        try {
            membership.close();
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "node " + selfAddress + " could not leave " + membership + ": " + e);
        }
    }

    /** Sleeps; false when interrupted, with the interrupt kept. */
    private static boolean pause(long millis) {
        try {
            Thread.sleep(millis);
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
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
        private Membership membership = Membership.none();
        private Duration rpcTimeout = Duration.ofSeconds(5);
        private int maxMessageBytes = 4 << 20;
        private Duration replySpin = ClusterSettings.DEFAULT_REPLY_SPIN;
        private String token;
        private TlsSettings tls;
        private NodeMetrics metrics = new NodeMetrics();
        private final List<BindableService> services = new ArrayList<>();
        private final Set<String> inlineMethods = new HashSet<>();
        private final Set<String> lastingMethods = new HashSet<>();

        private Builder() {
        }

        /**
         * The address ({@code host:port}) this node is known by on the ring and listens on
         * when clustered; port 0 listens on a free port and goes by that one (for membership
         * through etcd, where peers learn addresses from the registry).
         */
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

        /**
         * Where the node finds its peers: {@link Membership#none()} (the default: a single
         * instance, no network at all), {@link Membership#staticPeers} or etcd. A clustered
         * node serves gRPC on its self address.
         */
        public Builder membership(Membership membership) {
            this.membership = Objects.requireNonNull(membership, "membership must not be null");
            return this;
        }

        /** The deadline of every call to another node; five seconds by default. */
        public Builder rpcTimeout(Duration timeout) {
            Objects.requireNonNull(timeout, "rpc timeout must not be null");
            if (timeout.isNegative() || timeout.isZero()) {
                throw new IllegalArgumentException("rpc timeout must be positive, was " + timeout);
            }
            this.rpcTimeout = timeout;
            return this;
        }

        /**
         * The cluster's shared secret: the node refuses calls that do not carry it
         * (UNAUTHENTICATED) and sends it with its own. Null (the default) for none.
         */
        public Builder token(String token) {
            this.token = token;
            return this;
        }

        /**
         * TLS on the node's gRPC port and on its calls to other nodes (null, the default, for
         * plain text). With {@link TlsSettings#clientAuth()} it serves only callers whose
         * certificate chains to the CA.
         */
        public Builder tls(TlsSettings tls) {
            this.tls = tls;
            return this;
        }

        /** What the node's channels to the others are made with. */
        private ClusterSettings channelSettings() {
            return new ClusterSettings(List.of(), null, rpcTimeout, maxMessageBytes, replySpin, token, tls);
        }

        /**
         * How long a caller whose call to another node is the only one in flight spins for
         * the reply before it sleeps: on a host with a core to spare this saves the thread's
         * wake-up from a round trip. Zero sleeps at once; default 250 µs.
         */
        public Builder replySpin(Duration spin) {
            Objects.requireNonNull(spin, "replySpin");
            if (spin.isNegative()) {
                throw new IllegalArgumentException("reply spin must not be negative, was " + spin);
            }
            this.replySpin = spin;
            return this;
        }

        /**
         * The largest message between nodes, in bytes (4 MiB by default): a value that
         * cannot fit is refused when it is set, with an error saying so.
         */
        public Builder maxMessageBytes(int max) {
            if (max < 64 << 10) {
                throw new IllegalArgumentException("max message bytes must be at least 65536, was " + max);
            }
            this.maxMessageBytes = max;
            return this;
        }

        /**
         * Another gRPC service the node serves on its address when clustered: a face built
         * on the node (the JCache provider) answers its own calls beside the node's.
         */
        public Builder service(BindableService service) {
            return service(service, Set.of(), Set.of());
        }

        /**
         * As {@link #service(BindableService)}, with methods (full gRPC names) whose calls
         * start on the network thread, saving two thread hand-offs each: their handlers must
         * not block, and hand what may block to threads of their own; and methods whose calls
         * last as long as their caller wants (streams), which a stopping node ends at once
         * instead of waiting for them as it waits for the others.
         */
        public Builder service(BindableService service, Set<String> inlineMethods, Set<String> lastingMethods) {
            services.add(Objects.requireNonNull(service, "service must not be null"));
            this.inlineMethods.addAll(inlineMethods);
            this.lastingMethods.addAll(lastingMethods);
            return this;
        }

        /**
         * Builds the node; a clustered node is listening and has joined when this returns.
         *
         * @throws io.kamacache.discovery.MembershipException when the membership source cannot be reached
         * @throws java.io.UncheckedIOException when the self address cannot be listened on
         */
        /** Where the node keeps its metrics; a registry of its own by default. */
        public Builder metrics(NodeMetrics metrics) {
            this.metrics = Objects.requireNonNull(metrics, "metrics");
            return this;
        }

        public Node build() {
            return new Node(this);
        }
    }
}
