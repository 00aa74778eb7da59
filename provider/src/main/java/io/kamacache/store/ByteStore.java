package io.kamacache.store;

import io.kamacache.codec.Codec;
import io.kamacache.config.PolicyKind;
import io.kamacache.eviction.Capacity;
import io.kamacache.eviction.EvictionNode;
import io.kamacache.eviction.EvictionPolicy;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BiConsumer;
import java.util.function.BiPredicate;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.UnaryOperator;

/**
 * A concurrent, bounded map of byte keys to {@link StoredValue}s; see the package
 * documentation for how it works. Keys and values are owned by the store once passed in:
 * callers must not modify the arrays afterwards.
 *
 * <p>Weight: an entry weighs its key bytes (and the key's object,
 * {@link StoredValue#weightOfObject}, when it keeps one) plus its value's bytes or object
 * ({@link StoredValue#weight}) plus
 * {@link #ENTRY_OVERHEAD}, so that a {@code maxBytes} bound also limits the memory many
 * small entries cost. An entry heavier than the whole {@code maxBytes} is never kept: writing it
 * removes any previous value of the key and reports the new one as {@link
 * RemovalCause#EVICTED}.
 *
 * <p>Thread-safe. {@link #close()} stops the background expiry sweep; the data stays
 * readable.
 */
public final class ByteStore implements AutoCloseable {

    /**
     * Bytes added to every entry's weight for the store's own bookkeeping: the map's node
     * and table slot, this store's node with the key's fields and its policy links, the value
     * holder and two array headers. Measured with JOL on OpenJDK 17 (64-bit, compressed
     * pointers; {@code GraphLayout.totalSize} of a store less an empty one's): 100 000
     * entries of a 10-byte key and a 32-byte value took 168.5 bytes each beyond their key
     * and value bytes, table slack included.
     */
    public static final int ENTRY_OVERHEAD = 168;

    /**
     * Each entry keyed by its own node, which holds the key: a read goes from the map's node
     * to this store's, with no key wrapper between them. Lookups pass a {@link ByteKey} or a
     * {@link Probe}, equal to the node that holds that key.
     */
    private final ConcurrentHashMap<Object, StoreNode> data = new ConcurrentHashMap<>();
    private final double a1inFraction;
    private final double a1outFraction;
    /** Replaced as a whole, under the eviction lock, by {@link #reconfigure}. */
    private volatile Bookkeeping bookkeeping;
    private final ReentrantLock evictionLock = new ReentrantLock();
    private final AtomicLong weight = new AtomicLong();
    private final AtomicLong count = new AtomicLong();
    private final InstantSource clock;
    private final RemovalListener removalListener;
    private final ScheduledFuture<?> sweep;
    private final Executor maintenance;
    private final boolean drainOnReader;
    private final AtomicBoolean drainScheduled = new AtomicBoolean();
    private final Runnable drainReads = this::drainReads;

    private ByteStore(Builder b) {
        StoreOptions options = b.options;
        this.a1inFraction = options.a1inFraction();
        this.a1outFraction = options.a1outFraction();
        this.bookkeeping = new Bookkeeping(options.policy(), options.capacity(), a1inFraction, a1outFraction);
        this.clock = b.clock;
        this.removalListener = b.removalListener;
        this.maintenance = b.maintenance;
        this.drainOnReader = b.drainOnReader;
        this.sweep = b.sweeper == null ? null
                : b.sweeper.scheduleWithFixedDelay(this::sweepExpired,
                        b.sweepInterval.toMillis(), b.sweepInterval.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** A builder for a store with these options. */
    public static Builder builder(StoreOptions options) {
        return new Builder(options);
    }

    /** The live value of {@code key}, or null when it is absent or expired. */
    public StoredValue get(byte[] key) {
        return read(key, true);
    }

    /**
     * The live value of {@code key} as {@link #get} reads it, but an expired entry is left
     * in place (and null returned), so a read has no side effect beyond the policy's
     * recency: for callers that remove expired entries through {@link #get} or
     * {@link #compute}, where their removal is reported.
     */
    public StoredValue peek(byte[] key) {
        return read(key, false);
    }

    /**
     * What {@link #peek} finds, as its {@link StoredValue#payload() payload}: the value's
     * object, else its bytes, which the caller must not modify; null when the key is absent
     * or expired. An entry that never expires gives it without its value holder being read,
     * one memory reference fewer than {@code peek(key).payload()} on the hit path.
     */
    public Object peekPayload(byte[] key) {
        return livePayload(data.get(new ByteKey(requireKey(key), null)));
    }

    /**
     * {@link #peekPayload(byte[])} for a key the caller has not encoded: {@code hash} is
     * {@link java.util.Arrays#hashCode(byte[])} of its bytes, and {@code isEncoding} tells
     * whether some bytes are the encoding of {@code keyObject}. An entry created with this
     * very object ({@link #compute(byte[], Object, UnaryOperator)}) is found without testing
     * its bytes.
     */
    public Object peekPayload(int hash, Object keyObject, BiPredicate<Object, byte[]> isEncoding) {
        return livePayload(data.get(new Probe(hash, keyObject, isEncoding)));
    }

    private Object livePayload(StoreNode node) {
        if (node == null) {
            return null;
        }
        Object payload = node.eternalPayload;
        if (payload == null) {
            StoredValue value = live(node, false);
            return value == null ? null : value.payload();
        }
        recordAccess(node);
        return payload;
    }

    private StoredValue read(byte[] key, boolean removeExpired) {
        return live(data.get(new ByteKey(requireKey(key), null)), removeExpired);
    }

    private StoredValue live(StoreNode node, boolean removeExpired) {
        if (node == null) {
            return null;
        }
        StoredValue value = node.value;
        if (isExpired(value)) {
            // removes it unless rewritten meanwhile
            return removeExpired ? compute(node.bytes, UnaryOperator.identity()) : null;
        }
        recordAccess(node);
        return value;
    }

    /**
     * Stores {@code value} for {@code key}.
     *
     * @return the previous live value, or null
     */
    public StoredValue put(byte[] key, StoredValue value) {
        Objects.requireNonNull(value, "value");
        StoredValue[] previous = new StoredValue[1];
        compute(key, current -> {
            previous[0] = current;
            return value;
        });
        return previous[0];
    }

    /**
     * Removes {@code key}.
     *
     * @return the removed live value, or null when there was none
     */
    public StoredValue remove(byte[] key) {
        StoredValue[] previous = new StoredValue[1];
        compute(key, current -> {
            previous[0] = current;
            return null;
        });
        return previous[0];
    }

    /**
     * Atomically replaces the entry of {@code key} with {@code remapping(current)}, where
     * {@code current} is the live value or null when the key is absent or expired. The
     * function returns the value to keep: null removes the entry, the very same instance
     * leaves it untouched. It runs while the key is locked, so it must be short and must
     * not touch this store.
     *
     * @return the live value after the call (a value too heavy to keep is returned even
     *         though it was not kept)
     */
    public StoredValue compute(byte[] key, UnaryOperator<StoredValue> remapping) {
        return compute(key, null, remapping);
    }

    /**
     * A {@code compute} remapping that never removes a live entry: given a live value it
     * returns a value to keep (a new one or the same). In a store without a bound it runs on
     * a live entry under that entry's own lock instead of inside the map's {@code compute}
     * for the key, so the write changes the entry's node and nothing of the map's. It still
     * runs once per call, while the key is locked.
     */
    public interface Replacement extends UnaryOperator<StoredValue> {
    }

    /**
     * {@link #compute(byte[], UnaryOperator)} with the key also as the immutable object its
     * bytes encode (a String or a boxed primitive; null for none). An entry this call
     * creates keeps that object, counted in its weight, so that lookups with the very same
     * object ({@link #peek(int, Object, BiPredicate)}) and writes with it find the entry by
     * reference, as a map of objects would, instead of comparing bytes.
     *
     * @throws IllegalArgumentException if the key object is of another type
     */
    public StoredValue compute(byte[] key, Object keyObject, UnaryOperator<StoredValue> remapping) {
        return compute(Arrays.hashCode(requireKey(key)), key, keyObject, remapping);
    }

    /**
     * {@link #compute(byte[], Object, UnaryOperator)} for a caller that knows the key's hash
     * cheaper than hashing its bytes: {@code hash} must be {@link Arrays#hashCode(byte[])}
     * of {@code key}.
     */
    public StoredValue compute(int hash, byte[] key, Object keyObject, UnaryOperator<StoredValue> remapping) {
        requireKey(key);
        requireKeptAsObject(keyObject);
        assert hash == Arrays.hashCode(key) : "the hash given is not the hash of the key";
        ByteKey lookup = new ByteKey(hash, key, keyObject);
        StoredValue replaced = replaceInPlace(lookup, remapping);
        if (replaced != null) {
            return replaced;
        }
        Change change = new Change(remapping);
        data.computeIfPresent(lookup, change);
        if (change.entry == null) { // nothing held
            insert(hash, key, keyObject, change);
        }
        afterWrite(change);
        return change.result;
    }

    /**
     * {@link #compute(byte[], Object, UnaryOperator)} for a key the caller has not encoded:
     * the entry held for {@code keyObject} is found as {@link #peek(int, Object, BiPredicate)}
     * finds it, and only when there is none are the key's bytes asked of {@code encoder}, for
     * the entry to create. A {@code hash} that is not that of the key's encoding (a caller may
     * pass one that holds for some keys only, such as ASCII Strings') finds nothing; the
     * encoded key is then hashed anew.
     */
    public StoredValue compute(int hash, Object keyObject, BiPredicate<Object, byte[]> isEncoding,
                               Function<Object, byte[]> encoder, UnaryOperator<StoredValue> remapping) {
        requireKeptAsObject(keyObject);
        Probe lookup = new Probe(hash, keyObject, isEncoding);
        StoredValue replaced = replaceInPlace(lookup, remapping);
        if (replaced != null) {
            return replaced;
        }
        Change change = new Change(remapping);
        data.computeIfPresent(lookup, change);
        if (change.entry == null) { // nothing held
            byte[] key = requireKey(encoder.apply(keyObject));
            insert(Arrays.hashCode(key), key, keyObject, change);
        }
        afterWrite(change);
        return change.result;
    }

    /**
     * Runs a {@link Replacement} on the live entry {@code lookup} finds, under the entry's node
     * lock alone, when the store is unbounded: such a write has nothing to tell a policy and
     * changes nothing but the node and the store's weight. Every other write of a node holds
     * that lock too, inside the map's for its key, so the two kinds exclude each other. Null,
     * and nothing run, when this does not apply (another remapping, a bounded store, no entry,
     * an expired one or one being removed): the caller then goes through the map.
     */
    private StoredValue replaceInPlace(Object lookup, UnaryOperator<StoredValue> remapping) {
        if (!(remapping instanceof Replacement) || bookkeeping.policy != null) {
            return null;
        }
        StoreNode node = data.get(lookup);
        if (node == null) {
            return null;
        }
        synchronized (node) {
            StoredValue current = node.value;
            if (!node.alive || current == null || isExpired(current)) {
                return null;
            }
            StoredValue next = Objects.requireNonNull(remapping.apply(current), "a Replacement removed a live entry");
            if (next != current) {
                long delta = next.weight() - current.weight();
                node.hold(next);
                if (delta != 0) {
                    weight.addAndGet(delta);
                }
            }
            return next;
        }
    }

    /**
     * Runs {@code change} on a key no entry held when it was looked up: the map inserts a new
     * node, itself the entry's key, unless another writer inserted one meanwhile.
     */
    private void insert(int hash, byte[] key, Object keyObject, Change change) {
        data.compute(new StoreNode(hash, key, keyObject), change);
    }

    /** Removes every entry; expired ones are reported as expired. */
    public void clear() {
        for (StoreNode node : data.values()) {
            compute(node.bytes, current -> null);
        }
    }

    /** Visits the live entries, weakly consistent with concurrent changes. */
    public void forEach(BiConsumer<byte[], StoredValue> action) {
        long now = clock.millis();
        data.forEach((key, node) -> {
            StoredValue value = node.value;
            if (!value.isExpiredAt(now)) {
                action.accept(node.bytes, value);
            }
        });
    }

    /**
     * The live entries, weakly consistent with concurrent changes (like {@link #forEach});
     * the iterator does not support {@code remove}. Reading through it does not count as an
     * access for the eviction policy.
     */
    public Iterator<Map.Entry<byte[], StoredValue>> iterator() {
        Iterator<StoreNode> nodes = data.values().iterator();
        return new Iterator<>() {
            private Map.Entry<byte[], StoredValue> next;

            @Override
            public boolean hasNext() {
                long now = clock.millis();
                while (next == null && nodes.hasNext()) {
                    StoreNode node = nodes.next();
                    StoredValue value = node.value;
                    if (!value.isExpiredAt(now)) {
                        next = Map.entry(node.bytes, value);
                    }
                }
                return next != null;
            }

            @Override
            public Map.Entry<byte[], StoredValue> next() {
                if (!hasNext()) {
                    throw new NoSuchElementException();
                }
                Map.Entry<byte[], StoredValue> result = next;
                next = null;
                return result;
            }
        };
    }

    /** The number of entries held, including expired ones not yet removed. */
    public long size() {
        return count.get();
    }

    /** The summed weight of the entries held, in bytes. */
    public long weightedSize() {
        return weight.get();
    }

    public Capacity capacity() {
        return bookkeeping.capacity;
    }

    /**
     * Switches to another eviction policy and/or capacity, keeping the entries: they move
     * into the new policy in the order the old one would have evicted them, so the entries
     * it would have kept longest are still kept longest (2Q's and Clock's finer state, the
     * ghost keys and reference bits, starts afresh). A smaller capacity then evicts down to
     * it, and those evictions reach the removal listener like any other. Reads and writes
     * may run meanwhile.
     */
    public void reconfigure(PolicyKind kind, Capacity capacity) {
        Objects.requireNonNull(kind, "policy");
        Objects.requireNonNull(capacity, "capacity");
        Bookkeeping next = new Bookkeeping(kind, capacity, a1inFraction, a1outFraction);
        List<Removal> removals = new ArrayList<>();
        evictionLock.lock();
        try {
            Bookkeeping previous = bookkeeping;
            previous.replayReads(); // the hits so far decide the old order
            // Published before the entries are moved: a writer that still saw the previous
            // bookkeeping finished its map change before this point, so the walk below meets
            // its entry; a writer that sees the new one waits for the lock and finds it tracked.
            bookkeeping = next;
            if (previous.policy != null) {
                for (EvictionNode victim = previous.policy.evict(); victim != null; victim = previous.policy.evict()) {
                    if (next.policy != null && ((StoreNode) victim).alive) {
                        next.policy.onInsert(victim);
                    }
                }
            }
            if (next.policy != null) {
                for (StoreNode node : data.values()) { // unbounded before, or written but not yet tracked
                    if (node.alive && !node.isTracked()) {
                        next.policy.onInsert(node);
                    }
                }
                evictOverflow(next, removals);
            }
        } finally {
            evictionLock.unlock();
        }
        report(removals);
    }

    /** The weight an entry of this key and value bytes has. */
    public static long weightOf(byte[] key, byte[] value) {
        return (long) key.length + value.length + ENTRY_OVERHEAD;
    }

    /** The weight of {@code node} holding {@code value}: their bytes, and the objects it keeps. */
    private static long weightOf(StoreNode node, StoredValue value) {
        return node.bytes.length + StoredValue.weightOfObject(node.object) + ENTRY_OVERHEAD + value.weight();
    }

    /** Removes the entries whose expiry time has passed; the background sweep calls this. */
    public void sweepExpired() {
        long now = clock.millis();
        for (StoreNode node : data.values()) {
            if (node.value.isExpiredAt(now)) {
                compute(node.bytes, UnaryOperator.identity());
            }
        }
    }

    /** Stops the background expiry sweep. */
    @Override
    public void close() {
        if (sweep != null) {
            sweep.cancel(false);
        }
    }

    // ---- policy bookkeeping -------------------------------------------------------------

    /**
     * Records a hit without the lock. A reader may still hold the bookkeeping a concurrent
     * {@link #reconfigure} replaced; its hit then lands in a read buffer nobody drains, or
     * sets a Clock reference bit, both harmless.
     */
    private void recordAccess(StoreNode node) {
        Bookkeeping current = bookkeeping;
        if (current.policy == null) {
            return;
        }
        if (current.readBuffer == null) {
            current.policy.onAccess(node);
        } else if (current.readBuffer.offer(node)) {
            drainFullStripe();
        }
    }

    /**
     * Replays a full stripe: on the reader when its builder said so, if the eviction lock is
     * free (else its holder, a writer, replays, or the next reader to find a stripe full);
     * otherwise on the maintenance executor, so readers never wait for the lock nor pay for
     * reordering. Hits offered meanwhile to full stripes are dropped.
     */
    private void drainFullStripe() {
        if (drainOnReader) {
            if (evictionLock.tryLock()) {
                try {
                    bookkeeping.replayReads();
                } finally {
                    evictionLock.unlock();
                }
            }
        } else if (drainScheduled.compareAndSet(false, true)) {
            try {
                maintenance.execute(drainReads);
            } catch (RejectedExecutionException e) {
                drainScheduled.set(false); // shutting down: the next write drains instead
            }
        }
    }

    private void drainReads() {
        evictionLock.lock();
        try {
            bookkeeping.replayReads();
        } finally {
            drainScheduled.set(false);
            evictionLock.unlock();
        }
    }

    /** Tells the policy what a compute changed, evicts while over capacity, then reports removals. */
    private void afterWrite(Change change) {
        if (!change.changed()) {
            return;
        }
        // Read once: a store made bounded after this read finds this write's entry when it
        // moves the entries into its policy.
        boolean bounded = bookkeeping.policy != null;
        if (!bounded && change.expired == null && change.rejected == null) {
            return; // the common write of an unbounded store: nothing to order, evict or report
        }
        List<Removal> removals = new ArrayList<>(1);
        if (change.expired != null) {
            removals.add(new Removal(change.removed.bytes, change.expired, RemovalCause.EXPIRED));
        }
        if (change.rejected != null) {
            removals.add(new Removal(change.entry.bytes, change.rejected, RemovalCause.EVICTED));
        }
        if (bounded) {
            updatePolicy(change, removals);
        }
        report(removals);
    }

    private void report(List<Removal> removals) {
        for (Removal removal : removals) {
            removalListener.onRemoval(removal.key, removal.value, removal.cause);
        }
    }

    private void updatePolicy(Change change, List<Removal> removals) {
        evictionLock.lock();
        try {
            Bookkeeping current = bookkeeping; // under the lock: what reconfigure left
            EvictionPolicy policy = current.policy;
            if (policy == null) {
                return;
            }
            current.replayReads(); // hits before this write keep their order
            // Another thread may have changed the same node since; the node's own state is
            // the truth: only alive nodes are inserted, only tracked ones updated or removed.
            if (change.removed != null && change.removed.isTracked()) {
                policy.onRemove(change.removed);
            }
            if (change.updated != null && change.updated.isTracked()) {
                policy.onUpdate(change.updated);
            }
            if (change.added != null && change.added.alive && !change.added.isTracked()) {
                policy.onInsert(change.added);
            }
            evictOverflow(current, removals);
        } finally {
            evictionLock.unlock();
        }
    }

    private void evictOverflow(Bookkeeping current, List<Removal> removals) {
        while (current.capacity.isExceededBy(weight.get(), count.get())) {
            StoreNode victim = (StoreNode) current.policy.evict();
            if (victim == null) {
                return; // the rest is still being inserted by other writers, who will evict
            }
            StoredValue[] evicted = new StoredValue[1];
            data.computeIfPresent(victim, (key, node) -> {
                if (node != victim) {
                    return node;
                }
                synchronized (node) { // a write in place of a store bounded meanwhile
                    evicted[0] = node.value;
                    retire(node);
                }
                return null;
            });
            if (evicted[0] != null) {
                RemovalCause cause = isExpired(evicted[0]) ? RemovalCause.EXPIRED : RemovalCause.EVICTED;
                removals.add(new Removal(victim.bytes, evicted[0], cause));
            }
        }
    }

    /** Whether {@code value} has expired; the clock is read only for a value that can expire. */
    private boolean isExpired(StoredValue value) {
        return value.expiresAt() != StoredValue.ETERNAL && value.isExpiredAt(clock.millis());
    }

    private void retire(StoreNode node) {
        node.alive = false;
        weight.addAndGet(-node.weight());
        count.decrementAndGet();
    }

    private static byte[] requireKey(byte[] key) {
        return Objects.requireNonNull(key, "key");
    }

    private static void requireKeptAsObject(Object keyObject) {
        if (keyObject != null && !Codec.isImmutable(keyObject)) {
            throw new IllegalArgumentException("only Strings and boxed primitives are kept as key objects, not "
                    + keyObject.getClass().getName());
        }
    }

    // ---- types --------------------------------------------------------------------------

    /**
     * A capacity with the policy and read buffer that go with it, one object so that a
     * reader without the lock never pairs one policy with another's buffer.
     */
    private static final class Bookkeeping {
        final Capacity capacity;
        /** Null when the capacity is unbounded: nothing is ever evicted, so no order is kept. */
        final EvictionPolicy policy;
        /** Null when the policy records hits itself, without the lock. */
        final ReadBuffer<StoreNode> readBuffer;
        private final Consumer<StoreNode> replayAccess = this::replayAccess;

        Bookkeeping(PolicyKind kind, Capacity capacity, double a1inFraction, double a1outFraction) {
            this.capacity = capacity;
            this.policy = capacity.isBounded() ? EvictionPolicy.create(kind, capacity, a1inFraction, a1outFraction) : null;
            this.readBuffer = policy == null || policy.concurrentAccess() ? null : new ReadBuffer<>();
        }

        /** Replays the buffered hits into the policy; under the eviction lock. */
        void replayReads() {
            if (readBuffer != null) {
                readBuffer.drainTo(replayAccess);
            }
        }

        private void replayAccess(StoreNode node) {
            if (node.isTracked()) {
                policy.onAccess(node);
            }
        }
    }

    /**
     * The store's entry, and its key in the map: the key's hash, bytes and object (as a
     * {@link ByteKey} holds them, and equal to one with the same key), its current value and
     * the policy's links. The map keeps the key an entry was inserted with, so a node stays
     * its entry's for as long as the entry lives: an expired entry written again keeps its
     * node, which the policy forgets and takes anew as a new entry.
     */
    static final class StoreNode extends EvictionNode {
        final int hash;
        final byte[] bytes;
        final Object object;
        /** Null only until the write that creates the node has run; set by {@link #hold}. */
        volatile StoredValue value;
        /**
         * The payload of {@link #value} while that never expires, else null: a read of a value
         * that never expires, the JCache default, takes it from here without following
         * {@code value} into the holder, which is one memory reference, often a cache miss,
         * fewer on a hit. A reader racing a write may pair this with the other field's old or
         * new value, as it may read either value anyway.
         */
        volatile Object eternalPayload;
        /**
         * False once removed from the map, and while a write makes an expired entry's node
         * new (under the map's lock for the key and the node's); read by the policy
         * bookkeeping and by a write in place.
         */
        volatile boolean alive = true;

        StoreNode(int hash, byte[] bytes, Object object) {
            this.hash = hash;
            this.bytes = bytes;
            this.object = object;
        }

        private static final VarHandle VALUE;
        private static final VarHandle ETERNAL_PAYLOAD;

        static {
            try {
                MethodHandles.Lookup lookup = MethodHandles.lookup();
                VALUE = lookup.findVarHandle(StoreNode.class, "value", StoredValue.class);
                ETERNAL_PAYLOAD = lookup.findVarHandle(StoreNode.class, "eternalPayload", Object.class);
            } catch (ReflectiveOperationException e) {
                throw new ExceptionInInitializerError(e);
            }
        }

        /**
         * Makes {@code next} the node's value. Release stores: a reader that sees a new field
         * sees the whole value it points to, and writes to one node are ordered by the node's
         * lock, which every write holds; the full fence that a volatile store adds
         * would order nothing more, at the price of a locked instruction each.
         */
        void hold(StoredValue next) {
            VALUE.setRelease(this, next);
            ETERNAL_PAYLOAD.setRelease(this, next.expiresAt() == StoredValue.ETERNAL ? next.payload() : null);
        }

        @Override
        public boolean equals(Object o) {
            return o == this || o instanceof StoreNode other
                    && ByteKey.same(hash, bytes, object, other.hash, other.bytes, other.object)
                    || o instanceof ByteKey key && key.equals(this);
        }

        @Override
        public int hashCode() {
            return hash;
        }

        /** The key, detached from this node, for a policy to remember it by after eviction. */
        @Override
        public Object key() {
            return new ByteKey(hash, bytes, object);
        }

        @Override
        public long weight() {
            return weightOf(this, value);
        }
    }

    private record Removal(byte[] key, StoredValue value, RemovalCause cause) {
    }

    /**
     * One write's remapping, run inside the map's per-key compute, and a record of what it
     * did for the policy bookkeeping that follows.
     */
    private final class Change implements java.util.function.BiFunction<Object, StoreNode, StoreNode> {
        final UnaryOperator<StoredValue> remapping;
        /** The node that holds the key: the entry's, else the new node the map was asked to insert. */
        StoreNode entry;
        StoreNode added;
        StoreNode updated;
        StoreNode removed;
        StoredValue expired;
        StoredValue rejected;
        StoredValue result;

        Change(UnaryOperator<StoredValue> remapping) {
            this.remapping = Objects.requireNonNull(remapping, "remapping");
        }

        boolean changed() {
            return added != null || updated != null || removed != null || rejected != null;
        }

        @Override
        public StoreNode apply(Object k, StoreNode node) {
            // only an insert gets here without a node, and it passes the node to insert as the key
            entry = node != null ? node : (StoreNode) k;
            if (node == null) {
                return change(null);
            }
            synchronized (node) { // a write in place holds only this lock
                return change(node);
            }
        }

        /** The change of {@link #entry}; {@code node} is the map's, null for an insert. */
        private StoreNode change(StoreNode node) {
            StoredValue current = null;
            if (node != null) {
                current = node.value;
                if (isExpired(current)) {
                    expired = current;
                    current = null;
                }
            }
            StoredValue next = remapping.apply(current);
            result = next;
            if (next == current && expired == null) {
                return node; // untouched
            }
            Capacity capacity = bookkeeping.capacity;
            // without a byte bound no entry is too heavy, and weighing the key would read it
            if (next != null && capacity.maxBytes() > 0 && capacity.isTooHeavy(weightOf(entry, next))) {
                rejected = next;
                next = null;
            }
            if (node != null && (next == null || expired != null)) {
                retire(node);
                removed = node;
            }
            if (next == null) {
                return null;
            }
            if (node != null && expired == null) {
                long delta = next.weight() - node.value.weight();
                node.hold(next);
                if (delta != 0) { // a value of the same size, as most rewrites are, spares the shared counter
                    weight.addAndGet(delta);
                }
                updated = node;
                return node;
            }
            // A new entry, or an expired one's node anew: the map keeps that node as the key, so
            // it stays the entry; the policy was told above to forget it and is told to add it.
            entry.hold(next);
            entry.alive = true;
            weight.addAndGet(entry.weight());
            count.incrementAndGet();
            added = entry;
            return entry;
        }
    }

    /** Builds a {@link ByteStore}. */
    public static final class Builder {
        private final StoreOptions options;
        private InstantSource clock = InstantSource.system();
        private RemovalListener removalListener = RemovalListener.NONE;
        private ScheduledExecutorService sweeper;
        private Duration sweepInterval;
        private Executor maintenance = ForkJoinPool.commonPool();
        private boolean drainOnReader;

        private Builder(StoreOptions options) {
            this.options = Objects.requireNonNull(options, "options");
        }

        /** The clock expiry times are compared with; the system clock by default. */
        public Builder clock(InstantSource clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        public Builder removalListener(RemovalListener listener) {
            this.removalListener = Objects.requireNonNull(listener, "removalListener");
            return this;
        }

        /**
         * Where full read buffers are replayed into the eviction policy, unless readers
         * replay them ({@link #drainReadsOnReader}); the common fork-join pool by default.
         * {@code Runnable::run} replays on the reading thread, which makes a single-threaded
         * replay exactly ordered (simulations want that).
         */
        public Builder maintenanceExecutor(Executor executor) {
            this.maintenance = Objects.requireNonNull(executor, "executor");
            return this;
        }

        /**
         * Has the reader that fills a stripe of the read buffer replay it, when the eviction
         * lock is free, instead of the maintenance executor. For a store whose host is bound
         * by CPU under load, a server: handing each replay to another thread wakes it, which
         * costs that host more than the replay (in a profile of a server answering batches of
         * reads, the wake-ups were six times the replays' CPU). An application with idle cores
         * does better handing the replay off, as it is by default.
         */
        public Builder drainReadsOnReader() {
            this.drainOnReader = true;
            return this;
        }

        /**
         * Sweeps expired entries every {@code interval} on {@code scheduler} until the store
         * is closed. Without it, expired entries are removed only when read or written.
         */
        public Builder sweepExpired(ScheduledExecutorService scheduler, Duration interval) {
            Objects.requireNonNull(interval, "interval");
            if (interval.isNegative() || interval.isZero()) {
                throw new IllegalArgumentException("sweep interval must be positive, was " + interval);
            }
            this.sweeper = Objects.requireNonNull(scheduler, "scheduler");
            this.sweepInterval = interval;
            return this;
        }

        public ByteStore build() {
            return new ByteStore(this);
        }
    }
}
