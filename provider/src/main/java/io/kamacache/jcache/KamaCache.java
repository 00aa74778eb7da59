package io.kamacache.jcache;

import io.kamacache.Group;
import io.kamacache.codec.Codec;
import io.kamacache.jcache.event.EventDispatcher;
import io.kamacache.jcache.event.EventDispatcher.Batch;
import io.kamacache.jcache.expiry.ExpiryTimes;
import io.kamacache.jcache.management.CacheManagement;
import io.kamacache.jcache.management.CacheStatistics;
import io.kamacache.jcache.management.MBeans;
import io.kamacache.jcache.processor.ProcessorEntry;
import io.kamacache.singleflight.LoadCoalescer;
import io.kamacache.store.ByteStore;
import io.kamacache.store.RemovalCause;
import io.kamacache.store.StoredValue;

import javax.cache.Cache;
import javax.cache.CacheException;
import javax.cache.CacheManager;
import javax.cache.configuration.CacheEntryListenerConfiguration;
import javax.cache.configuration.CompleteConfiguration;
import javax.cache.configuration.Configuration;
import javax.cache.configuration.MutableConfiguration;
import javax.cache.event.EventType;
import javax.cache.integration.CacheLoader;
import javax.cache.integration.CacheLoaderException;
import javax.cache.integration.CacheWriter;
import javax.cache.integration.CacheWriterException;
import javax.cache.integration.CompletionListener;
import javax.cache.processor.EntryProcessor;
import javax.cache.processor.EntryProcessorException;
import javax.cache.processor.EntryProcessorResult;
import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;

/**
 * A {@link Cache} over a kamaCache {@link Group}: keys and values live in the group's store
 * as bytes, and every operation on a key runs inside the store's per-key compute, so the
 * expiry arithmetic, the writer call, the entry processor and the events of one key happen
 * atomically and in order. Synchronous listeners are waited for after the key is released.
 *
 * <p>Read-through loads go through a {@link LoadCoalescer}: concurrent misses of one key
 * cost one {@link CacheLoader#load} call. {@link #unwrap(Class)} gives this class or the
 * {@link Group}.
 */
public final class KamaCache<K, V> implements Cache<K, V> {

    private final KamaCacheManager manager;
    private final String name;
    private final Group group;
    private final ByteStore store;
    private final MutableConfiguration<K, V> configuration;
    private final Codec codec;
    private final ExpiryTimes expiry;
    private final CacheLoader<K, V> loader;
    private final CacheWriter<K, V> writer;
    private final EventDispatcher<K, V> events;
    private final CacheStatistics statistics;
    private final CacheManagement management;
    private final LoadCoalescer<ByteBuffer, V> loads = new LoadCoalescer<>(Runnable::run);
    private final InstantSource clock;
    private final Executor executor;
    private volatile boolean closed;

    @SuppressWarnings("unchecked")
    KamaCache(KamaCacheManager manager, String name, Group group, MutableConfiguration<K, V> configuration,
              Codec codec, InstantSource clock, Executor executor) {
        this.manager = manager;
        this.name = name;
        this.group = group;
        this.store = group.store();
        this.configuration = configuration;
        this.codec = codec;
        this.expiry = new ExpiryTimes(configuration.getExpiryPolicyFactory().create());
        this.loader = configuration.getCacheLoaderFactory() == null ? null
                : (CacheLoader<K, V>) configuration.getCacheLoaderFactory().create();
        this.writer = configuration.isWriteThrough() && configuration.getCacheWriterFactory() != null
                ? (CacheWriter<K, V>) configuration.getCacheWriterFactory().create() : null;
        this.clock = clock;
        this.executor = executor;
        this.events = new EventDispatcher<>(this, executor);
        for (CacheEntryListenerConfiguration<K, V> listener : configuration.getCacheEntryListenerConfigurations()) {
            events.register(listener);
        }
        this.statistics = new CacheStatistics(group);
        this.management = new CacheManagement(configuration);
        setStatisticsEnabled(configuration.isStatisticsEnabled());
        setManagementEnabled(configuration.isManagementEnabled());
    }

    // ---- reads ----------------------------------------------------------------------------

    @Override
    public V get(K key) {
        requireOpen();
        Objects.requireNonNull(key, "key must not be null");
        long start = statistics.start();
        byte[] k = codec.encode(key);
        V value = read(key, k);
        if (value == null && isReadThrough()) {
            value = loadCoalesced(key, k);
        }
        statistics.recordGetTime(start);
        return value;
    }

    @Override
    public Map<K, V> getAll(Set<? extends K> keySet) {
        requireOpen();
        requireNoNulls(keySet);
        long start = statistics.start();
        Map<K, V> found = new HashMap<>(keySet.size() * 2);
        Map<K, byte[]> missing = new LinkedHashMap<>();
        for (K key : keySet) {
            byte[] k = codec.encode(key);
            V value = read(key, k);
            if (value != null) {
                found.put(key, value);
            } else {
                missing.put(key, k);
            }
        }
        if (!missing.isEmpty() && isReadThrough()) {
            Map<K, V> loaded = callLoadAll(missing.keySet());
            for (Map.Entry<K, byte[]> miss : missing.entrySet()) {
                V value = loaded.get(miss.getKey());
                if (value != null) {
                    found.put(miss.getKey(), storeLoaded(miss.getKey(), miss.getValue(), value, false));
                }
            }
        }
        statistics.recordGetTime(start);
        return found;
    }

    @Override
    public boolean containsKey(K key) {
        requireOpen();
        Objects.requireNonNull(key, "key must not be null");
        return store.get(codec.encode(key)) != null;
    }

    /** The stored value of {@code key}, counted as a hit or a miss, with the access expiry applied. */
    private V read(K key, byte[] k) {
        StoredValue stored = store.get(k);
        if (stored == null) {
            statistics.recordGets(false, 1);
            return null;
        }
        statistics.recordGets(true, 1);
        if (expiry.tracksAccess()) {
            stored = touch(k, stored);
            if (stored == null) {
                return null;
            }
        }
        return decode(stored.value());
    }

    /** Applies the access expiry to an entry just read; null when it has changed meanwhile to absent. */
    private StoredValue touch(byte[] k, StoredValue read) {
        long now = clock.millis();
        long expiresAt = expiry.forAccess(now, read.expiresAt());
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

    private V loadCoalesced(K key, byte[] k) {
        try {
            return loads.load(ByteBuffer.wrap(k), () -> {
                V loaded = callLoad(key);
                return loaded == null ? null : storeLoaded(key, k, loaded, false);
            }).get();
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
    private V storeLoaded(K key, byte[] k, V loaded, boolean replace) {
        byte[] v = codec.encode(loaded);
        Batch<K, V> batch = events.batch();
        Object[] result = {loaded};
        store.compute(k, current -> {
            long now = clock.millis();
            if (current == null) {
                long expiresAt = expiry.forCreation(now);
                if (expiresAt <= now) {
                    return null;
                }
                publish(batch, EventType.CREATED, key, v, null);
                return StoredValue.of(v, expiresAt);
            }
            if (!replace) {
                result[0] = null; // someone else's value won; decoded below
                return current;
            }
            publish(batch, EventType.UPDATED, key, v, current.value());
            return StoredValue.of(v, expiry.forUpdate(now, current.expiresAt()));
        });
        batch.awaitSynchronous();
        if (result[0] == null) {
            StoredValue current = store.get(k);
            return current == null ? loaded : decode(current.value());
        }
        return loaded;
    }

    private V callLoad(K key) {
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
            group.recordLoad(failed);
        }
    }

    private Map<K, V> callLoadAll(Collection<? extends K> keySet) {
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
            group.recordLoad(failed);
        }
    }

    @Override
    public void loadAll(Set<? extends K> keySet, boolean replaceExistingValues, CompletionListener listener) {
        requireOpen();
        requireNoNulls(keySet);
        CompletionListener done = listener == null ? NO_COMPLETION : listener;
        if (loader == null) {
            done.onCompletion();
            return;
        }
        try {
            executor.execute(() -> {
                try {
                    List<K> toLoad = new ArrayList<>(keySet.size());
                    for (K key : keySet) {
                        if (replaceExistingValues || store.get(codec.encode(key)) == null) {
                            toLoad.add(key);
                        }
                    }
                    if (!toLoad.isEmpty()) {
                        Map<K, V> loaded = callLoadAll(toLoad);
                        for (K key : toLoad) {
                            V value = loaded.get(key);
                            if (value != null) {
                                storeLoaded(key, codec.encode(key), value, replaceExistingValues);
                            }
                        }
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
        boolean stored = putEntry(key, value, null);
        statistics.recordPuts(stored ? 1 : 0, start);
    }

    @Override
    public V getAndPut(K key, V value) {
        requireOpen();
        checkTypes(key, value);
        long start = statistics.start();
        Object[] previous = new Object[1];
        boolean stored = putEntry(key, value, previous);
        @SuppressWarnings("unchecked")
        V old = (V) previous[0];
        statistics.recordGets(old != null, 1);
        statistics.recordGetTime(start);
        statistics.recordPuts(stored ? 1 : 0, start);
        return old;
    }

    /** Stores a value through the writer; returns whether it was kept (a zero creation expiry keeps nothing). */
    private boolean putEntry(K key, V value, Object[] previous) {
        byte[] k = codec.encode(key);
        byte[] v = codec.encode(value);
        Batch<K, V> batch = events.batch();
        boolean[] stored = {false};
        store.compute(k, current -> {
            long now = clock.millis();
            write(key, value);
            if (current == null) {
                long expiresAt = expiry.forCreation(now);
                if (expiresAt <= now) {
                    return null;
                }
                publish(batch, EventType.CREATED, key, v, null);
                stored[0] = true;
                return StoredValue.of(v, expiresAt);
            }
            if (previous != null) {
                previous[0] = decode(current.value());
            }
            publish(batch, EventType.UPDATED, key, v, current.value());
            stored[0] = true;
            return StoredValue.of(v, expiry.forUpdate(now, current.expiresAt()));
        });
        batch.awaitSynchronous();
        return stored[0];
    }

    @Override
    public void putAll(Map<? extends K, ? extends V> map) {
        requireOpen();
        Objects.requireNonNull(map, "map must not be null");
        for (Map.Entry<? extends K, ? extends V> entry : map.entrySet()) {
            checkTypes(entry.getKey(), entry.getValue());
        }
        long start = statistics.start();
        Map<? extends K, ? extends V> toStore = map;
        CacheWriterException failure = null;
        if (writer != null) {
            // The writer removes what it wrote; what it leaves behind failed and is not stored.
            List<Cache.Entry<? extends K, ? extends V>> pending = new ArrayList<>(map.size());
            map.forEach((key, value) -> pending.add(new CacheEntry<>(key, value)));
            try {
                writer.writeAll(pending);
            } catch (Exception e) {
                failure = e instanceof CacheWriterException cwe ? cwe
                        : new CacheWriterException("the writer of cache '" + name + "' failed: " + e, e);
            }
            Map<K, V> written = new LinkedHashMap<>(map);
            for (Cache.Entry<? extends K, ? extends V> failed : pending) {
                written.remove(failed.getKey());
            }
            toStore = written;
        }
        int puts = 0;
        for (Map.Entry<? extends K, ? extends V> entry : toStore.entrySet()) {
            if (putWithoutWriter(entry.getKey(), entry.getValue())) {
                puts++;
            }
        }
        statistics.recordPuts(puts, start);
        if (failure != null) {
            throw failure;
        }
    }

    private boolean putWithoutWriter(K key, V value) {
        byte[] k = codec.encode(key);
        byte[] v = codec.encode(value);
        Batch<K, V> batch = events.batch();
        boolean[] stored = {false};
        store.compute(k, current -> {
            long now = clock.millis();
            if (current == null) {
                long expiresAt = expiry.forCreation(now);
                if (expiresAt <= now) {
                    return null;
                }
                publish(batch, EventType.CREATED, key, v, null);
                stored[0] = true;
                return StoredValue.of(v, expiresAt);
            }
            publish(batch, EventType.UPDATED, key, v, current.value());
            stored[0] = true;
            return StoredValue.of(v, expiry.forUpdate(now, current.expiresAt()));
        });
        batch.awaitSynchronous();
        return stored[0];
    }

    @Override
    public boolean putIfAbsent(K key, V value) {
        requireOpen();
        checkTypes(key, value);
        long start = statistics.start();
        byte[] k = codec.encode(key);
        byte[] v = codec.encode(value);
        Batch<K, V> batch = events.batch();
        boolean[] stored = {false};
        boolean[] existed = {false};
        store.compute(k, current -> {
            if (current != null) {
                existed[0] = true;
                return current;
            }
            long now = clock.millis();
            write(key, value);
            long expiresAt = expiry.forCreation(now);
            if (expiresAt <= now) {
                return null;
            }
            publish(batch, EventType.CREATED, key, v, null);
            stored[0] = true;
            return StoredValue.of(v, expiresAt);
        });
        batch.awaitSynchronous();
        statistics.recordGets(existed[0], 1);
        statistics.recordPuts(stored[0] ? 1 : 0, start);
        return stored[0];
    }

    @Override
    public boolean remove(K key) {
        requireOpen();
        Objects.requireNonNull(key, "key must not be null");
        long start = statistics.start();
        boolean removed = removeEntry(key, null);
        statistics.recordRemovals(removed ? 1 : 0, start);
        return removed;
    }

    @Override
    public V getAndRemove(K key) {
        requireOpen();
        Objects.requireNonNull(key, "key must not be null");
        long start = statistics.start();
        Object[] previous = new Object[1];
        boolean removed = removeEntry(key, previous);
        @SuppressWarnings("unchecked")
        V old = (V) previous[0];
        statistics.recordGets(removed, 1);
        statistics.recordGetTime(start);
        statistics.recordRemovals(removed ? 1 : 0, start);
        return old;
    }

    private boolean removeEntry(K key, Object[] previous) {
        byte[] k = codec.encode(key);
        Batch<K, V> batch = events.batch();
        boolean[] removed = {false};
        store.compute(k, current -> {
            delete(key);
            if (current == null) {
                return null;
            }
            if (previous != null) {
                previous[0] = decode(current.value());
            }
            publish(batch, EventType.REMOVED, key, current.value(), current.value());
            removed[0] = true;
            return null;
        });
        batch.awaitSynchronous();
        return removed[0];
    }

    @Override
    public boolean remove(K key, V oldValue) {
        requireOpen();
        Objects.requireNonNull(key, "key must not be null");
        Objects.requireNonNull(oldValue, "oldValue must not be null");
        long start = statistics.start();
        byte[] k = codec.encode(key);
        byte[] expected = codec.encode(oldValue);
        Batch<K, V> batch = events.batch();
        boolean[] found = {false};
        boolean[] removed = {false};
        store.compute(k, current -> {
            if (current == null) {
                return null;
            }
            found[0] = true;
            if (!sameValue(current.value(), expected, oldValue)) {
                return current.withExpiresAt(expiry.forAccess(clock.millis(), current.expiresAt()));
            }
            delete(key);
            publish(batch, EventType.REMOVED, key, current.value(), current.value());
            removed[0] = true;
            return null;
        });
        batch.awaitSynchronous();
        statistics.recordGets(found[0], 1);
        statistics.recordGetTime(start);
        statistics.recordRemovals(removed[0] ? 1 : 0, start);
        return removed[0];
    }

    @Override
    public boolean replace(K key, V oldValue, V newValue) {
        requireOpen();
        Objects.requireNonNull(oldValue, "oldValue must not be null");
        checkTypes(key, newValue);
        long start = statistics.start();
        byte[] k = codec.encode(key);
        byte[] expected = codec.encode(oldValue);
        byte[] v = codec.encode(newValue);
        Batch<K, V> batch = events.batch();
        boolean[] found = {false};
        boolean[] replaced = {false};
        store.compute(k, current -> {
            if (current == null) {
                return null;
            }
            found[0] = true;
            long now = clock.millis();
            if (!sameValue(current.value(), expected, oldValue)) {
                return current.withExpiresAt(expiry.forAccess(now, current.expiresAt()));
            }
            write(key, newValue);
            publish(batch, EventType.UPDATED, key, v, current.value());
            replaced[0] = true;
            return StoredValue.of(v, expiry.forUpdate(now, current.expiresAt()));
        });
        batch.awaitSynchronous();
        statistics.recordGets(found[0], 1);
        statistics.recordGetTime(start);
        statistics.recordPuts(replaced[0] ? 1 : 0, start);
        return replaced[0];
    }

    @Override
    public boolean replace(K key, V value) {
        requireOpen();
        checkTypes(key, value);
        long start = statistics.start();
        boolean replaced = replaceEntry(key, value, null);
        statistics.recordGets(replaced, 1);
        statistics.recordGetTime(start);
        statistics.recordPuts(replaced ? 1 : 0, start);
        return replaced;
    }

    @Override
    public V getAndReplace(K key, V value) {
        requireOpen();
        checkTypes(key, value);
        long start = statistics.start();
        Object[] previous = new Object[1];
        boolean replaced = replaceEntry(key, value, previous);
        @SuppressWarnings("unchecked")
        V old = (V) previous[0];
        statistics.recordGets(replaced, 1);
        statistics.recordGetTime(start);
        statistics.recordPuts(replaced ? 1 : 0, start);
        return old;
    }

    private boolean replaceEntry(K key, V value, Object[] previous) {
        byte[] k = codec.encode(key);
        byte[] v = codec.encode(value);
        Batch<K, V> batch = events.batch();
        boolean[] replaced = {false};
        store.compute(k, current -> {
            if (current == null) {
                return null;
            }
            write(key, value);
            if (previous != null) {
                previous[0] = decode(current.value());
            }
            publish(batch, EventType.UPDATED, key, v, current.value());
            replaced[0] = true;
            return StoredValue.of(v, expiry.forUpdate(clock.millis(), current.expiresAt()));
        });
        batch.awaitSynchronous();
        return replaced[0];
    }

    @Override
    public void removeAll(Set<? extends K> keySet) {
        requireOpen();
        requireNoNulls(keySet);
        removeEach(keySet);
    }

    @Override
    public void removeAll() {
        requireOpen();
        List<K> all = new ArrayList<>();
        store.forEach((k, value) -> all.add(decode(k)));
        removeEach(all);
    }

    /** Deletes through the writer in one batch, then removes what it deleted. */
    private void removeEach(Collection<? extends K> keySet) {
        long start = statistics.start();
        Collection<? extends K> toRemove = keySet;
        CacheWriterException failure = null;
        if (writer != null && !keySet.isEmpty()) {
            // The writer removes what it deleted; what it leaves behind failed and stays cached.
            List<K> pending = new ArrayList<>(keySet);
            try {
                writer.deleteAll(pending);
            } catch (Exception e) {
                failure = e instanceof CacheWriterException cwe ? cwe
                        : new CacheWriterException("the writer of cache '" + name + "' failed: " + e, e);
            }
            List<K> deleted = new ArrayList<>(keySet);
            deleted.removeAll(pending);
            toRemove = deleted;
        }
        int removals = 0;
        for (K key : toRemove) {
            byte[] k = codec.encode(key);
            Batch<K, V> batch = events.batch();
            boolean[] removed = {false};
            store.compute(k, current -> {
                if (current == null) {
                    return null;
                }
                publish(batch, EventType.REMOVED, key, current.value(), current.value());
                removed[0] = true;
                return null;
            });
            batch.awaitSynchronous();
            if (removed[0]) {
                removals++;
            }
        }
        statistics.recordRemovals(removals, start);
        if (failure != null) {
            throw failure;
        }
    }

    @Override
    public void clear() {
        requireOpen();
        List<byte[]> all = new ArrayList<>();
        store.forEach((k, value) -> all.add(k));
        for (byte[] k : all) {
            store.compute(k, current -> null);
        }
    }

    // ---- entry processors -----------------------------------------------------------------

    @Override
    public <T> T invoke(K key, EntryProcessor<K, V, T> processor, Object... arguments) {
        requireOpen();
        Objects.requireNonNull(key, "key must not be null");
        Objects.requireNonNull(processor, "entry processor must not be null");
        long start = statistics.start();
        byte[] k = codec.encode(key);
        Batch<K, V> batch = events.batch();
        Object[] result = new Object[1];
        int[] counts = new int[2]; // puts, removals
        store.compute(k, current -> {
            long now = clock.millis();
            statistics.recordGets(current != null, 1);
            V original = current == null ? null : decode(current.value());
            ProcessorEntry<K, V> entry = new ProcessorEntry<>(key, original, isReadThrough() ? this::callLoad : null);
            try {
                result[0] = processor.process(entry, arguments);
            } catch (CacheException e) {
                throw e;
            } catch (Exception e) {
                throw new EntryProcessorException("the entry processor failed on key " + key + ": " + e, e);
            }
            switch (entry.outcome()) {
                case NONE:
                    return current;
                case ACCESS:
                    return current.withExpiresAt(expiry.forAccess(now, current.expiresAt()));
                case LOAD:
                case CREATE: {
                    V value = entry.getValue();
                    if (entry.outcome() == ProcessorEntry.Outcome.CREATE) {
                        checkTypes(key, value);
                        write(key, value);
                        counts[0] = 1;
                    }
                    long expiresAt = expiry.forCreation(now);
                    if (expiresAt <= now) {
                        return null;
                    }
                    byte[] v = codec.encode(value);
                    publish(batch, EventType.CREATED, key, v, null);
                    return StoredValue.of(v, expiresAt);
                }
                case UPDATE: {
                    V value = entry.getValue();
                    checkTypes(key, value);
                    write(key, value);
                    counts[0] = 1;
                    byte[] v = codec.encode(value);
                    publish(batch, EventType.UPDATED, key, v, current.value());
                    return StoredValue.of(v, expiry.forUpdate(now, current.expiresAt()));
                }
                case REMOVE:
                    delete(key);
                    if (current != null) {
                        publish(batch, EventType.REMOVED, key, current.value(), current.value());
                        counts[1] = 1;
                    }
                    return null;
                default:
                    throw new AssertionError(entry.outcome());
            }
        });
        batch.awaitSynchronous();
        statistics.recordGetTime(start);
        statistics.recordPuts(counts[0], start);
        statistics.recordRemovals(counts[1], start);
        @SuppressWarnings("unchecked")
        T typed = (T) result[0];
        return typed;
    }

    @Override
    public <T> Map<K, EntryProcessorResult<T>> invokeAll(Set<? extends K> keySet, EntryProcessor<K, V, T> processor,
                                                         Object... arguments) {
        requireOpen();
        requireNoNulls(keySet);
        Objects.requireNonNull(processor, "entry processor must not be null");
        Map<K, EntryProcessorResult<T>> results = new HashMap<>();
        for (K key : keySet) {
            try {
                T result = invoke(key, processor, arguments);
                if (result != null) {
                    results.put(key, () -> result);
                }
            } catch (Exception e) {
                EntryProcessorException failure = e instanceof EntryProcessorException epe ? epe
                        : new EntryProcessorException(e);
                results.put(key, () -> {
                    throw failure;
                });
            }
        }
        return results;
    }

    // ---- iteration ------------------------------------------------------------------------

    @Override
    public Iterator<Cache.Entry<K, V>> iterator() {
        requireOpen();
        Iterator<Map.Entry<byte[], StoredValue>> entries = store.iterator();
        return new Iterator<>() {
            private CacheEntry<K, V> next;
            private CacheEntry<K, V> last;

            @Override
            public boolean hasNext() {
                while (next == null && entries.hasNext()) {
                    Map.Entry<byte[], StoredValue> entry = entries.next();
                    long start = statistics.start();
                    StoredValue stored = entry.getValue();
                    if (expiry.tracksAccess()) {
                        stored = touch(entry.getKey(), stored);
                    }
                    if (stored != null) {
                        statistics.recordGets(true, 1);
                        statistics.recordGetTime(start);
                        next = new CacheEntry<>(decode(entry.getKey()), decode(stored.value()));
                    }
                }
                return next != null;
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
                long start = statistics.start();
                statistics.recordRemovals(removeEntry(key, null) ? 1 : 0, start);
            }
        };
    }

    // ---- listeners, configuration, lifecycle ----------------------------------------------

    @Override
    public void registerCacheEntryListener(CacheEntryListenerConfiguration<K, V> listener) {
        requireOpen();
        events.register(listener);
        configuration.addCacheEntryListenerConfiguration(listener);
    }

    @Override
    public void deregisterCacheEntryListener(CacheEntryListenerConfiguration<K, V> listener) {
        requireOpen();
        events.deregister(listener);
        configuration.removeCacheEntryListenerConfiguration(listener);
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
        MBeans.unregister(MBeans.Kind.STATISTICS, manager.getURI(), name);
        MBeans.unregister(MBeans.Kind.CONFIGURATION, manager.getURI(), name);
        events.close();
        closeQuietly(loader);
        closeQuietly(writer);
        closeQuietly(expiry.policy());
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
        if (clazz.isAssignableFrom(Group.class)) {
            return clazz.cast(group);
        }
        throw new IllegalArgumentException("cache '" + name + "' cannot be unwrapped to " + clazz.getName()
                + "; it unwraps to " + KamaCache.class.getName() + " and " + Group.class.getName());
    }

    void setStatisticsEnabled(boolean enabled) {
        statistics.setEnabled(enabled);
        configuration.setStatisticsEnabled(enabled);
        if (enabled) {
            MBeans.register(statistics, MBeans.Kind.STATISTICS, manager.getURI(), name);
        } else {
            MBeans.unregister(MBeans.Kind.STATISTICS, manager.getURI(), name);
        }
    }

    void setManagementEnabled(boolean enabled) {
        configuration.setManagementEnabled(enabled);
        if (enabled) {
            MBeans.register(management, MBeans.Kind.CONFIGURATION, manager.getURI(), name);
        } else {
            MBeans.unregister(MBeans.Kind.CONFIGURATION, manager.getURI(), name);
        }
    }

    /** The JCache statistics of this cache, whether or not they are enabled. */
    public CacheStatistics statistics() {
        return statistics;
    }

    /** Told by the group's store of every eviction and expiry; expiries become events. */
    void onRemoval(byte[] k, StoredValue value, RemovalCause cause) {
        if (cause == RemovalCause.EXPIRED && events.wants(EventType.EXPIRED) && !closed) {
            Batch<K, V> batch = events.batch();
            publish(batch, EventType.EXPIRED, decode(k), value.value(), value.value());
            batch.awaitSynchronous();
        }
    }

    @Override
    public String toString() {
        return "KamaCache{" + name + ", " + group.options() + '}';
    }

    // ---- helpers --------------------------------------------------------------------------

    private boolean isReadThrough() {
        return loader != null && configuration.isReadThrough();
    }

    private void publish(Batch<K, V> batch, EventType type, K key, byte[] value, byte[] oldValue) {
        if (batch.wants(type)) {
            batch.publish(type, key, decode(value), oldValue == null ? null : decode(oldValue));
        }
    }

    @SuppressWarnings("unchecked")
    private <T> T decode(byte[] bytes) {
        return (T) codec.decode(bytes);
    }

    private boolean sameValue(byte[] stored, byte[] expectedBytes, V expected) {
        return Arrays.equals(stored, expectedBytes) || expected.equals(decode(stored));
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

    private void checkTypes(K key, V value) {
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

    private static void closeQuietly(Object resource) {
        if (resource instanceof Closeable closeable) {
            try {
                closeable.close();
            } catch (IOException e) {
                throw new CacheException("closing " + resource.getClass().getName() + " failed: " + e, e);
            }
        }
    }
}
