package io.kamacache.jcache;

import io.kamacache.codec.Codec;
import io.kamacache.jcache.event.EventDispatcher;
import io.kamacache.jcache.event.EventDispatcher.Batch;
import io.kamacache.jcache.management.CacheManagement;
import io.kamacache.jcache.management.CacheStatistics;
import io.kamacache.jcache.management.MBeans;
import io.kamacache.proto.v1.Event;
import io.kamacache.proto.v1.Op;
import io.kamacache.remote.MessagePieces;
import io.kamacache.ring.HashRing;

import javax.cache.Cache;
import javax.cache.CacheException;
import javax.cache.CacheManager;
import javax.cache.configuration.CacheEntryListenerConfiguration;
import javax.cache.configuration.CompleteConfiguration;
import javax.cache.configuration.Configuration;
import javax.cache.configuration.MutableConfiguration;
import javax.cache.event.EventType;
import javax.cache.integration.CacheLoaderException;
import javax.cache.integration.CompletionListener;
import javax.cache.processor.EntryProcessor;
import javax.cache.processor.EntryProcessorException;
import javax.cache.processor.EntryProcessorResult;
import java.io.Closeable;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Consumer;

/**
 * The caller's half of a JCache cache. It checks and encodes keys and values, sends each
 * operation to the owner of its key (this JVM's {@link LocalEntries}, or another node
 * through the {@link CacheCluster}), and finishes the call here: it counts the statistics
 * and delivers the operation's events to the listeners registered on this cache, waiting
 * for the synchronous ones.
 *
 * <p>{@link #unwrap(Class)} gives this class or, on a node, the cache's group
 * ({@code io.kamacache.Group}).
 */
public final class KamaCache<K, V> implements Cache<K, V> {

    /** How long closing waits for operations still running at this node's entries. */
    private static final Duration CLOSE_PATIENCE = Duration.ofSeconds(5);

    private final KamaCacheManager manager;
    private final String name;
    private final MutableConfiguration<K, V> configuration;
    private final Codec codec;
    private final LocalEntries<K, V> local;
    /** Null in single-instance mode. */
    private final CacheCluster cluster;
    private final EventDispatcher<K, V> events;
    private final CacheStatistics statistics;
    private final CacheManagement management;
    private final Executor executor;
    private volatile boolean closed;

    KamaCache(KamaCacheManager manager, String name, MutableConfiguration<K, V> configuration,
              LocalEntries<K, V> local, Codec codec, CacheCluster cluster, Executor executor) {
        this.manager = manager;
        this.name = name;
        this.configuration = configuration;
        this.codec = codec;
        this.local = local;
        this.cluster = cluster;
        this.executor = executor;
        this.events = new EventDispatcher<>(this, executor);
        for (CacheEntryListenerConfiguration<K, V> listener : configuration.getCacheEntryListenerConfigurations()) {
            events.register(listener);
        }
        this.statistics = new CacheStatistics(local.counters());
        this.management = new CacheManagement(configuration);
        setStatisticsEnabled(configuration.isStatisticsEnabled());
        setManagementEnabled(configuration.isManagementEnabled());
    }

    // ---- reads ----------------------------------------------------------------------------

    @Override
    @SuppressWarnings("unchecked")
    public V get(K key) {
        requireOpen();
        Objects.requireNonNull(key, "key must not be null");
        long start = statistics.start();
        // a hit on an entry held here needs no operation: read it, count it, done; alone, without
        // a ring to place it on, the key need not even be encoded
        byte[] k = cluster == null ? null : codec.encode(key);
        Object held = k == null || cluster.ownerOf(k) == null ? local.peek(key, k) : null;
        if (held != null) {
            statistics.recordGets(true, 1);
            statistics.recordGetTime(start);
            return valueOf(held);
        }
        return valueOf(runGet(key, k != null ? k : codec.encode(key), start).value);
    }

    /** A get at the key's owner, counted in the statistics; its outcome holds the stored bytes. */
    private Outcome runGet(K key, byte[] k, long start) {
        Outcome out = run(Operation.onKey(Op.GET, key, k));
        record(out, start, true);
        return out;
    }

    /**
     * The value of {@code key} as {@link #get} reads it, with the media type it was put with
     * by {@link #putTyped} (null when it was put without one); null when there is no value.
     */
    public Typed<V> getTyped(K key) {
        requireOpen();
        Objects.requireNonNull(key, "key must not be null");
        Outcome out = runGet(key, codec.encode(key), statistics.start());
        // a value kept as its object (a String, a boxed primitive) was not put with a media type
        return out.value == null ? null
                : new Typed<>(valueOf(out.value), out.value instanceof byte[] bytes ? Codec.mediaType(bytes) : null);
    }

    /**
     * Puts {@code bytes} for {@code key} as {@link #put} does, keeping their media type
     * (such as {@code image/png}) beside them for {@link #getTyped}; {@link #get} reads the
     * bytes alone. For caches of {@code byte[]} (or {@code Object}) values.
     *
     * @throws ClassCastException if the cache's values are of another type
     * @throws IllegalArgumentException if the media type is longer than 255 characters or not US-ASCII
     */
    public void putTyped(K key, byte[] bytes, String mediaType) {
        requireOpen();
        @SuppressWarnings("unchecked")
        V value = (V) bytes;
        checkTypes(key, value);
        long start = statistics.start();
        record(run(Operation.onKey(Op.PUT, key, codec.encode(key), value, codec.encodeTyped(bytes, mediaType), null,
                null)), start, false);
    }

    /**
     * A value with the media type it was put with.
     *
     * @param value     the value, as {@link #get} gives it
     * @param mediaType its media type, or null when it was put without one
     */
    public record Typed<V>(V value, String mediaType) {
    }

    @Override
    public Map<K, V> getAll(Set<? extends K> keySet) {
        requireOpen();
        requireNoNulls(keySet);
        long start = statistics.start();
        List<K> keys = new ArrayList<>(keySet);
        Outcome out = runBatch(Op.GET_ALL, keys, null, false);
        Map<K, V> found = new HashMap<>(keys.size() * 2);
        for (int i = 0; i < keys.size(); i++) {
            Object value = out.values.get(i);
            if (value != null) {
                found.put(keys.get(i), valueOf(value));
            }
        }
        record(out, start, true);
        if (out.failure != null) {
            throw out.failure;
        }
        return found;
    }

    @Override
    public boolean containsKey(K key) {
        requireOpen();
        Objects.requireNonNull(key, "key must not be null");
        return run(Operation.onKey(Op.CONTAINS_KEY, key, codec.encode(key))).flag;
    }

    @Override
    public void loadAll(Set<? extends K> keySet, boolean replaceExistingValues, CompletionListener listener) {
        requireOpen();
        requireNoNulls(keySet);
        CompletionListener done = listener == null ? NO_COMPLETION : listener;
        if (configuration.getCacheLoaderFactory() == null) {
            done.onCompletion();
            return;
        }
        List<K> keys = new ArrayList<>(keySet);
        try {
            executor.execute(() -> {
                try {
                    Outcome out = runBatch(Op.LOAD_ALL, keys, null, replaceExistingValues);
                    if (out.failure != null) {
                        throw out.failure;
                    }
                    done.onCompletion();
                } catch (Exception e) {
                    done.onException(e instanceof CacheLoaderException ? e : new CacheLoaderException(e));
                }
            });
        } catch (RejectedExecutionException e) {
            throw new IllegalStateException("cache manager " + manager.getURI() + " is closed", e);
        }
    }

    private static final CompletionListener NO_COMPLETION = new CompletionListener() {
        @Override
        public void onCompletion() {
        }

        @Override
        public void onException(Exception e) {
        }
    };

    // ---- writes ---------------------------------------------------------------------------

    @Override
    public void put(K key, V value) {
        requireOpen();
        checkTypes(key, value);
        long start = statistics.start();
        // a put of a key held here that nobody hears of needs no operation, as a hit needs none;
        // alone, without a ring to place it on, the key need not even be encoded
        byte[] k = cluster == null ? null : codec.encode(key);
        byte[] v = valueBytes(value);
        int puts = events.mask() == 0 && (k == null || cluster.ownerOf(k) == null && cluster.remoteMask(name) == 0
                && Operation.sizeOf(k) + Operation.valueSize(value, v) <= cluster.room(name)) // else run checks it
                ? local.putHeld(key, k, value, v) : -1;
        if (puts >= 0) {
            statistics.recordPuts(puts, start);
            return;
        }
        record(run(Operation.onKey(Op.PUT, key, k != null ? k : codec.encode(key), value, v, null, null)), start, false);
    }

    @Override
    public V getAndPut(K key, V value) {
        requireOpen();
        checkTypes(key, value);
        long start = statistics.start();
        Outcome out = run(onKey(Op.GET_AND_PUT, key, value, null));
        record(out, start, true);
        return valueOf(out.value);
    }

    @Override
    public void putAll(Map<? extends K, ? extends V> map) {
        requireOpen();
        Objects.requireNonNull(map, "map must not be null");
        List<K> keys = new ArrayList<>(map.size());
        List<V> values = new ArrayList<>(map.size());
        for (Map.Entry<? extends K, ? extends V> entry : map.entrySet()) {
            checkTypes(entry.getKey(), entry.getValue());
            keys.add(entry.getKey());
            values.add(entry.getValue());
        }
        long start = statistics.start();
        Outcome out = runBatch(Op.PUT_ALL, keys, values, false);
        record(out, start, false);
        if (out.failure != null) {
            throw out.failure;
        }
    }

    @Override
    public boolean putIfAbsent(K key, V value) {
        requireOpen();
        checkTypes(key, value);
        long start = statistics.start();
        Outcome out = run(onKey(Op.PUT_IF_ABSENT, key, value, null));
        record(out, start, false);
        return out.flag;
    }

    @Override
    public boolean remove(K key) {
        requireOpen();
        Objects.requireNonNull(key, "key must not be null");
        long start = statistics.start();
        Outcome out = run(Operation.onKey(Op.REMOVE, key, codec.encode(key)));
        record(out, start, false);
        return out.flag;
    }

    @Override
    public V getAndRemove(K key) {
        requireOpen();
        Objects.requireNonNull(key, "key must not be null");
        long start = statistics.start();
        Outcome out = run(Operation.onKey(Op.GET_AND_REMOVE, key, codec.encode(key)));
        record(out, start, true);
        return valueOf(out.value);
    }

    @Override
    public boolean remove(K key, V oldValue) {
        requireOpen();
        Objects.requireNonNull(key, "key must not be null");
        Objects.requireNonNull(oldValue, "oldValue must not be null");
        long start = statistics.start();
        Outcome out = run(Operation.onKey(Op.REMOVE_IF_SAME, key, codec.encode(key), null, null, oldValue,
                codec.encode(oldValue)));
        record(out, start, true);
        return out.flag;
    }

    @Override
    public boolean replace(K key, V oldValue, V newValue) {
        requireOpen();
        Objects.requireNonNull(oldValue, "oldValue must not be null");
        checkTypes(key, newValue);
        long start = statistics.start();
        Outcome out = run(onKey(Op.REPLACE_IF_SAME, key, newValue, oldValue));
        record(out, start, true);
        return out.flag;
    }

    @Override
    public boolean replace(K key, V value) {
        requireOpen();
        checkTypes(key, value);
        long start = statistics.start();
        Outcome out = run(onKey(Op.REPLACE, key, value, null));
        record(out, start, true);
        return out.flag;
    }

    @Override
    public V getAndReplace(K key, V value) {
        requireOpen();
        checkTypes(key, value);
        long start = statistics.start();
        Outcome out = run(onKey(Op.GET_AND_REPLACE, key, value, null));
        record(out, start, true);
        return valueOf(out.value);
    }

    @Override
    public void removeAll(Set<? extends K> keySet) {
        requireOpen();
        requireNoNulls(keySet);
        removeEach(new ArrayList<>(keySet));
    }

    @Override
    public void removeAll() {
        requireOpen();
        List<K> all = new ArrayList<>();
        local.forEachKey(k -> all.add(decode(k)));
        if (cluster != null) {
            for (String member : cluster.others()) {
                cluster.keys(member, name).forEach(k -> all.add(decode(k)));
            }
        }
        removeEach(all);
    }

    /** Deletes through the writer in one batch per owner, then removes what it deleted. */
    private void removeEach(List<K> keys) {
        long start = statistics.start();
        Outcome out = runBatch(Op.REMOVE_ALL, keys, null, false);
        record(out, start, false);
        if (out.failure != null) {
            throw out.failure;
        }
    }

    @Override
    public void clear() {
        requireOpen();
        clearOwned();
        if (cluster != null) {
            cluster.clear(name);
        }
    }

    /** Drops this node's entries of the cache, without the writer or events. */
    void clearOwned() {
        local.clear();
    }

    // ---- entry processors -----------------------------------------------------------------

    @Override
    public <T> T invoke(K key, EntryProcessor<K, V, T> processor, Object... arguments) {
        requireOpen();
        Objects.requireNonNull(key, "key must not be null");
        Objects.requireNonNull(processor, "entry processor must not be null");
        Operation<K, V> operation = Operation.invoke(key, codec.encode(key), processor, arguments);
        if (cluster != null) {
            cluster.encodeProcessor(name, operation);
        }
        long start = statistics.start();
        Outcome out = run(operation);
        record(out, start, true);
        @SuppressWarnings("unchecked")
        T typed = (T) out.result;
        return typed;
    }

    /** One call per owner, in parallel; each key's processor runs atomically at its owner. */
    @Override
    public <T> Map<K, EntryProcessorResult<T>> invokeAll(Set<? extends K> keySet, EntryProcessor<K, V, T> processor,
                                                         Object... arguments) {
        requireOpen();
        requireNoNulls(keySet);
        Objects.requireNonNull(processor, "entry processor must not be null");
        long start = statistics.start();
        List<K> keys = new ArrayList<>(keySet);
        List<byte[]> ks = new ArrayList<>(keys.size());
        for (K key : keys) {
            ks.add(codec.encode(key));
        }
        Operation<K, V> whole = Operation.batch(Op.INVOKE_ALL, keys, ks, null, null);
        whole.processor = processor;
        whole.arguments = arguments;
        if (cluster != null) {
            cluster.encodeProcessor(name, whole);
        }
        Outcome out = runBatch(whole, false, 1);
        record(out, start, true);
        Map<K, EntryProcessorResult<T>> results = new HashMap<>();
        for (int i = 0; i < keys.size(); i++) {
            RuntimeException failed = out.failures.get(i);
            if (failed != null) {
                EntryProcessorException failure = failed instanceof EntryProcessorException epe ? epe
                        : new EntryProcessorException(failed);
                results.put(keys.get(i), () -> {
                    throw failure;
                });
            } else if (out.results.get(i) != null) {
                @SuppressWarnings("unchecked")
                T result = (T) out.results.get(i);
                results.put(keys.get(i), () -> result);
            }
        }
        return results;
    }

    // ---- iteration ------------------------------------------------------------------------

    /**
     * This node's entries, then every other member's. Each entry is read as it is reached
     * (one call to its owner for a remote one), so the access expiry applies to it then and
     * it counts as a hit; {@link Iterator#remove()} removes through the writer.
     */
    @Override
    public Iterator<Cache.Entry<K, V>> iterator() {
        requireOpen();
        Iterator<Map.Entry<byte[], byte[]>> held = local.entries();
        Iterator<String> members = cluster == null ? List.<String>of().iterator() : cluster.others().iterator();
        return new Iterator<>() {
            private Iterator<byte[]> remote = Collections.emptyIterator();
            private CacheEntry<K, V> next;
            private CacheEntry<K, V> last;

            @Override
            public boolean hasNext() {
                while (next == null) {
                    long start = statistics.start();
                    if (held.hasNext()) {
                        Map.Entry<byte[], byte[]> entry = held.next();
                        next = new CacheEntry<>(decode(entry.getKey()), decode(entry.getValue()));
                    } else if (remote.hasNext()) {
                        byte[] k = remote.next();
                        Object value = run(Operation.onKey(Op.TOUCH, null, k)).value;
                        if (value != null) {
                            next = new CacheEntry<>(decode(k), valueOf(value));
                        }
                    } else if (members.hasNext()) {
                        remote = cluster.keys(members.next(), name).iterator();
                        continue;
                    } else {
                        return false;
                    }
                    if (next != null) {
                        statistics.recordGets(true, 1);
                        statistics.recordGetTime(start);
                    }
                }
                return true;
            }

            @Override
            public Cache.Entry<K, V> next() {
                if (!hasNext()) {
                    throw new NoSuchElementException();
                }
                last = next;
                next = null;
                return last;
            }

            @Override
            public void remove() {
                if (last == null) {
                    throw new IllegalStateException("call next() before remove()");
                }
                requireOpen();
                K key = last.getKey();
                last = null;
                KamaCache.this.remove(key);
            }
        };
    }

    // ---- routing --------------------------------------------------------------------------

    /** Runs a single-key operation at the key's owner and delivers its events here. */
    private Outcome run(Operation<K, V> operation) {
        if (cluster != null) {
            checkFits(operation);
        }
        for (int attempt = 1; ; attempt++) {
            HashRing ring = cluster == null ? null : cluster.ring();
            String owner = ring == null ? null : cluster.ownerOf(ring, operation.k);
            if (owner == null) {
                return runOwned(operation);
            }
            try {
                return answer(send(owner, ring, operation, null));
            } catch (CacheCluster.MovedException e) {
                awaitNewView(attempt, e);
            }
        }
    }

    /** Refuses an operation on one key too large to travel to its owner, wherever that is ({@link CacheCluster#tooLarge}). */
    private void checkFits(Operation<K, V> operation) {
        long room = cluster.room(name);
        if (operation.size() > room) {
            operation.encodeValue(codec); // the exact size, where the bound was too coarse
            if (operation.size() > room) {
                throw cluster.tooLarge(name, operation.size(), operation.key, operation.carried());
            }
        }
    }

    /** Sends an operation to its owner; a part of a batch goes through the batch's {@code rooms}. */
    private CacheCluster.Sent<K, V> send(String owner, HashRing ring, Operation<K, V> operation,
                                         CacheCluster.Rooms rooms) {
        operation.encodeValue(codec);
        local.recordSent();
        return rooms == null ? cluster.send(owner, ring, name, operation, events.mask())
                : rooms.send(owner, ring, operation, events.mask());
    }

    /** Waits for the answer to an operation sent and delivers its events here. */
    private Outcome answer(CacheCluster.Sent<K, V> sent) {
        Outcome out = cluster.outcome(sent, events.callerWaits());
        deliver(out);
        return out;
    }

    /** Pauses before routing again, or gives up once the views have had time to agree. */
    private void awaitNewView(int attempt, CacheCluster.MovedException moved) {
        if (attempt >= CacheCluster.ATTEMPTS) {
            throw new CacheException("cache '" + name + "': the owner of a key kept moving while membership changed ("
                    + moved.getMessage() + ")");
        }
        try {
            Thread.sleep(20L << attempt);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CacheException("cache '" + name + "': interrupted while membership changed", e);
        }
    }

    private Outcome runOwned(Operation<K, V> operation) {
        Outcome out = runAsOwner(operation, null, null);
        if (operation.processorBytes != null) { // in a cluster
            cluster.checkResults(out);
        }
        return out;
    }

    /**
     * Runs an operation on this node's entries. Its events go to this cache's listeners and,
     * as they happen, to the outboxes of the other members and clients whose listeners want
     * them, the remote {@code caller}'s too; those of a caller without an outbox (a client
     * without an event stream from here) go back in the reply, through {@code callerSink}.
     * Only a call made here waits for the synchronous listeners here.
     */
    private Outcome runAsOwner(Operation<K, V> operation, EventCollector<K> callerSink, String caller) {
        Batch<K, V> batch = events.batch();
        CacheCluster.RemoteListeners<K> remote = cluster == null ? null
                : cluster.remoteListeners(name, caller, callerSink == null ? 0 : callerSink.mask());
        boolean inReply = callerSink != null && (remote == null || !remote.reachesCaller());
        Outcome out;
        try {
            out = local.run(operation, EventSink.of(inReply ? callerSink : EventSink.none(),
                    batch.isEmpty() ? EventSink.none() : new LocalSink(batch), remote == null ? EventSink.none() : remote));
        } finally {
            if (remote != null) {
                remote.flush();
            }
        }
        if (caller == null) {
            batch.awaitSynchronous();
        } else {
            batch.release(); // listeners here hear another member's calls asynchronously
        }
        if (callerSink != null && !inReply) {
            callerSink.sentThrough(remote.callerOutbox(), remote.callerThrough());
        }
        return out;
    }

    /**
     * Runs a batch as one operation per owner and merges the outcomes: answers index by
     * index, counts summed, the first failure kept.
     */
    private Outcome runBatch(Op op, List<K> keys, List<V> values, boolean replaceExisting) {
        List<byte[]> ks = new ArrayList<>(keys.size());
        for (K key : keys) {
            ks.add(codec.encode(key));
        }
        List<byte[]> vs = null;
        if (values != null) {
            vs = new ArrayList<>(values.size());
            for (V value : values) {
                vs.add(codec.encode(value));
            }
        }
        return runBatch(Operation.batch(op, keys, ks, values, vs), replaceExisting, 1);
    }

    /**
     * Runs each owner's part of a batch: sends the other owners' parts, runs this node's
     * own meanwhile, then waits for the others' answers and merges the outcomes. A part
     * too large for one message goes as several; a key too large with its value for any
     * fails the whole batch before any of it runs, wherever the key lies.
     */
    private Outcome runBatch(Operation<K, V> whole, boolean replaceExisting, int attempt) {
        Map<String, List<Integer>> byOwner = new LinkedHashMap<>();
        HashRing ring = cluster == null ? null : cluster.ring();
        for (int i = 0; i < whole.ks.size(); i++) {
            String owner = ring == null ? null : cluster.ownerOf(ring, whole.ks.get(i));
            byOwner.computeIfAbsent(owner == null ? "" : owner, o -> new ArrayList<>()).add(i);
        }
        List<Integer> own = byOwner.remove("");
        CacheCluster.Rooms rooms = cluster == null ? null : cluster.rooms(name);
        List<Map.Entry<String, List<Integer>>> remote = cluster == null ? List.of() : messages(whole, byOwner, rooms);
        List<CacheCluster.Sent<K, V>> sent = new ArrayList<>(remote.size());
        Outcome merged = new Outcome();
        merged.values = new ArrayList<>(Collections.nCopies(whole.ks.size(), null));
        if (whole.op == Op.INVOKE_ALL) {
            merged.results = new ArrayList<>(Collections.nCopies(whole.ks.size(), null));
            merged.failures = new ArrayList<>(Collections.nCopies(whole.ks.size(), (RuntimeException) null));
        }
        RuntimeException failed = null;
        try {
            for (Map.Entry<String, List<Integer>> part : remote) {
                sent.add(send(part.getKey(), ring, part(whole, part.getValue(), replaceExisting), rooms));
            }
            if (own != null) {
                merge(merged, own, runOwned(part(whole, own, replaceExisting)));
            }
        } catch (RuntimeException e) {
            failed = e;
        }
        CacheCluster.awaitAnswers(sent);
        for (int p = 0; p < sent.size(); p++) { // every part sent is answered, whatever failed before
            try {
                merge(merged, remote.get(p).getValue(), answerPart(sent.get(p), attempt));
            } catch (RuntimeException e) {
                failed = failed == null ? e : failed;
            }
        }
        if (failed != null) {
            throw failed;
        }
        return merged;
    }

    /**
     * The other owners' parts of a batch, each cut into runs of keys that fit in one
     * message to its owner ({@code rooms}) with their values and the entry processor.
     *
     * @throws CacheException when one key with its value does not fit, naming it; nothing was sent
     */
    private List<Map.Entry<String, List<Integer>>> messages(Operation<K, V> whole, Map<String, List<Integer>> byOwner,
                                                            CacheCluster.Rooms rooms) {
        long room = cluster.room(name) - whole.processorSize();
        for (int i = 0; i < whole.ks.size(); i++) { // every key, this node's own too
            if (whole.entrySize(i) > room) {
                throw cluster.tooLarge(name, whole.entrySize(i) + whole.processorSize(), whole.keys.get(i), whole.carried());
            }
        }
        List<Map.Entry<String, List<Integer>>> messages = new ArrayList<>(byOwner.size());
        byOwner.forEach((owner, indexes) -> {
            long ownerRoom = Math.min(room, rooms.of(owner) - whole.processorSize());
            for (int i = 0; ownerRoom < room && i < indexes.size(); i++) {
                int index = indexes.get(i);
                if (whole.entrySize(index) > ownerRoom) {
                    throw cluster.tooLarge(name, whole.entrySize(index) + whole.processorSize(), whole.keys.get(index),
                            whole.carried(), owner, ownerRoom + whole.processorSize());
                }
            }
            MessagePieces.runs(indexes, whole::entrySize, ownerRoom).forEach(run -> messages.add(Map.entry(owner, run)));
        });
        return messages;
    }

    private Outcome answerPart(CacheCluster.Sent<K, V> sent, int attempt) {
        try {
            return answer(sent);
        } catch (CacheCluster.MovedException e) {
            awaitNewView(attempt, e);
            return runBatch(sent.operation(), sent.operation().replaceExisting, attempt + 1);
        }
    }

    private static <K, V> Operation<K, V> part(Operation<K, V> whole, List<Integer> indexes, boolean replaceExisting) {
        Operation<K, V> operation = Operation.batch(whole.op, pick(whole.keys, indexes), pick(whole.ks, indexes),
                pick(whole.values, indexes), pick(whole.vs, indexes));
        operation.replaceExisting = replaceExisting;
        operation.processor = whole.processor;
        operation.arguments = whole.arguments;
        operation.processorBytes = whole.processorBytes;
        operation.argumentBytes = whole.argumentBytes;
        return operation;
    }

    /** Adds a part's outcome: answers index by index, counts summed, the first failure kept. */
    private static void merge(Outcome merged, List<Integer> indexes, Outcome out) {
        for (int j = 0; j < indexes.size(); j++) {
            int index = indexes.get(j);
            if (out.values != null) {
                merged.values.set(index, out.values.get(j));
            }
            if (out.results != null) {
                merged.results.set(index, out.results.get(j));
                merged.failures.set(index, out.failures.get(j));
            }
        }
        merged.hits += out.hits;
        merged.misses += out.misses;
        merged.puts += out.puts;
        merged.removals += out.removals;
        if (merged.failure == null) {
            merged.failure = out.failure;
        }
    }

    private static <T> List<T> pick(List<T> all, List<Integer> indexes) {
        if (all == null || indexes.size() == all.size()) {
            return all;
        }
        List<T> picked = new ArrayList<>(indexes.size());
        for (int i : indexes) {
            picked.add(all.get(i));
        }
        return picked;
    }

    private void deliver(Outcome out) {
        if (out.events != null) {
            deliver(out.events);
        }
    }

    /** Delivers events that another node ran as the owner to this cache's listeners, and waits for the synchronous ones. */
    void deliver(List<Event> remoteEvents) {
        if (remoteEvents.isEmpty()) {
            return;
        }
        Batch<K, V> batch = events.deliveryBatch();
        for (Event event : remoteEvents) {
            EventType type = EventType.values()[event.getType()];
            if (batch.wants(type)) {
                batch.publish(type, decode(event.getKey().toByteArray()),
                        event.getHasValue() ? decode(event.getValue().toByteArray()) : null,
                        event.getHasOldValue() ? decode(event.getOldValue().toByteArray()) : null);
            }
        }
        batch.awaitSynchronous();
    }

    /** Runs an operation that another node sent, reporting the events it listens to into {@code sink}. */
    Outcome runFor(Operation<K, V> operation, EventCollector<K> sink, String caller) {
        requireOpen();
        checkEncodings(operation);
        return runAsOwner(operation, sink, caller);
    }

    /**
     * Refuses a write from another node whose keys or values do not decode (corrupt, or of a
     * class outside the allow-list) before anything of it is stored: the owner keeps what it
     * is sent as bytes and decodes them only where it needs to, so it checks them here.
     */
    private void checkEncodings(Operation<K, V> operation) {
        if (operation.v != null) {
            codec.check(operation.k);
            codec.check(operation.v);
        }
        if (operation.vs != null) {
            operation.ks.forEach(codec::check);
            operation.vs.forEach(codec::check);
        }
    }

    /**
     * Whether running {@code op} here for another member may wait: on the loader, the writer
     * or an entry processor (user code). Expiry policies are taken to answer at once, and
     * this node's listeners hear another member's calls without it waiting for them.
     */
    boolean mayBlock(Op op) {
        return switch (op) {
            case CONTAINS_KEY, TOUCH -> false;
            case GET, GET_ALL -> configuration.isReadThrough() && configuration.getCacheLoaderFactory() != null;
            case LOAD_ALL, INVOKE, INVOKE_ALL -> true;
            default -> configuration.isWriteThrough() && configuration.getCacheWriterFactory() != null;
        };
    }

    /** The event types this cache's listeners want. */
    int listenerMask() {
        return events.mask();
    }

    /** The keys of this node's entries, for a node that iterates the cache. */
    void forEachOwnedKey(Consumer<byte[]> action) {
        local.forEachKey(action);
    }

    /** Publishes an owned operation's events to this cache's listeners, in the entry's lock. */
    private final class LocalSink implements EventSink<K> {

        private final Batch<K, V> batch;

        LocalSink(Batch<K, V> batch) {
            this.batch = batch;
        }

        @Override
        public boolean wants(EventType type) {
            return batch.wants(type);
        }

        @Override
        public void publish(EventType type, K key, byte[] k, byte[] value, byte[] oldValue) {
            if (batch.wants(type)) {
                batch.publish(type, key == null ? decode(k) : key, decodeOrNull(value), decodeOrNull(oldValue));
            }
        }
    }

    private void record(Outcome out, long start, boolean getTime) {
        if (out.hits > 0) {
            statistics.recordGets(true, out.hits);
        }
        if (out.misses > 0) {
            statistics.recordGets(false, out.misses);
        }
        if (getTime) {
            statistics.recordGetTime(start);
        }
        statistics.recordPuts(out.puts, start);
        statistics.recordRemovals(out.removals, start);
    }

    private Operation<K, V> onKey(Op op, K key, V value, V expected) {
        return Operation.onKey(op, key, codec.encode(key), value, valueBytes(value),
                expected, expected == null ? null : codec.encode(expected));
    }

    /**
     * The bytes a value is sent or stored as: none for an immutable value, which an owner here
     * keeps as its object; any other is encoded now, so that one the codec refuses fails before
     * anything is done.
     */
    private byte[] valueBytes(V value) {
        return Codec.isImmutable(value) ? null : codec.encode(value);
    }

    // ---- listeners, configuration, lifecycle ----------------------------------------------

    /** Takes on the listeners, statistics and management settings of the application that created it here too. */
    void adopt(CompleteConfiguration<K, V> requested) {
        for (CacheEntryListenerConfiguration<K, V> listener : requested.getCacheEntryListenerConfigurations()) {
            registerCacheEntryListener(listener);
        }
        setStatisticsEnabled(requested.isStatisticsEnabled());
        setManagementEnabled(requested.isManagementEnabled());
    }

    @Override
    public void registerCacheEntryListener(CacheEntryListenerConfiguration<K, V> listener) {
        requireOpen();
        events.register(listener);
        configuration.addCacheEntryListenerConfiguration(listener);
        announceListeners();
    }

    @Override
    public void deregisterCacheEntryListener(CacheEntryListenerConfiguration<K, V> listener) {
        requireOpen();
        events.deregister(listener);
        configuration.removeCacheEntryListenerConfiguration(listener);
        announceListeners();
    }

    /** Tells the other nodes what this cache's listeners want now. */
    void announceListeners() {
        if (cluster != null) {
            cluster.announce(name, events.mask());
        }
    }

    @Override
    public <C extends Configuration<K, V>> C getConfiguration(Class<C> clazz) {
        if (clazz.isInstance(configuration)) {
            return clazz.cast(configuration);
        }
        throw new IllegalArgumentException("cache '" + name + "' has no configuration of type " + clazz.getName()
                + "; ask for " + CompleteConfiguration.class.getName());
    }

    @Override
    public String getName() {
        return name;
    }

    @Override
    public CacheManager getCacheManager() {
        return manager;
    }

    /** Closes the cache: it leaves its manager, its entries are dropped and its resources closed. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        manager.release(this);
    }

    /** Called by the manager, once, when the cache leaves it. */
    void shutdown() {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
        }
        MBeans.unregister(statistics, MBeans.Kind.STATISTICS, manager.getURI(), name);
        MBeans.unregister(management, MBeans.Kind.CONFIGURATION, manager.getURI(), name);
        events.close();
        for (Object resource : local.close(CLOSE_PATIENCE)) {
            closeQuietly(resource);
        }
    }

    @Override
    public boolean isClosed() {
        return closed;
    }

    @Override
    public <T> T unwrap(Class<T> clazz) {
        if (clazz.isAssignableFrom(KamaCache.class)) {
            return clazz.cast(this);
        }
        T part = local.unwrap(clazz);
        if (part != null) {
            return part;
        }
        throw new IllegalArgumentException("cache '" + name + "' cannot be unwrapped to " + clazz.getName()
                + "; it unwraps to " + KamaCache.class.getName() + " and, on a node, io.kamacache.Group");
    }

    void setStatisticsEnabled(boolean enabled) {
        statistics.setEnabled(enabled);
        configuration.setStatisticsEnabled(enabled);
        if (enabled) {
            MBeans.register(statistics, MBeans.Kind.STATISTICS, manager.getURI(), name);
        } else {
            MBeans.unregister(statistics, MBeans.Kind.STATISTICS, manager.getURI(), name);
        }
    }

    void setManagementEnabled(boolean enabled) {
        configuration.setManagementEnabled(enabled);
        if (enabled) {
            MBeans.register(management, MBeans.Kind.CONFIGURATION, manager.getURI(), name);
        } else {
            MBeans.unregister(management, MBeans.Kind.CONFIGURATION, manager.getURI(), name);
        }
    }

    /** The JCache statistics of this cache, whether or not they are enabled. */
    public CacheStatistics statistics() {
        return statistics;
    }

    /**
     * Told by the local entries of every entry found expired; expiries become events, which
     * go with the operation that found them when one is running.
     */
    void expired(byte[] k, byte[] value) {
        if (closed) {
            return;
        }
        EventSink<K> running = local.runningSink();
        if (running != null) {
            running.publish(EventType.EXPIRED, null, k, value, value);
            return;
        }
        // Found by the sweep: no operation to travel with.
        if (events.wants(EventType.EXPIRED)) {
            Batch<K, V> batch = events.batch();
            batch.publish(EventType.EXPIRED, decode(k), decode(value), decode(value));
            batch.awaitSynchronous();
        }
        CacheCluster.RemoteListeners<K> remote = cluster == null ? null : cluster.remoteListeners(name, null, 0);
        if (remote != null && remote.wants(EventType.EXPIRED)) {
            remote.publish(EventType.EXPIRED, null, k, value, value);
            remote.flush();
        }
    }

    @Override
    public String toString() {
        return "KamaCache{" + name + ", " + local + '}';
    }

    // ---- helpers --------------------------------------------------------------------------

    @SuppressWarnings("unchecked")
    private <T> T decode(byte[] bytes) {
        return (T) codec.decode(bytes);
    }

    private <T> T decodeOrNull(byte[] bytes) {
        return bytes == null ? null : decode(bytes);
    }

    /** An owner's answer ({@link Outcome#value}) as the cache's type: the object it kept, else its bytes decoded. */
    @SuppressWarnings("unchecked")
    private V valueOf(Object answer) {
        return answer instanceof byte[] bytes ? decode(bytes) : (V) answer;
    }

    private void checkTypes(K key, V value) {
        checkTypes(name, configuration, key, value);
    }

    /** Checks a key and value against a cache's configured types, at the caller and in entry processors. */
    static void checkTypes(String name, CompleteConfiguration<?, ?> configuration, Object key, Object value) {
        Objects.requireNonNull(key, "key must not be null");
        Objects.requireNonNull(value, "value must not be null");
        Class<?> keyType = configuration.getKeyType();
        if (keyType != Object.class && !keyType.isInstance(key)) {
            throw new ClassCastException("cache '" + name + "' takes keys of type " + keyType.getName()
                    + ", not " + key.getClass().getName());
        }
        Class<?> valueType = configuration.getValueType();
        if (valueType != Object.class && !valueType.isInstance(value)) {
            throw new ClassCastException("cache '" + name + "' takes values of type " + valueType.getName()
                    + ", not " + value.getClass().getName());
        }
    }

    private static void requireNoNulls(Collection<?> keySet) {
        Objects.requireNonNull(keySet, "keys must not be null");
        for (Object key : keySet) {
            Objects.requireNonNull(key, "keys must not contain null");
        }
    }

    private void requireOpen() {
        if (closed) {
            throw new IllegalStateException("cache '" + name + "' is closed");
        }
    }

    /** Closes a loader, writer or expiry policy; a failure is logged, the cache closes all the same. */
    private void closeQuietly(Object resource) {
        if (resource instanceof Closeable closeable) {
            try {
                closeable.close();
            } catch (IOException | RuntimeException e) {
                System.getLogger(KamaCache.class.getName()).log(System.Logger.Level.WARNING,
                        "cache '" + name + "': closing " + resource.getClass().getName() + " failed: " + e);
            }
        }
    }
}
