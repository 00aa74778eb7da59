package io.kamacache.discovery;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

import static org.assertj.core.api.Assertions.assertThat;

/** Records the views a membership reports, and the threads it reports them on. */
final class Views implements Consumer<Set<String>> {

    private final List<Set<String>> views = new ArrayList<>();
    private final List<String> threads = new ArrayList<>();

    @Override
    public synchronized void accept(Set<String> view) {
        assertThat(view).as("every view").isNotEmpty();
        views.add(view);
        threads.add(Thread.currentThread().getName());
        notifyAll();
    }

    synchronized int count() {
        return views.size();
    }

    synchronized Set<String> last() {
        return views.isEmpty() ? Set.of() : views.get(views.size() - 1);
    }

    synchronized Set<String> threads() {
        return Set.copyOf(threads);
    }

    /** Waits up to 15 s until the last view is {@code expected}. */
    synchronized void await(Set<String> expected) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        try {
            while (!last().equals(expected)) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw new AssertionError("expected the view " + expected + " within 15 s; views so far: " + views);
                }
                TimeUnit.NANOSECONDS.timedWait(this, left);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }
}
