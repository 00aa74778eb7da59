package io.kamacache.singleflight;

import java.util.Objects;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.LongAdder;

/**
 * Runs at most one load per key at a time and shares its outcome with every caller that
 * asks while it runs. Keys need value equality. Thread-safe.
 *
 * @param <K> the key type
 * @param <V> the loaded value type
 */
public final class LoadCoalescer<K, V> {

    private final ConcurrentHashMap<K, Load<V>> inFlight = new ConcurrentHashMap<>();
    private final Executor executor;
    private final LongAdder joined = new LongAdder();

    /**
     * @param executor where loads run. With {@code Runnable::run} a load runs on the thread
     *                 of its first caller, who then waits for it whatever its future says
     */
    public LoadCoalescer(Executor executor) {
        this.executor = Objects.requireNonNull(executor, "executor");
    }

    /**
     * The outcome of loading {@code key}: the load already running for it, or a new one of
     * {@code loader}. The returned future is the caller's own: cancelling or abandoning it
     * does not affect the load or the other callers.
     *
     * @throws IllegalStateException when this thread is running the load of {@code key}:
     *                               the load asked for its own key, and would wait for itself
     */
    public CompletableFuture<V> load(K key, Callable<? extends V> loader) {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(loader, "loader");
        Load<V> started = new Load<>();
        Load<V> running = inFlight.putIfAbsent(key, started);
        if (running != null) {
            if (running.runner == Thread.currentThread()) {
                throw new IllegalStateException("the load of key " + key + " asked for that key itself, which would "
                        + "wait for the load forever");
            }
            joined.increment();
            return running.copy();
        }
        try {
            executor.execute(() -> run(key, started, loader));
        } catch (RejectedExecutionException e) {
            inFlight.remove(key, started);
            started.completeExceptionally(e);
        }
        return started.copy();
    }

    private void run(K key, Load<V> future, Callable<? extends V> loader) {
        future.runner = Thread.currentThread();
        try {
            V value = loader.call();
            inFlight.remove(key, future); // before completing, so a waiter woken by it that misses again loads afresh
            future.complete(value);
        } catch (Throwable t) {
            inFlight.remove(key, future);
            future.completeExceptionally(t);
        }
    }

    /** A load's outcome, and the thread that runs it. */
    private static final class Load<V> extends CompletableFuture<V> {
        volatile Thread runner;
    }

    /** How many callers joined a load that was already running instead of starting one. */
    public long joinedCount() {
        return joined.sum();
    }

    /** How many loads are running now. */
    public int inFlightCount() {
        return inFlight.size();
    }
}
