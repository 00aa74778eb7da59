package io.kamacache.concurrent;

import java.util.ArrayDeque;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;

/**
 * Runs tasks one at a time, in submission order, on a shared executor: what keeps one
 * listener's events, or one call's messages, in order without a thread of their own.
 */
public final class SerialExecutor implements Executor {

    private final ArrayDeque<Runnable> tasks = new ArrayDeque<>();
    private final Executor executor;
    private Runnable active;

    public SerialExecutor(Executor executor) {
        this.executor = executor;
    }

    @Override
    public synchronized void execute(Runnable task) {
        tasks.add(() -> {
            try {
                task.run();
            } finally {
                scheduleNext();
            }
        });
        if (active == null) {
            scheduleNext();
        }
    }

    /**
     * Runs {@code task} on this thread when no task is queued or running, otherwise after
     * them, as {@link #execute} would; tasks given meanwhile run after it.
     */
    public void runAfterQueued(Runnable task) {
        synchronized (this) {
            if (active != null) {
                execute(task);
                return;
            }
            active = task; // marks the queue busy while the task runs here
        }
        try {
            task.run();
        } finally {
            scheduleNext();
        }
    }

    private synchronized void scheduleNext() {
        active = tasks.poll();
        if (active != null) {
            try {
                executor.execute(active);
            } catch (RejectedExecutionException e) {
                // The executor is shutting down: run what is left on this thread.
                Runnable remaining = active;
                active = null;
                remaining.run();
            }
        }
    }
}
