package io.kamacache.jcache.event;

import javax.cache.Cache;
import javax.cache.configuration.CacheEntryListenerConfiguration;
import javax.cache.event.CacheEntryListenerException;
import javax.cache.event.EventType;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;

/**
 * Delivers a cache's entry events to its registered listeners.
 *
 * <p>An operation opens a {@link Batch}, publishes into it while it holds the entry's lock
 * (so each listener's queue receives a key's events in the order they happened) and, once
 * the lock is released, {@linkplain Batch#awaitSynchronous() waits} for the synchronous
 * listeners to have them. Asynchronous listeners are not waited for. Every listener has its
 * own serial queue on the shared executor, so a slow listener delays only itself.
 *
 * <p>A call that a listener makes on its own thread does not wait for synchronous
 * listeners, since the one it would wait for may be that listener itself, or queued behind
 * a thread that waits for it (JSR-107 leaves such deadlocks to the implementation). Its
 * events reach them afterwards, in order, and what they throw is logged.
 */
public final class EventDispatcher<K, V> {

    private static final System.Logger LOG = System.getLogger(EventDispatcher.class.getName());

    private final Cache<K, V> source;
    private final Executor executor;
    private final List<ListenerRegistration<K, V>> registrations = new CopyOnWriteArrayList<>();
    /** Bit per {@link EventType#ordinal()} that some listener wants: a cheap test on every write. */
    private volatile int wanted;
    private volatile boolean hasSynchronous;

    public EventDispatcher(Cache<K, V> source, Executor executor) {
        this.source = Objects.requireNonNull(source, "source");
        this.executor = Objects.requireNonNull(executor, "executor");
    }

    /**
     * Starts delivering events to the listener of {@code configuration}.
     *
     * @throws IllegalArgumentException when an equal configuration is already registered
     */
    public synchronized void register(CacheEntryListenerConfiguration<K, V> configuration) {
        Objects.requireNonNull(configuration, "listener configuration must not be null");
        for (ListenerRegistration<K, V> registration : registrations) {
            if (registration.configuration.equals(configuration)) {
                throw new IllegalArgumentException("this listener configuration is already registered: " + configuration);
            }
        }
        registrations.add(new ListenerRegistration<>(configuration, executor));
        updateWanted();
    }

    /** Stops delivering events to the listener of {@code configuration}, if registered. */
    public synchronized void deregister(CacheEntryListenerConfiguration<K, V> configuration) {
        Objects.requireNonNull(configuration, "listener configuration must not be null");
        for (ListenerRegistration<K, V> registration : registrations) {
            if (registration.configuration.equals(configuration)) {
                registrations.remove(registration);
                updateWanted();
                registration.close();
            }
        }
    }

    /** Whether some listener wants events of this type. */
    public boolean wants(EventType type) {
        return (wanted & (1 << type.ordinal())) != 0;
    }

    /** Bit (1 << {@link EventType#ordinal()}) per event type some listener wants. */
    public int mask() {
        return wanted;
    }

    /**
     * Whether a call on this thread waits for the events it causes to reach synchronous
     * listeners: when one is registered, unless this thread is running a listener.
     */
    public boolean callerWaits() {
        return hasSynchronous && !ListenerRegistration.onListenerThread();
    }

    /** A batch for one operation; free when no listener is registered. */
    public Batch<K, V> batch() {
        return wanted == 0 ? Batch.none() : new Batch<>(this, false);
    }

    /**
     * A batch of events that another node ran, published by a thread that holds no lock
     * and then waits for the synchronous listeners: they run on it, when nothing of theirs
     * is queued, saving a hand-off to another thread and back.
     */
    public Batch<K, V> deliveryBatch() {
        return wanted == 0 ? Batch.none() : new Batch<>(this, true);
    }

    /** Deregisters every listener, closing the ones that are {@link java.io.Closeable}. */
    public synchronized void close() {
        for (ListenerRegistration<K, V> registration : registrations) {
            registration.close();
        }
        registrations.clear();
        wanted = 0;
    }

    private void updateWanted() {
        int bits = 0;
        boolean synchronous = false;
        for (ListenerRegistration<K, V> registration : registrations) {
            for (EventType type : EventType.values()) {
                if (registration.listensTo(type)) {
                    bits |= 1 << type.ordinal();
                }
            }
            synchronous |= registration.isSynchronous();
        }
        wanted = bits;
        hasSynchronous = synchronous;
    }

    /** The events of one operation, and the deliveries its caller must wait for. */
    public static final class Batch<K, V> {

        private static final Batch<?, ?> NONE = new Batch<>(null, false);

        private final EventDispatcher<K, V> dispatcher;
        /** Whether synchronous listeners may run on the publishing thread: it holds no lock and waits for them anyway. */
        private final boolean here;
        private List<CompletableFuture<Void>> synchronous;

        private Batch(EventDispatcher<K, V> dispatcher, boolean here) {
            this.dispatcher = dispatcher;
            this.here = here;
        }

        @SuppressWarnings("unchecked")
        static <K, V> Batch<K, V> none() {
            return (Batch<K, V>) NONE;
        }

        /** Whether no listener is registered: nothing published to this batch goes anywhere. */
        public boolean isEmpty() {
            return dispatcher == null;
        }

        /** Whether an event of this type would reach anyone; check before decoding values for it. */
        public boolean wants(EventType type) {
            return dispatcher != null && dispatcher.wants(type);
        }

        /**
         * Queues an event for every listener of its type. For removals and expiries
         * {@code value} is the value that went away; {@code oldValue} is the previous value
         * of an update, of a removal or of an expiry.
         */
        public void publish(EventType type, K key, V value, V oldValue) {
            if (!wants(type)) {
                return;
            }
            for (ListenerRegistration<K, V> registration : dispatcher.registrations) {
                if (!registration.listensTo(type)) {
                    continue;
                }
                EntryEvent<K, V> event = event(registration, type, key, value, oldValue);
                CompletableFuture<Void> delivered = registration.submit(event, here && registration.isSynchronous());
                if (registration.isSynchronous()) {
                    if (synchronous == null) {
                        synchronous = new ArrayList<>(2);
                    }
                    synchronous.add(delivered);
                }
            }
        }

        private EntryEvent<K, V> event(ListenerRegistration<K, V> registration, EventType type, K key, V value,
                                       V oldValue) {
            boolean withOld = registration.isOldValueRequired();
            boolean gone = type == EventType.REMOVED || type == EventType.EXPIRED;
            if (gone) {
                // What went away is only shown to listeners that asked for old values.
                return new EntryEvent<>(dispatcher.source, type, key, withOld ? value : null,
                        withOld ? value : null, withOld);
            }
            return new EntryEvent<>(dispatcher.source, type, key, value, withOld ? oldValue : null,
                    withOld && oldValue != null);
        }

        /**
         * Leaves the synchronous listeners to have this batch's events without waiting for
         * them: what they throw is logged.
         */
        public void release() {
            if (synchronous == null) {
                return;
            }
            for (CompletableFuture<Void> delivery : synchronous) {
                delivery.whenComplete((done, failure) -> {
                    if (failure != null) {
                        LOG.log(System.Logger.Level.WARNING, "a synchronous cache entry listener failed on an "
                                + "event of a call that did not wait for it", failure);
                    }
                });
            }
            synchronous = null;
        }

        /**
         * Waits until the synchronous listeners have had this batch's events, unless this
         * thread is running a listener: then it {@linkplain #release() releases} them.
         *
         * @throws CacheEntryListenerException when a listener threw (errors are rethrown as they are)
         */
        public void awaitSynchronous() {
            if (synchronous == null) {
                return;
            }
            if (ListenerRegistration.onListenerThread()) {
                release();
                return;
            }
            RuntimeException failure = null;
            boolean interrupted = false;
            for (CompletableFuture<Void> delivery : synchronous) {
                while (true) {
                    try {
                        delivery.get();
                        break;
                    } catch (InterruptedException e) {
                        interrupted = true; // the event is queued: waiting on keeps the contract
                    } catch (ExecutionException | CompletionException e) {
                        Throwable cause = e.getCause();
                        if (cause instanceof Error error) {
                            throw error;
                        }
                        if (failure == null) {
                            failure = cause instanceof CacheEntryListenerException listenerFailure
                                    ? listenerFailure
                                    : new CacheEntryListenerException("a cache entry listener failed: " + cause, cause);
                        }
                        break;
                    }
                }
            }
            synchronous = null;
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
            if (failure != null) {
                throw failure;
            }
        }
    }
}
