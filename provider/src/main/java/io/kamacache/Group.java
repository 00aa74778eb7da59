package io.kamacache;

import io.grpc.Status;
import io.kamacache.config.PolicyKind;
import io.kamacache.ring.HashRing;
import io.kamacache.singleflight.LoadCoalescer;
import io.kamacache.store.ByteStore;
import io.kamacache.store.RemovalCause;
import io.kamacache.store.RemovalListener;
import io.kamacache.store.StoreOptions;
import io.kamacache.store.StoredValue;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.LongAdder;

/**
 * A named cache of byte values with a {@link Getter} behind it: a {@link #get} that misses
 * calls the getter (once per key however many callers miss together), keeps the value and
 * returns it. Created by {@link Node#newGroup}; thread-safe.
 *
 * <p>Keys are non-empty strings, stored as their UTF-8 bytes. A value heavier than the
 * group's whole {@code maxBytes} is returned to its caller but not kept (it counts as an
 * eviction).
 */
public final class Group {

    private static final System.Logger LOG = System.getLogger(Group.class.getName());

    private final Node node;
    private final String name;
    private final Getter getter;
    /** Replaced by {@link #reconfigure}. */
    private volatile StoreOptions options;
    private final InstantSource clock;
    private final ByteStore store;
    private final LoadCoalescer<String, ByteView> loads;
    /** Fetches from previous owners while the node takes over its ranges: one call per key at a time. */
    private final LoadCoalescer<ByteBuffer, Boolean> fetches = new LoadCoalescer<>(Runnable::run);
    private final LongAdder hits = new LongAdder();
    private final LongAdder misses = new LongAdder();
    private final LongAdder loadCalls = new LongAdder();
    private final LongAdder loadErrors = new LongAdder();
    private final LongAdder loadNanos = new LongAdder();
    private final LongAdder remoteSent = new LongAdder();
    private final LongAdder remoteServed = new LongAdder();
    private final LongAdder evictions = new LongAdder();
    private final LongAdder expirations = new LongAdder();

    Group(Node node, String name, Getter getter, StoreOptions options, RemovalListener onRemoval,
          Node.Services services) {
        this.node = node;
        this.name = name;
        this.getter = getter;
        this.options = options;
        this.clock = services.clock();
        ByteStore.Builder store = ByteStore.builder(options)
                .clock(clock)
                .removalListener((key, value, cause) -> {
                    (cause == RemovalCause.EVICTED ? evictions : expirations).increment();
                    onRemoval.onRemoval(key, value, cause);
                })
                .maintenanceExecutor(services.maintenance())
                .sweepExpired(services.maintenance(), services.sweepInterval());
        if (services.readersDrain()) {
            store.drainReadsOnReader();
        }
        this.store = store.build();
        this.loads = new LoadCoalescer<>(services.loaders());
    }

    public String name() {
        return name;
    }

    public StoreOptions options() {
        return options;
    }

    /**
     * Switches the group to another eviction policy and/or bounds while it serves, keeping
     * its entries; a smaller bound evicts down to it, and those evictions count as such.
     *
     * @throws IllegalArgumentException when a bound is negative
     */
    public synchronized void reconfigure(PolicyKind policy, long maxBytes, long maxEntries) {
        StoreOptions next = options.withBounds(policy, maxBytes, maxEntries);
        store.reconfigure(next.policy(), next.capacity());
        options = next;
    }

    /**
     * The value of {@code key}, loaded through the getter on a miss; waits as long as the
     * load takes.
     *
     * @return the value, or null when the getter says the key has none
     * @throws LoadException when the getter failed, or the calling thread was interrupted
     */
    public ByteView get(String key) {
        return await(key, getAsync(key), null);
    }

    /**
     * Like {@link #get(String)}, but gives up waiting after {@code timeout}. Giving up
     * does not stop the load: other callers still receive its value and it is cached.
     *
     * @throws LoadException when the getter failed, the timeout passed (the cause is a
     *         {@link TimeoutException}) or the calling thread was interrupted
     */
    public ByteView get(String key, Duration timeout) {
        Objects.requireNonNull(timeout, "timeout");
        return await(key, getAsync(key), timeout);
    }

    /**
     * The value of {@code key} as a future of the caller's own: cancelling it abandons only
     * this caller's wait. It completes with null when the getter says the key has none, and
     * exceptionally with the getter's exception when loading failed.
     */
    public CompletableFuture<ByteView> getAsync(String key) {
        byte[] keyBytes = keyBytes(key);
        String owner = node.ownerOf(keyBytes);
        return owner != null ? remoteGet(owner, key, keyBytes, false) : localGetAsync(key, keyBytes);
    }

    /** Asks the owner: one RPC per key at a time from this node, and its answer is final. */
    CompletableFuture<ByteView> remoteGet(String owner, String key, byte[] keyBytes, boolean forwarded) {
        return loads.load(key, () -> {
            remoteSent.increment();
            return node.peers().get(owner, name, keyBytes, forwarded);
        });
    }

    /** The owner's side of a get: the store, then the getter on a miss. */
    CompletableFuture<ByteView> localGetAsync(String key, byte[] keyBytes) {
        StoredValue cached = store.get(keyBytes);
        if (cached != null) {
            hits.increment();
            return CompletableFuture.completedFuture(ByteView.wrap(cached.value()));
        }
        misses.increment();
        return loads.load(key, () -> load(key, keyBytes));
    }

    /** Stores {@code value} for {@code key}, replacing any previous value. */
    public void set(String key, ByteView value) {
        Objects.requireNonNull(value, "value must not be null");
        setBytes(keyBytes(key), value.array());
    }

    /** Stores a copy of {@code value} for {@code key}, replacing any previous value. */
    public void set(String key, byte[] value) {
        Objects.requireNonNull(value, "value must not be null");
        setBytes(keyBytes(key), value.clone());
    }

    /**
     * In a cluster a value that cannot travel is refused wherever its key lies, this node
     * too: whether a set works must not depend on the owner, and a value kept here must
     * still reach its readers and a new owner.
     */
    private void setBytes(byte[] keyBytes, byte[] value) {
        if (node.peers() != null) {
            node.peers().checkSize(name, keyBytes, value);
        }
        String owner = node.ownerOf(keyBytes);
        if (owner != null) {
            node.peers().set(owner, name, keyBytes, value, false);
        } else {
            localSet(keyBytes, value);
        }
    }

    /** The owner's side of a set; the group keeps {@code value}'s array. */
    void localSet(byte[] keyBytes, byte[] value) {
        takeOver(keyBytes);
        store.put(keyBytes, stored(value));
    }

    /**
     * Removes {@code key}.
     *
     * @return whether it had a value
     */
    public boolean delete(String key) {
        byte[] keyBytes = keyBytes(key);
        String owner = node.ownerOf(keyBytes);
        return owner != null ? node.peers().delete(owner, name, keyBytes, false) : localDelete(keyBytes);
    }

    /** The owner's side of a delete. */
    boolean localDelete(byte[] keyBytes) {
        takeOver(keyBytes);
        return store.remove(keyBytes) != null;
    }

    /**
     * Hands every entry this node does not own in {@code ring} to its owner, and drops it
     * here once the owner has confirmed it (unless it was rewritten meanwhile). Entries an
     * owner did not take (unreachable, or without this group yet) stay here for a later try.
     * Batches fit the smaller of the two nodes' message limits; an entry too large for that
     * is not handed off.
     *
     * @return how many entries moved and how many are left to move, of which how many for
     *         owners that could not be reached
     */
    HandOff handOff(HashRing ring) {
        Map<String, List<Map.Entry<byte[], StoredValue>>> byOwner = new HashMap<>();
        Map<String, Integer> limits = new HashMap<>();
        store.forEach((key, value) -> {
            String owner = ring.ownerOf(key);
            if (!owner.equals(node.selfAddress())
                    && PeerClient.fits(key, value.value(), limits.computeIfAbsent(owner, node.peers()::messageLimit))) {
                byOwner.computeIfAbsent(owner, o -> new ArrayList<>()).add(Map.entry(key, value));
            }
        });
        long moved = 0;
        long left = 0;
        long unreachable = 0;
        for (Map.Entry<String, List<Map.Entry<byte[], StoredValue>>> batch : byOwner.entrySet()) {
            try {
                node.peers().transfer(batch.getKey(), name, batch.getValue(), limits.get(batch.getKey()));
            } catch (ClusterException e) {
                LOG.log(System.Logger.Level.DEBUG, "group '" + name + "': " + e.getMessage());
                left += batch.getValue().size();
                if (Status.fromThrowable(e).getCode() == Status.Code.UNAVAILABLE) {
                    unreachable += batch.getValue().size();
                }
                continue;
            }
            for (Map.Entry<byte[], StoredValue> entry : batch.getValue()) {
                store.compute(entry.getKey(), current -> current == entry.getValue() ? null : current);
            }
            moved += batch.getValue().size();
        }
        return new HandOff(moved, left, unreachable);
    }

    /**
     * What one hand-off did: entries that moved to their owners, entries still to move, and
     * of those the entries whose owner could not be reached (UNAVAILABLE), as opposed to one
     * that answered without taking them (it has no such group yet) or too late.
     */
    record HandOff(long moved, long left, long unreachable) {

        static final HandOff NONE = new HandOff(0, 0, 0);

        HandOff plus(HandOff other) {
            return new HandOff(moved + other.moved, left + other.left, unreachable + other.unreachable);
        }
    }

    /**
     * Keeps an entry handed over by its previous owner, unless this node already holds a
     * value for the key (a write that reached it first is newer) or, while it takes over its
     * ranges, has settled the key already (a removal here is newer too).
     *
     * @return whether the entry was kept
     */
    boolean acceptTransfer(byte[] keyBytes, byte[] value, long expiresAt) {
        TakeOver joining = node.takeOver();
        boolean[] kept = {false};
        store.compute(keyBytes, current -> {
            if (current != null || (joining != null && joining.isSettled(name, keyBytes))) {
                return current;
            }
            kept[0] = true;
            return StoredValue.of(value, expiresAt);
        });
        return kept[0];
    }

    /**
     * Whether operations on this group may first fetch an entry from another node: the node
     * joined lately and takes over its ranges ({@link #takeOver}).
     */
    public boolean isTakingOver() {
        return node.takeOver() != null;
    }

    /**
     * Before an operation on a key this node owns: while the node takes over the ranges it
     * joined for, brings the key's entry from its previous owner unless the key is settled
     * here already (see {@link TakeOver}); otherwise does nothing. Blocks for one call at
     * most; a previous owner that does not answer leaves the key as this node has it. A face
     * that runs its own operations on {@link #store()} calls this first.
     */
    public void takeOver(byte[] keyBytes) {
        TakeOver joining = node.takeOver();
        String holder = joining == null ? null : joining.source(keyBytes);
        if (holder == null || joining.isSettled(name, keyBytes)) {
            return;
        }
        try {
            fetches.load(ByteBuffer.wrap(keyBytes), () -> {
                PeerClient.Fetched fetched = store.get(keyBytes) != null ? null : node.peers().fetch(holder, name, keyBytes);
                StoredValue value = fetched == null ? null : fetched.value();
                store.compute(keyBytes, current -> (joining.settle(name, keyBytes) && current == null) ? value : current);
                if (fetched != null && fetched.handedOff()) {
                    joining.handedOff(holder);
                }
                return Boolean.TRUE;
            }).get();
        } catch (ExecutionException e) {
            LOG.log(System.Logger.Level.DEBUG, "group '" + name + "': " + e.getCause().getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * The group's local store. A face that keeps its own entry semantics on top of the group
     * (the JCache provider does) reads and writes it directly, and reports its reads and
     * loads through {@link #recordGet} and {@link #recordLoad} so that {@link #stats()}
     * covers them too.
     */
    public ByteStore store() {
        return store;
    }

    /** Counts one read of the store: a hit or a miss. */
    public void recordGet(boolean hit) {
        (hit ? hits : misses).increment();
    }

    /** Counts one call of a loader outside {@link #get} that took {@code nanos}; {@code failed} when it threw. */
    public void recordLoad(boolean failed, long nanos) {
        loadCalls.increment();
        loadNanos.add(nanos);
        if (failed) {
            loadErrors.increment();
        }
    }

    /** Counts one request sent to another member for keys of this group that the other member owns. */
    public void recordSent() {
        remoteSent.increment();
    }

    /**
     * Whether {@code value} can travel with {@code key} in one message between nodes, to a
     * reader elsewhere or a new owner: always on a single-instance node.
     */
    public boolean fitsInAMessage(byte[] key, byte[] value) {
        return node.peers() == null || node.peers().fits(key, value);
    }

    /** Counts one request of another member answered here. */
    public void recordServed() {
        remoteServed.increment();
    }

    public GroupStats stats() {
        long hitCount = hits.sum();
        long missCount = misses.sum();
        return new GroupStats(hitCount + missCount, hitCount, missCount, loadCalls.sum(), loads.joinedCount(),
                loadErrors.sum(), loadNanos.sum(), evictions.sum(), expirations.sum(), store.size(),
                store.weightedSize(), remoteSent.sum(), remoteServed.sum());
    }

    @Override
    public String toString() {
        return "Group{" + name + ", " + options + '}';
    }

    void close() {
        store.close();
    }

    private ByteView load(String key, byte[] keyBytes) throws Exception {
        takeOver(keyBytes);
        // A load that finished between this caller's miss and now has already stored the value, or the take-over has.
        StoredValue cached = store.get(keyBytes);
        if (cached != null) {
            return ByteView.wrap(cached.value());
        }
        loadCalls.increment(); // counted as it starts: callers see a load running
        byte[] loaded;
        long start = System.nanoTime();
        try {
            loaded = getter.get(key);
        } catch (Throwable t) {
            loadErrors.increment();
            throw t;
        } finally {
            loadNanos.add(System.nanoTime() - start);
        }
        if (loaded == null) {
            return null;
        }
        if (node.peers() != null) {
            node.peers().checkSize(name, keyBytes, loaded); // refused as a set is (setBytes)
        }
        byte[] owned = loaded.clone(); // the getter may reuse its array
        store.put(keyBytes, stored(owned));
        return ByteView.wrap(owned);
    }

    private ByteView await(String key, CompletableFuture<ByteView> future, Duration timeout) {
        try {
            return timeout == null ? future.get() : future.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            throw new LoadException("group '" + name + "': loading key '" + key + "' failed: " + cause, cause);
        } catch (TimeoutException e) {
            future.cancel(false);
            throw new LoadException("group '" + name + "': gave up waiting for key '" + key + "' after " + timeout
                    + "; the load goes on for other callers", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            future.cancel(false);
            throw new LoadException("group '" + name + "': interrupted while waiting for key '" + key + "'", e);
        }
    }

    private StoredValue stored(byte[] value) {
        Duration ttl = options.expireAfterWrite();
        if (ttl == null) {
            return StoredValue.of(value);
        }
        long expiresAt = clock.millis() + ttl.toMillis();
        return StoredValue.of(value, expiresAt < 0 ? StoredValue.ETERNAL : expiresAt);
    }

    private byte[] keyBytes(String key) {
        node.ensureOpen();
        Objects.requireNonNull(key, "key must not be null");
        if (key.isEmpty()) {
            throw new IllegalArgumentException("key must not be empty (group '" + name + "')");
        }
        return key.getBytes(StandardCharsets.UTF_8);
    }
}
