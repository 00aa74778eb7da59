package io.kamacache.bench;

import org.HdrHistogram.Histogram;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;

/**
 * One cell of {@link ClientServerLoad}: caller threads that repeat one operation as fast as
 * the system answers, first for a warm-up whose operations are not counted, then for the
 * measurement. Throughput is the operations completed in the measurement divided by its
 * length; with latency recording, every measured call is timed with {@link System#nanoTime()}
 * into an HdrHistogram. The CPU the measurement cost is the CPU time, user and system, of
 * this process and of every process it started (the servers of the system under load) over
 * the measurement, as the operating system accounts it ({@link ProcessHandle.Info#totalCpuDuration()}):
 * what a system spends per call, waiting included (a caller that spins for its reply counts).
 * The first exception of any caller stops the cell and is rethrown.
 */
final class CallerLoop {

    /** The longest latency the histogram tells apart: a call may take up to its timeout. */
    static final long HIGHEST_NANOS = TimeUnit.MINUTES.toNanos(2);

    private static final int WARMUP = 0;
    private static final int MEASURE = 1;
    private static final int STOP = 2;

    /**
     * @param opsPerSecond operations per second during the measurement
     * @param operations   operations completed during the measurement
     * @param misses       of them, the gets that found nothing (getAll: found fewer keys than asked)
     * @param cpuNanos     CPU time of the client and the servers during the measurement
     * @param latency      the measured calls' latencies in nanoseconds, or null when not recorded
     */
    record Result(double opsPerSecond, long operations, long misses, long cpuNanos, Histogram latency) {

        /** CPU microseconds the client and the servers spent per operation. */
        double cpuMicrosPerOperation() {
            return operations == 0 ? 0 : cpuNanos / 1e3 / operations;
        }
    }

    private final LoadTarget target;
    private final LoadWorkload workload;
    private final LoadWorkload.Operation operation;
    private final boolean recordLatency;
    private volatile int phase = WARMUP;
    private final AtomicReference<Throwable> failure = new AtomicReference<>();
    private final CountDownLatch failed = new CountDownLatch(1);

    private CallerLoop(LoadTarget target, LoadWorkload workload, LoadWorkload.Operation operation,
                       boolean recordLatency) {
        this.target = target;
        this.workload = workload;
        this.operation = operation;
        this.recordLatency = recordLatency;
    }

    /**
     * Runs {@code operation} from {@code callers} threads. A caller still inside a call
     * {@code callTimeout} plus ten seconds after the end fails the cell: every client call
     * has a deadline, so such a caller means a client that does not keep its own.
     */
    static Result run(LoadTarget target, LoadWorkload workload, LoadWorkload.Operation operation, int callers,
                      Duration warmup, Duration measure, Duration callTimeout, boolean recordLatency)
            throws InterruptedException {
        return new CallerLoop(target, workload, operation, recordLatency)
                .run(callers, warmup, measure, callTimeout.plusSeconds(10));
    }

    private Result run(int callers, Duration warmup, Duration measure, Duration joinGrace) throws InterruptedException {
        List<Caller> threads = new ArrayList<>();
        for (int i = 0; i < callers; i++) {
            Caller caller = new Caller(new SplittableRandom(0xCA11E5L * 31 + i));
            caller.setName("load-caller-" + i);
            caller.setDaemon(true);
            threads.add(caller);
        }
        threads.forEach(Thread::start);
        long measured = 0;
        long cpu = 0;
        if (!failed.await(warmup.toNanos(), TimeUnit.NANOSECONDS)) {
            phase = MEASURE;
            long start = System.nanoTime();
            long cpuAtStart = cpuNanos();
            failed.await(measure.toNanos(), TimeUnit.NANOSECONDS);
            phase = STOP;
            measured = System.nanoTime() - start;
            cpu = cpuNanos() - cpuAtStart;
        }
        phase = STOP;
        long deadline = System.nanoTime() + joinGrace.toNanos();
        for (Caller caller : threads) {
            caller.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())));
            if (caller.isAlive()) {
                fail(new IllegalStateException(caller.getName() + " was still in a " + operation.label + " call "
                        + joinGrace.toSeconds() + " s after the measurement ended"));
            }
        }
        Throwable cause = failure.get();
        if (cause != null) {
            throw new IllegalStateException(operation.label + " from " + callers + " callers failed: " + cause, cause);
        }
        long operations = 0;
        long misses = 0;
        Histogram latency = recordLatency ? new Histogram(HIGHEST_NANOS, 3) : null;
        for (Caller caller : threads) {
            operations += caller.operations;
            misses += caller.misses;
            if (latency != null) {
                latency.add(caller.latency);
            }
        }
        return new Result(operations * 1e9 / measured, operations, misses, cpu, latency);
    }

    /** The CPU time of this process and of every process it started, in nanoseconds. */
    static long cpuNanos() {
        ProcessHandle self = ProcessHandle.current();
        return Stream.concat(Stream.of(self), self.descendants())
                .mapToLong(process -> process.info().totalCpuDuration().map(Duration::toNanos).orElse(0L))
                .sum();
    }

    private void fail(Throwable cause) {
        failure.compareAndSet(null, cause);
        phase = STOP;
        failed.countDown();
    }

    /** One caller: its own random keys, counts and histogram, read after it ended. */
    private final class Caller extends Thread {
        private final SplittableRandom random;
        private final Histogram latency = recordLatency ? new Histogram(HIGHEST_NANOS, 3) : null;
        private long operations;
        private long misses;

        Caller(SplittableRandom random) {
            this.random = random;
        }

        @Override
        public void run() {
            try {
                for (int now = phase; now != STOP; now = phase) {
                    long start = latency == null ? 0 : System.nanoTime();
                    boolean hit = operation.call(target, workload, random);
                    if (now == MEASURE) {
                        if (latency != null) {
                            latency.recordValue(Math.min(System.nanoTime() - start, HIGHEST_NANOS));
                        }
                        operations++;
                        if (!hit) {
                            misses++;
                        }
                    }
                }
            } catch (RuntimeException | Error e) {
                fail(e);
            }
        }
    }
}
