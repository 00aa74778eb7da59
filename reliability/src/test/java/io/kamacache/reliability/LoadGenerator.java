package io.kamacache.reliability;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAccumulator;

/**
 * Caller threads that each run one kind of call in a loop, through the thin client, until
 * {@link #stop()}: it counts calls, failures (kept, up to a bound, to be told apart) and
 * wrong answers ({@link WrongAnswer}), and times the longest call.
 */
final class LoadGenerator {

    /** How long {@link #stop()} waits for a caller's last call: well past every deadline of a call. */
    private static final Duration STOP_PATIENCE = Duration.ofSeconds(90);
    private static final int KEPT_FAILURES = 1000;

    /** One call; {@code caller} numbers the thread, from 0. */
    @FunctionalInterface
    interface Call {
        void run(int caller, SplittableRandom random) throws Exception;
    }

    /** A call that succeeded with an answer other than the one expected: an entry was lost or corrupted. */
    static final class WrongAnswer extends Exception {
        private static final long serialVersionUID = 1L;

        WrongAnswer(String message) {
            super(message, null, false, false);
        }
    }

    /** A wrong answer, {@code at} how long into the load its call started. */
    record Wrong(Duration at, String what) {
        @Override
        public String toString() {
            return "at +" + at.toMillis() + " ms, " + what;
        }
    }

    /** What the callers saw. */
    record Result(int callers, long calls, long failed, List<Throwable> failures, long wrong, List<Wrong> wrongAnswers,
                  Duration longestCall, Duration held, int hung) {

        String summary() {
            return callers + " callers, " + calls + " calls in " + held.toSeconds() + " s, " + failed + " failed, "
                    + wrong + " wrong answers, longest call " + longestCall.toMillis() + " ms, " + hung + " hung"
                    + (failures.isEmpty() ? "" : "; first failure: " + failures.get(0))
                    + (wrongAnswers.isEmpty() ? "" : "; first wrong answer: " + wrongAnswers.get(0));
        }
    }

    private final List<Thread> threads = new ArrayList<>();
    private final AtomicLong calls = new AtomicLong();
    private final AtomicLong failed = new AtomicLong();
    private final AtomicLong wrong = new AtomicLong();
    private final Queue<Throwable> failures = new ConcurrentLinkedQueue<>();
    private final Queue<Wrong> wrongAnswers = new ConcurrentLinkedQueue<>();
    private final LongAccumulator longestNanos = new LongAccumulator(Math::max, 0);
    private final long started = System.nanoTime();
    private volatile boolean running = true;

    private LoadGenerator() {
    }

    /** Starts {@code callers} threads, each running {@code call} in a loop. */
    static LoadGenerator start(String name, int callers, Call call) {
        LoadGenerator load = new LoadGenerator();
        for (int i = 0; i < callers; i++) {
            int caller = i;
            Thread thread = new Thread(() -> load.loop(caller, call), name + "-caller-" + i);
            thread.setDaemon(true);
            load.threads.add(thread);
        }
        load.threads.forEach(Thread::start);
        return load;
    }

    private void loop(int caller, Call call) {
        SplittableRandom random = new SplittableRandom(caller);
        while (running) {
            long start = System.nanoTime();
            try {
                call.run(caller, random);
            } catch (WrongAnswer e) {
                wrong.incrementAndGet();
                if (wrongAnswers.size() < KEPT_FAILURES) {
                    wrongAnswers.add(new Wrong(Duration.ofNanos(start - started), e.getMessage()));
                }
            } catch (Exception e) {
                failed.incrementAndGet();
                if (failures.size() < KEPT_FAILURES) {
                    failures.add(e);
                }
            } finally {
                longestNanos.accumulate(System.nanoTime() - start);
                calls.incrementAndGet();
            }
        }
    }

    /** When the load started ({@link System#nanoTime()}). */
    long startedAt() {
        return started;
    }

    /** Calls made so far. */
    long calls() {
        return calls.get();
    }

    /**
     * Lets every caller finish its call and stops; a caller still in a call after
     * {@link #STOP_PATIENCE} counts as hung (and is interrupted).
     */
    Result stop() throws InterruptedException {
        running = false;
        long held = System.nanoTime() - started;
        long deadline = System.nanoTime() + STOP_PATIENCE.toNanos();
        int hung = 0;
        for (Thread thread : threads) {
            thread.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())));
            if (thread.isAlive()) {
                hung++;
                thread.interrupt();
            }
        }
        return new Result(threads.size(), calls.get(), failed.get(), List.copyOf(failures), wrong.get(),
                List.copyOf(wrongAnswers), Duration.ofNanos(longestNanos.get()), Duration.ofNanos(held), hung);
    }
}
