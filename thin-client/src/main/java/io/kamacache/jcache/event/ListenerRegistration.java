package io.kamacache.jcache.event;

import io.kamacache.concurrent.SerialExecutor;

import javax.cache.configuration.CacheEntryListenerConfiguration;
import javax.cache.configuration.Factory;
import javax.cache.event.CacheEntryCreatedListener;
import javax.cache.event.CacheEntryEvent;
import javax.cache.event.CacheEntryEventFilter;
import javax.cache.event.CacheEntryExpiredListener;
import javax.cache.event.CacheEntryListener;
import javax.cache.event.CacheEntryRemovedListener;
import javax.cache.event.CacheEntryUpdatedListener;
import javax.cache.event.EventType;
import java.io.Closeable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;

/** A registered listener with its filter and its own ordered delivery queue. */
final class ListenerRegistration<K, V> {

    private static final System.Logger LOG = System.getLogger(ListenerRegistration.class.getName());

    final CacheEntryListenerConfiguration<K, V> configuration;
    private final CacheEntryListener<? super K, ? super V> listener;
    private final CacheEntryEventFilter<? super K, ? super V> filter;
    private final SerialExecutor queue;

    /** Set on a thread while it runs a listener: see {@link #onListenerThread()}. */
    private static final ThreadLocal<Boolean> RUNNING = new ThreadLocal<>();

    ListenerRegistration(CacheEntryListenerConfiguration<K, V> configuration, Executor executor) {
        this.configuration = configuration;
        this.listener = configuration.getCacheEntryListenerFactory().create();
        Factory<CacheEntryEventFilter<? super K, ? super V>> filterFactory =
                configuration.getCacheEntryEventFilterFactory();
        this.filter = filterFactory == null ? null : filterFactory.create();
        this.queue = new SerialExecutor(executor);
    }

    /**
     * Whether this thread is running a listener. A cache call it makes must not wait for
     * synchronous listeners: one of them may be this very listener, or be queued behind a
     * thread that waits for this one, so the wait could last forever.
     */
    static boolean onListenerThread() {
        return RUNNING.get() != null;
    }

    boolean isSynchronous() {
        return configuration.isSynchronous();
    }

    boolean isOldValueRequired() {
        return configuration.isOldValueRequired();
    }

    boolean listensTo(EventType type) {
        return switch (type) {
            case CREATED -> listener instanceof CacheEntryCreatedListener;
            case UPDATED -> listener instanceof CacheEntryUpdatedListener;
            case REMOVED -> listener instanceof CacheEntryRemovedListener;
            case EXPIRED -> listener instanceof CacheEntryExpiredListener;
        };
    }

    /**
     * Queues the event, or with {@code here} hands it to the listener on this thread when
     * none is queued; the future completes once the listener has had it (or the filter
     * declined it).
     */
    CompletableFuture<Void> submit(EntryEvent<K, V> event, boolean here) {
        CompletableFuture<Void> delivered = new CompletableFuture<>();
        Runnable task = () -> {
            boolean nested = onListenerThread(); // a listener's own call, delivered on its thread
            RUNNING.set(Boolean.TRUE);
            try {
                if (filter == null || filter.evaluate(event)) {
                    deliver(event);
                }
                delivered.complete(null);
            } catch (Throwable t) {
                if (!isSynchronous()) { // no call waits to hear of it
                    LOG.log(System.Logger.Level.WARNING, "an asynchronous cache entry listener failed", t);
                }
                delivered.completeExceptionally(t);
            } finally {
                if (!nested) {
                    RUNNING.remove();
                }
            }
        };
        if (here) {
            queue.runAfterQueued(task);
        } else {
            queue.execute(task);
        }
        return delivered;
    }

    @SuppressWarnings("unchecked")
    private void deliver(EntryEvent<K, V> event) {
        List<CacheEntryEvent<? extends K, ? extends V>> events = List.of(event);
        switch (event.getEventType()) {
            case CREATED -> ((CacheEntryCreatedListener<K, V>) listener).onCreated(events);
            case UPDATED -> ((CacheEntryUpdatedListener<K, V>) listener).onUpdated(events);
            case REMOVED -> ((CacheEntryRemovedListener<K, V>) listener).onRemoved(events);
            case EXPIRED -> ((CacheEntryExpiredListener<K, V>) listener).onExpired(events);
        }
    }

    void close() {
        closeQuietly(listener);
        closeQuietly(filter);
    }

    private static void closeQuietly(Object resource) {
        if (resource instanceof Closeable closeable) {
            try {
                closeable.close();
            } catch (IOException e) {
                throw new UncheckedIOException("closing " + resource.getClass().getName() + " failed", e);
            }
        }
    }
}
