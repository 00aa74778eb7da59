package io.kamacache.jcache;

import io.kamacache.Group;
import io.kamacache.GroupStats;
import io.kamacache.codec.AsciiKey;
import io.kamacache.codec.Codec;
import io.kamacache.jcache.expiry.ExpiryTimes;
import io.kamacache.jcache.management.GetCounters;
import io.kamacache.jcache.processor.ProcessorEntry;
import io.kamacache.proto.v1.Op;
import io.kamacache.singleflight.LoadCoalescer;
import io.kamacache.store.ByteStore;
import io.kamacache.store.StoredValue;

import javax.cache.Cache;
import javax.cache.CacheException;
import javax.cache.configuration.CompleteConfiguration;
import javax.cache.event.EventType;
import javax.cache.integration.CacheLoader;
import javax.cache.integration.CacheLoaderException;
import javax.cache.integration.CacheWriter;
import javax.cache.integration.CacheWriterException;
import javax.cache.processor.EntryProcessor;
import javax.cache.processor.EntryProcessorException;
import java.io.Closeable;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.BiPredicate;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.UnaryOperator;

/**
 * The owner's half of a JCache cache: the entries of the keys this node owns, and every
 * operation on them. Each operation on a key runs inside the store's per-key compute, so
 * the expiry arithmetic, the writer call, the entry processor and the events of one key
 * happen atomically and in order. Keys and values come and go as bytes; the loader, the
 * writer, processors and listeners see them decoded. Concurrent read-through misses of
 * one key cost one {@link CacheLoader#load} call.
 *
 * <p>While the node takes over the ranges it joined for, an operation first brings the
 * entries of its keys from their previous owners ({@link Group#takeOver}); they arrive as
 * handed-over entries do, without events.
 *
 * <p>An operation reports its events to the {@link EventSink} it runs with: the local
 * listeners when the caller is this node, the reply when it is another.
 */
final class OwnedEntries<K, V> implements LocalEntries<K, V> {

    /** Whether bytes are the encoding of a String key as {@link AsciiKey} sees it. */
    private static final BiPredicate<Object, byte[]> ASCII_ENCODING = (key, bytes) -> AsciiKey.isEncodedIn((String) key, bytes);

    private final String name;
    private final Group group;
    private final ByteStore store;
    private final CompleteConfiguration<K, V> configuration;
    private final Codec codec;
    private final Function<Object, byte[]> encodeKey;
    private final ExpiryTimes expiry;
    private final CacheLoader<K, V> loader;
    private final CacheWriter<K, V> writer;
    private final LoadCoalescer<ByteBuffer, byte[]> loads = new LoadCoalescer<>(Runnable::run);
    /** The sink of the operation running on this thread, for the expiries the store finds meanwhile. */
    private final ThreadLocal<EventSink<K>> current = new ThreadLocal<>();
    /**
     * Operations running now, counted only when {@link #close} has something to wait for
     * them for: a loader, writer or expiry policy that is closed with the cache. Counting costs
     * two atomic updates per operation, as much as the rest of a hit.
     */
    private final LongAdder running = new LongAdder();
    private final boolean countsRunning;
    private volatile boolean closing;

    @SuppressWarnings("unchecked")
    OwnedEntries(String name, Group group, CompleteConfiguration<K, V> configuration, Codec codec, InstantSource clock) {
        this.name = name;
        this.group = group;
        this.store = group.store();
        this.configuration = configuration;
        this.codec = codec;
        this.encodeKey = codec::encode;
        this.expiry = new ExpiryTimes(configuration.getExpiryPolicyFactory().create(), clock);
        this.loader = configuration.getCacheLoaderFactory() == null ? null
                : (CacheLoader<K, V>) configuration.getCacheLoaderFactory().create();
        this.writer = configuration.isWriteThrough() && configuration.getCacheWriterFactory() != null
                ? (CacheWriter<K, V>) configuration.getCacheWriterFactory().create() : null;
        this.countsRunning = loader instanceof Closeable || writer instanceof Closeable
                || expiry.policy() instanceof Closeable;
    }

    /** Waits for the operations running, so that the loader and writer are not closed under a call. */
    @Override
    public List<Object> close(Duration patience) {
        closing = true;
        long deadline = System.nanoTime() + patience.toNanos();
        while (running.sum() > 0 && System.nanoTime() < deadline) {
            try {
                Thread.sleep(1);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        List<Object> resources = new ArrayList<>(3);
        resources.add(loader);
        resources.add(writer);
        resources.add(expiry.policy());
        return resources;
    }

    private boolean isReadThrough() {
        return loader != null && configuration.isReadThrough();
    }

    @Override
    public EventSink<K> runningSink() {
        return current.get();
    }

    @Override
    public Iterator<Map.Entry<byte[], byte[]>> entries() {
        Iterator<Map.Entry<byte[], StoredValue>> held = store.iterator();
        return new Iterator<>() {
            private Map.Entry<byte[], byte[]> next;

            @Override
            public boolean hasNext() {
                while (next == null && held.hasNext()) {
                    Map.Entry<byte[], StoredValue> entry = held.next();
                    StoredValue stored = touch(entry.getKey(), entry.getValue());
                    if (stored != null) {
                        next = Map.entry(entry.getKey(), stored.value());
                    }
                }
                return next != null;
            }

            @Override
            public Map.Entry<byte[], byte[]> next() {
                if (!hasNext()) {
                    throw new NoSuchElementException();
                }
                Map.Entry<byte[], byte[]> entry = next;
                next = null;
                return entry;
            }
        };
    }

    @Override
    public void forEachKey(Consumer<byte[]> action) {
        store.forEach((k, stored) -> action.accept(k));
    }

    @Override
    public void clear() {
        List<byte[]> all = new ArrayList<>();
        store.forEach((k, value) -> all.add(k));
        for (byte[] k : all) {
            store.compute(k, current -> null);
        }
    }

    @Override
    public GetCounters counters() {
        return new GetCounters() {
            @Override
            public void recordGet(boolean hit) {
                group.recordGet(hit);
            }

            @Override
            public Counts counts() {
                GroupStats stats = group.stats();
                return new Counts(stats.hits(), stats.misses(), stats.evictions());
            }
        };
    }

    @Override
    public void recordSent() {
        group.recordSent();
    }

    @Override
    public <T> T unwrap(Class<T> clazz) {
        return clazz.isInstance(group) ? clazz.cast(group) : null;
    }

    @Override
    public String toString() {
        return group.options().toString();
    }

    @Override
    public Outcome run(Operation<K, V> operation, EventSink<K> sink) {
        if (countsRunning) {
            running.increment();
        }
        boolean track = sink.wants(EventType.EXPIRED);
        try {
            if (closing) {
                throw new IllegalStateException("cache '" + name + "' is closed");
            }
            if (track) {
                current.set(sink);
            }
            takeOver(operation);
            return dispatch(operation, sink);
        } finally {
            if (track) {
                current.remove();
            }
            if (countsRunning) {
                running.decrement();
            }
        }
    }

    /** Brings the entries of the operation's keys that this node took over as it joined and does not hold yet. */
    private void takeOver(Operation<K, V> operation) {
        if (!group.isTakingOver()) {
            return;
        }
        if (operation.k != null) {
            group.takeOver(operation.k);
        }
        if (operation.ks != null) {
            operation.ks.forEach(group::takeOver);
        }
    }

    private Outcome dispatch(Operation<K, V> op, EventSink<K> sink) {
        Outcome out = new Outcome();
        switch (op.op) {
            case GET -> get(op, sink, out);
            case CONTAINS_KEY -> out.flag = store.get(op.k) != null;
            case PUT -> out.puts = put(op, sink, null) ? 1 : 0;
            case GET_AND_PUT -> {
                out.puts = put(op, sink, out) ? 1 : 0;
                out.countGet(out.value != null);
            }
            case PUT_IF_ABSENT -> putIfAbsent(op, sink, out);
            case REMOVE -> {
                out.flag = remove(op, sink, null);
                out.removals = out.flag ? 1 : 0;
            }
            case GET_AND_REMOVE -> {
                boolean removed = remove(op, sink, out);
                out.countGet(removed);
                out.removals = removed ? 1 : 0;
            }
            case REMOVE_IF_SAME -> removeIfSame(op, sink, out);
            case REPLACE -> {
                out.flag = replace(op, sink, null);
                out.countGet(out.flag);
                out.puts = out.flag ? 1 : 0;
            }
            case GET_AND_REPLACE -> {
                boolean replaced = replace(op, sink, out);
                out.countGet(replaced);
                out.puts = replaced ? 1 : 0;
            }
            case REPLACE_IF_SAME -> replaceIfSame(op, sink, out);
            case INVOKE -> invoke(op, sink, out);
            case INVOKE_ALL -> invokeAll(op, sink, out);
            case GET_ALL -> getAll(op, sink, out);
            case LOAD_ALL -> loadAll(op, sink, out);
            case PUT_ALL -> putAll(op, sink, out);
            case REMOVE_ALL -> removeAll(op, sink, out);
            case TOUCH -> {
                StoredValue stored = store.get(op.k);
                stored = stored == null ? null : touch(op.k, stored);
                out.value = stored == null ? null : answer(op, stored);
            }
            default -> throw new IllegalArgumentException("unknown operation " + op.op);
        }
        return out;
    }

    // ---- reads ----------------------------------------------------------------------------

    private void get(Operation<K, V> op, EventSink<K> sink, Outcome out) {
        Object value = read(op, op.k, out);
        if (value == null && isReadThrough()) {
            value = loadCoalesced(key(op), op.k, given(op, op.key), sink);
        }
        out.value = value;
    }

    @Override
    public Object peek(K key, byte[] k) {
        if (closing || expiry.tracksAccess()) {
            return null;
        }
        return k == null && key instanceof String s ? store.peekPayload(AsciiKey.hash(s), s, ASCII_ENCODING)
                : store.peekPayload(k != null ? k : codec.encode(key));
    }

    /**
     * The stored value of a key as the operation's answer ({@link #answer}), counted as a hit
     * or a miss, with the access expiry applied.
     */
    private Object read(Operation<K, V> op, byte[] k, Outcome out) {
        StoredValue stored = store.get(k);
        out.countGet(stored != null);
        if (stored == null) {
            return null;
        }
        if (expiry.tracksAccess()) {
            stored = touch(k, stored);
            if (stored == null) {
                return null;
            }
        }
        return answer(op, stored);
    }

    /**
     * A stored value as an operation's answer ({@link Outcome#value}): the immutable object the
     * entry keeps when the caller is on this JVM, which uses it as it is, else the bytes.
     */
    private static Object answer(Operation<?, ?> op, StoredValue stored) {
        return op.local ? stored.payload() : stored.value();
    }

    /** Applies the access expiry to an entry just read; null when it has changed meanwhile to absent. */
    private StoredValue touch(byte[] k, StoredValue read) {
        if (!expiry.tracksAccess()) {
            return read;
        }
        long expiresAt = expiry.forAccess(read.expiresAt());
        if (expiresAt == read.expiresAt()) {
            return read;
        }
        StoredValue[] seen = {read};
        store.compute(k, current -> {
            if (current == null) {
                return null;
            }
            seen[0] = current;
            return current == read ? current.withExpiresAt(expiresAt) : current;
        });
        return seen[0];
    }

    private byte[] loadCoalesced(K key, byte[] k, Object keyObject, EventSink<K> sink) {
        CompletableFuture<byte[]> load;
        try {
            load = loads.load(ByteBuffer.wrap(k), () -> {
                // a load that ended between this caller's miss and its asking has stored the value
                // (coalescing joins only loads that overlap): take it, as groupcache checks again
                StoredValue present = store.peek(k);
                if (present != null) {
                    return present.value();
                }
                V loaded = callLoad(key);
                return loaded == null ? null : storeLoaded(key, k, keyObject, loaded, false, sink);
            });
        } catch (IllegalStateException e) {
            throw new CacheLoaderException("the loader of cache '" + name + "' asked the cache for key " + key
                    + " while loading that very key; a loader must not read the key it loads", e);
        }
        try {
            return load.get();
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof RuntimeException runtime) {
                throw runtime;
            }
            if (cause instanceof Error error) {
                throw error;
            }
            throw new CacheLoaderException("loading key " + key + " of cache '" + name + "' failed: " + cause, cause);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CacheLoaderException("interrupted while loading key " + key + " of cache '" + name + "'", e);
        }
    }

    /**
     * Keeps a loaded value unless a value arrived meanwhile (or, with {@code replace}, over
     * it), without calling the writer: the value came from the system of record.
     *
     * @return the value now associated with the key
     */
    private byte[] storeLoaded(K key, byte[] k, Object keyObject, V loaded, boolean replace, EventSink<K> sink) {
        byte[] v = codec.encode(loaded);
        if (!group.fitsInAMessage(k, v)) {
            throw new CacheLoaderException(tooLarge("the loader", key, v));
        }
        byte[][] result = {v};
        compute(k, keyObject, current -> {
            if (current == null) {
                return created(key, k, v, null, sink);
            }
            if (!replace) {
                result[0] = current.value(); // someone else's value won
                return current;
            }
            return updated(key, k, v, null, current, sink);
        });
        return result[0];
    }

    /** The bytes of a value an entry processor set, refused before the writer sees it when they cannot travel. */
    private byte[] processed(K key, byte[] k, V value) {
        byte[] v = codec.encode(value);
        if (!group.fitsInAMessage(k, v)) {
            throw new EntryProcessorException(tooLarge("the entry processor", key, v));
        }
        return v;
    }

    /**
     * A value set at the owner (by the loader or an entry processor) that could not travel
     * to a reader elsewhere or a new owner is refused as a caller's put is, wherever its
     * key lies.
     */
    private String tooLarge(String setter, K key, byte[] v) {
        return "cache '" + name + "': " + setter + " set a value of " + v.length + " bytes for key " + key
                + ", more than a message between nodes carries with its key (cluster.maxMessageBytes); "
                + "it was not stored";
    }

    private V callLoad(K key) {
        long start = System.nanoTime();
        boolean failed = true;
        try {
            V value = loader.load(key);
            failed = false;
            return value;
        } catch (CacheLoaderException e) {
            throw e;
        } catch (Exception e) {
            throw new CacheLoaderException("the loader of cache '" + name + "' failed for key " + key + ": " + e, e);
        } finally {
            group.recordLoad(failed, System.nanoTime() - start);
        }
    }

    private Map<K, V> callLoadAll(Collection<? extends K> keySet) {
        long start = System.nanoTime();
        boolean failed = true;
        try {
            Map<K, V> loaded = loader.loadAll(keySet);
            failed = false;
            return loaded == null ? Map.of() : loaded;
        } catch (CacheLoaderException e) {
            throw e;
        } catch (Exception e) {
            throw new CacheLoaderException("the loader of cache '" + name + "' failed: " + e, e);
        } finally {
            group.recordLoad(failed, System.nanoTime() - start);
        }
    }

    private void getAll(Operation<K, V> op, EventSink<K> sink, Outcome out) {
        List<Object> values = new ArrayList<>(op.ks.size());
        List<Integer> missing = new ArrayList<>();
        for (int i = 0; i < op.ks.size(); i++) {
            Object value = read(op, op.ks.get(i), out);
            values.add(value);
            if (value == null) {
                missing.add(i);
            }
        }
        out.values = values;
        if (missing.isEmpty() || !isReadThrough()) {
            return;
        }
        List<K> keys = keys(op);
        List<K> toLoad = new ArrayList<>(missing.size());
        for (int i : missing) {
            toLoad.add(keys.get(i));
        }
        Map<K, V> loaded = callLoadAll(toLoad);
        for (int i : missing) {
            V value = loaded.get(keys.get(i));
            if (value != null) {
                values.set(i, storeLoaded(keys.get(i), op.ks.get(i), given(op, keys.get(i)), value, false, sink));
            }
        }
    }

    private void loadAll(Operation<K, V> op, EventSink<K> sink, Outcome out) {
        if (loader == null) {
            return;
        }
        List<K> keys = keys(op);
        List<Integer> toLoad = new ArrayList<>(keys.size());
        List<K> toLoadKeys = new ArrayList<>(keys.size());
        for (int i = 0; i < keys.size(); i++) {
            if (op.replaceExisting || store.get(op.ks.get(i)) == null) {
                toLoad.add(i);
                toLoadKeys.add(keys.get(i));
            }
        }
        if (toLoad.isEmpty()) {
            return;
        }
        try {
            Map<K, V> loaded = callLoadAll(toLoadKeys);
            for (int i : toLoad) {
                V value = loaded.get(keys.get(i));
                if (value != null) {
                    storeLoaded(keys.get(i), op.ks.get(i), given(op, keys.get(i)), value, op.replaceExisting, sink);
                }
            }
        } catch (RuntimeException e) {
            out.failure = e;
        }
    }

    // ---- writes ---------------------------------------------------------------------------

    /** Stores a value through the writer; returns whether it was kept (a zero creation expiry keeps nothing). */
    private boolean put(Operation<K, V> op, EventSink<K> sink, Outcome previous) {
        return compute(op, current -> {
            write(op);
            if (current != null && previous != null) {
                previous.value = answer(op, current);
            }
            return createdOrUpdated(op.key, op.k, op.v, given(op, op.value), current, sink);
        }) != null;
    }

    @Override
    public int putHeld(K key, byte[] k, V value, byte[] v) {
        if (writer != null || countsRunning || closing || group.isTakingOver()) {
            return -1;
        }
        Object object = v == null ? value : null;
        // no sink, so no event needs the key's bytes; a live entry's value is replaced, never removed
        ByteStore.Replacement write = current -> createdOrUpdated(key, k, v, object, current, EventSink.none());
        // a String key already held is not encoded: its entry has the bytes
        StoredValue stored = k == null && key instanceof String s ? store.compute(AsciiKey.hash(s), s, ASCII_ENCODING, encodeKey, write)
                : compute(k != null ? k : codec.encode(key), Codec.isImmutable(key) ? key : null, write);
        return stored != null ? 1 : 0;
    }

    private void putIfAbsent(Operation<K, V> op, EventSink<K> sink, Outcome out) {
        boolean[] existed = {false};
        compute(op, current -> {
            if (current != null) {
                existed[0] = true;
                return current;
            }
            write(op);
            StoredValue created = created(op.key, op.k, op.v, given(op, op.value), sink);
            out.flag = created != null;
            return created;
        });
        out.countGet(existed[0]);
        out.puts = out.flag ? 1 : 0;
    }

    private void putAll(Operation<K, V> op, EventSink<K> sink, Outcome out) {
        List<K> keys = keys(op);
        Set<Integer> failed = Set.of();
        if (writer != null) {
            // The writer removes what it wrote; what it leaves behind failed and is not stored.
            List<V> values = values(op);
            List<Cache.Entry<? extends K, ? extends V>> pending = new ArrayList<>(keys.size());
            for (int i = 0; i < keys.size(); i++) {
                pending.add(new CacheEntry<>(keys.get(i), values.get(i)));
            }
            try {
                writer.writeAll(pending);
            } catch (Exception e) {
                out.failure = writerFailure(e);
            }
            failed = indexesOf(keys, pending.stream().map(Cache.Entry::getKey).toList());
        }
        for (int i = 0; i < op.ks.size(); i++) {
            K key = keys.get(i);
            byte[] k = op.ks.get(i);
            byte[] v = op.vs.get(i);
            Object object = given(op, op.values == null ? null : op.values.get(i));
            if (!failed.contains(i)
                    && compute(k, given(op, key), current -> createdOrUpdated(key, k, v, object, current, sink)) != null) {
                out.puts++;
            }
        }
    }

    private boolean remove(Operation<K, V> op, EventSink<K> sink, Outcome previous) {
        boolean[] removed = {false};
        compute(op, current -> {
            delete(op);
            if (current == null) {
                return null;
            }
            if (previous != null) {
                previous.value = answer(op, current);
            }
            removed[0] = true;
            return removed(op.key, op.k, current, sink);
        });
        return removed[0];
    }

    private void removeIfSame(Operation<K, V> op, EventSink<K> sink, Outcome out) {
        ifSame(op, out, current -> {
            delete(op);
            return removed(op.key, op.k, current, sink);
        });
        out.removals = out.flag ? 1 : 0;
    }

    private boolean replace(Operation<K, V> op, EventSink<K> sink, Outcome previous) {
        boolean[] replaced = {false};
        compute(op, current -> {
            if (current == null) {
                return null;
            }
            write(op);
            if (previous != null) {
                previous.value = answer(op, current);
            }
            replaced[0] = true;
            return updated(op.key, op.k, op.v, given(op, op.value), current, sink);
        });
        return replaced[0];
    }

    private void replaceIfSame(Operation<K, V> op, EventSink<K> sink, Outcome out) {
        ifSame(op, out, current -> {
            write(op);
            return updated(op.key, op.k, op.v, given(op, op.value), current, sink);
        });
        out.puts = out.flag ? 1 : 0;
    }

    /**
     * The conditional operations' entry: {@code change} makes what an entry holding the value
     * compared with becomes, and then sets {@code out.flag}; an entry holding another value
     * is only read, which the access expiry applies to. Either read is a hit.
     */
    private void ifSame(Operation<K, V> op, Outcome out, UnaryOperator<StoredValue> change) {
        boolean[] found = {false};
        compute(op, current -> {
            if (current == null) {
                return null;
            }
            found[0] = true;
            if (!sameValue(current, op)) {
                return current.withExpiresAt(expiry.forAccess(current.expiresAt()));
            }
            StoredValue next = change.apply(current);
            out.flag = true;
            return next;
        });
        out.countGet(found[0]);
    }

    /** Deletes through the writer in one batch, then removes what it deleted. */
    private void removeAll(Operation<K, V> op, EventSink<K> sink, Outcome out) {
        List<K> keys = keys(op);
        Set<Integer> failed = Set.of();
        if (writer != null && !keys.isEmpty()) {
            // The writer removes what it deleted; what it leaves behind failed and stays cached.
            List<K> pending = new ArrayList<>(keys);
            try {
                writer.deleteAll(pending);
            } catch (Exception e) {
                out.failure = writerFailure(e);
            }
            failed = indexesOf(keys, pending);
        }
        for (int i = 0; i < keys.size(); i++) {
            if (failed.contains(i)) {
                continue;
            }
            K key = keys.get(i);
            byte[] k = op.ks.get(i);
            boolean[] removed = {false};
            store.compute(k, current -> {
                removed[0] = current != null;
                return current == null ? null : removed(key, k, current, sink);
            });
            if (removed[0]) {
                out.removals++;
            }
        }
    }

    // ---- entry processors -----------------------------------------------------------------

    private void invoke(Operation<K, V> op, EventSink<K> sink, Outcome out) {
        K key = key(op);
        @SuppressWarnings("unchecked")
        EntryProcessor<K, V, Object> processor = (EntryProcessor<K, V, Object>) op.processor;
        compute(op, current -> {
            out.countGet(current != null);
            V original = current == null ? null : valueOf(current);
            ProcessorEntry<K, V> entry = new ProcessorEntry<>(key, original, isReadThrough() ? this::callLoad : null);
            try {
                out.result = processor.process(entry, op.arguments);
            } catch (CacheException e) {
                throw e;
            } catch (Exception e) {
                throw new EntryProcessorException("the entry processor failed on key " + key + ": " + e, e);
            }
            switch (entry.outcome()) {
                case NONE:
                    return current;
                case ACCESS:
                    return current.withExpiresAt(expiry.forAccess(current.expiresAt()));
                case LOAD:
                case CREATE: {
                    V value = entry.getValue();
                    boolean set = entry.outcome() == ProcessorEntry.Outcome.CREATE; // not only loaded
                    if (set) {
                        checkTypes(key, value);
                    }
                    byte[] v = processed(key, op.k, value);
                    if (set) {
                        write(key, value);
                        out.puts = 1;
                    }
                    return created(key, op.k, v, given(op, value), sink);
                }
                case UPDATE: {
                    V value = entry.getValue();
                    checkTypes(key, value);
                    byte[] v = processed(key, op.k, value);
                    write(key, value);
                    out.puts = 1;
                    return updated(key, op.k, v, given(op, value), current, sink);
                }
                case REMOVE:
                    delete(key);
                    if (current == null) {
                        return null;
                    }
                    out.removals = 1;
                    return removed(key, op.k, current, sink);
                default:
                    throw new AssertionError(entry.outcome());
            }
        });
    }

    /** Each key's processor on its own, as {@link #invoke}; a key's failure is its result, the others go on. */
    private void invokeAll(Operation<K, V> op, EventSink<K> sink, Outcome out) {
        out.results = new ArrayList<>(op.ks.size());
        out.failures = new ArrayList<>(op.ks.size());
        for (int i = 0; i < op.ks.size(); i++) {
            Operation<K, V> one = Operation.invoke(op.keys == null ? null : op.keys.get(i), op.ks.get(i),
                    op.processor, op.arguments);
            Outcome done = new Outcome();
            try {
                invoke(one, sink, done);
            } catch (RuntimeException e) {
                out.results.add(null);
                out.failures.add(e);
                continue; // counts nothing, like a failed invoke
            }
            out.results.add(done.result);
            out.failures.add(null);
            out.hits += done.hits;
            out.misses += done.misses;
            out.puts += done.puts;
            out.removals += done.removals;
        }
    }

    // ---- helpers --------------------------------------------------------------------------

    /**
     * The entry a key gets for {@code v}, with its event, inside the key's compute: created
     * where there was none (null when the creation expiry keeps nothing), else updated.
     * Here and in the other helpers {@code key} may be null when only the bytes {@code k}
     * are at hand: a sink that needs the key decodes them.
     */
    private StoredValue createdOrUpdated(K key, byte[] k, byte[] v, Object object, StoredValue current,
                                         EventSink<K> sink) {
        return current == null ? created(key, k, v, object, sink) : updated(key, k, v, object, current, sink);
    }

    /**
     * The key object an entry may keep beside its bytes, or the value object it may keep in
     * their place ({@link StoredValue#object()},
     * {@link ByteStore#compute(byte[], Object, UnaryOperator)}): {@code object} when the
     * operation's caller runs on this JVM, where readers use the same objects, and it is
     * immutable; else null. A remote caller's objects would only cost memory here.
     */
    private static Object given(Operation<?, ?> op, Object object) {
        return op.local && Codec.isImmutable(object) ? object : null;
    }

    /**
     * {@link ByteStore#compute} on the entry of a single-key operation; an entry it creates
     * keeps the caller's key object, so this JVM's later reads with it find the entry by reference.
     */
    private StoredValue compute(Operation<K, V> op, UnaryOperator<StoredValue> remapping) {
        return compute(op.k, given(op, op.key), remapping);
    }

    /**
     * {@link ByteStore#compute(byte[], Object, UnaryOperator)} with the key's bytes and the
     * object they encode (null for none), hashed from the String's cached hash when it can be.
     */
    private StoredValue compute(byte[] k, Object keyObject, UnaryOperator<StoredValue> remapping) {
        return keyObject instanceof String s ? store.compute(AsciiKey.hash(s, k), k, s, remapping)
                : store.compute(k, keyObject, remapping);
    }

    /**
     * The entry a key gets for a value: {@code object} when the entry keeps it ({@link #given}),
     * and then {@code v} may be null, else the bytes {@code v}.
     */
    private StoredValue created(K key, byte[] k, byte[] v, Object object, EventSink<K> sink) {
        long expiresAt = expiry.forCreation();
        if (expiresAt == ExpiryTimes.AT_ONCE) {
            return null;
        }
        StoredValue created = StoredValue.of(v, expiresAt, object);
        if (sink.wants(EventType.CREATED)) { // values kept as objects are encoded only for a listener
            sink.publish(EventType.CREATED, key, k, created.value(), null);
        }
        return created;
    }

    private StoredValue updated(K key, byte[] k, byte[] v, Object object, StoredValue current,
                                EventSink<K> sink) {
        StoredValue updated = StoredValue.of(v, expiry.forUpdate(current.expiresAt()), object);
        if (sink.wants(EventType.UPDATED)) {
            sink.publish(EventType.UPDATED, key, k, updated.value(), current.value());
        }
        return updated;
    }

    /** Always null: the entry is gone, and its event published. */
    private StoredValue removed(K key, byte[] k, StoredValue current, EventSink<K> sink) {
        if (sink.wants(EventType.REMOVED)) {
            byte[] value = current.value();
            sink.publish(EventType.REMOVED, key, k, value, value);
        }
        return null;
    }

    /** The indexes of the keys a batch writer left behind: the ones it did not write or delete. */
    private static <K> Set<Integer> indexesOf(List<K> keys, Collection<? extends K> left) {
        Set<K> leftKeys = new HashSet<>(left);
        Set<Integer> indexes = new HashSet<>();
        for (int i = 0; i < keys.size(); i++) {
            if (leftKeys.contains(keys.get(i))) {
                indexes.add(i);
            }
        }
        return indexes;
    }

    private CacheWriterException writerFailure(Exception e) {
        return e instanceof CacheWriterException cwe ? cwe
                : new CacheWriterException("the writer of cache '" + name + "' failed: " + e, e);
    }

    private void checkTypes(K key, V value) {
        KamaCache.checkTypes(name, configuration, key, value);
    }

    private K key(Operation<K, V> op) {
        if (op.key == null) {
            op.key = decode(op.k);
        }
        return op.key;
    }

    private V value(Operation<K, V> op) {
        if (op.value == null && op.v != null) {
            op.value = decode(op.v);
        }
        return op.value;
    }

    private List<K> keys(Operation<K, V> op) {
        if (op.keys == null) {
            op.keys = decodeAll(op.ks);
        }
        return op.keys;
    }

    private List<V> values(Operation<K, V> op) {
        if (op.values == null) {
            op.values = decodeAll(op.vs);
        }
        return op.values;
    }

    private <T> List<T> decodeAll(List<byte[]> encoded) {
        List<T> decoded = new ArrayList<>(encoded.size());
        for (byte[] bytes : encoded) {
            decoded.add(decode(bytes));
        }
        return decoded;
    }

    private boolean sameValue(StoredValue current, Operation<K, V> op) {
        if (current.object() != null && op.expected != null) {
            return op.expected.equals(current.object()); // immutable values: equal objects, equal bytes
        }
        byte[] stored = current.value();
        if (Arrays.equals(stored, op.e)) {
            return true;
        }
        if (op.expected == null) {
            op.expected = decode(op.e);
        }
        Object value = decode(stored);
        // arrays by content: bytes stored with a media type equal the same bytes without one
        return op.expected instanceof byte[] expected && value instanceof byte[] bytes
                ? Arrays.equals(expected, bytes) : op.expected.equals(value);
    }

    /** A stored value as the cache's type: its immutable object, else its bytes decoded. */
    @SuppressWarnings("unchecked")
    private V valueOf(StoredValue stored) {
        return stored.object() != null ? (V) stored.object() : decode(stored.value());
    }

    @SuppressWarnings("unchecked")
    private <T> T decode(byte[] bytes) {
        return (T) codec.decode(bytes);
    }

    /**
     * Writes an operation's entry through the writer, if there is one: only then are its key
     * and value decoded (a remote caller sends bytes, and the events decode their own).
     */
    private void write(Operation<K, V> op) {
        if (writer != null) {
            write(key(op), value(op));
        }
    }

    private void delete(Operation<K, V> op) {
        if (writer != null) {
            delete(key(op));
        }
    }

    private void write(K key, V value) {
        if (writer == null) {
            return;
        }
        try {
            writer.write(new CacheEntry<>(key, value));
        } catch (CacheWriterException e) {
            throw e;
        } catch (Exception e) {
            throw new CacheWriterException("the writer of cache '" + name + "' failed for key " + key + ": " + e, e);
        }
    }

    private void delete(K key) {
        if (writer == null) {
            return;
        }
        try {
            writer.delete(key);
        } catch (CacheWriterException e) {
            throw e;
        } catch (Exception e) {
            throw new CacheWriterException("the writer of cache '" + name + "' failed to delete key " + key + ": " + e, e);
        }
    }
}
