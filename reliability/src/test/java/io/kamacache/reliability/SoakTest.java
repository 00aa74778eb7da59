package io.kamacache.reliability;

import org.junit.jupiter.api.Test;

import javax.cache.Cache;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Ten minutes ({@code kamacache.soak.duration}) of mixed load on three servers, reads through
 * a loader beside writes read back, with no fault: each server's heap after a full
 * collection and its thread count, sampled ten times, end where they were after the warm-up.
 * Only in the {@code soak} profile.
 */
class SoakTest {

    private static final int KEYS = 2000;
    private static final int CALLERS = 2;
    private static final int SAMPLES = 10;
    private static final long HEAP_SLACK = 24L << 20;
    private static final int THREAD_SLACK = 10;

    @Test
    void heapAndThreadsOfTheServersStayFlat() throws Exception {
        Duration duration = Duration.parse(System.getProperty("kamacache.soak.duration", "PT10M"));
        try (Cluster cluster = Cluster.start("soak", 3, Duration.ofSeconds(5), "")) {
            Path loads = cluster.dir().resolve("loads.log");
            Files.deleteIfExists(loads);
            Cache<Integer, String> reads = Workloads.readThroughCache(cluster.client(), "reads", loads);
            Workloads.OwnedWrites writes = Workloads.OwnedWrites.create(cluster.client(), "writes", KEYS, CALLERS);
            LoadGenerator reading = LoadGenerator.start("soak-reads", CALLERS, Workloads.reads(reads, KEYS));
            LoadGenerator writing = LoadGenerator.start("soak-writes", CALLERS, writes.call());

            Duration interval = duration.dividedBy(SAMPLES + 1);
            Thread.sleep(interval.toMillis()); // warm-up: every key loaded, the JIT and the pools settled
            List<long[]> heaps = new ArrayList<>();
            List<int[]> threads = new ArrayList<>();
            for (int sample = 0; sample < SAMPLES; sample++) {
                long[] heap = new long[3];
                int[] count = new int[3];
                for (int i = 0; i < 3; i++) {
                    heap[i] = cluster.heapAfterGc(cluster.servers().get(i));
                    count[i] = cluster.threads(cluster.servers().get(i));
                }
                heaps.add(heap);
                threads.add(count);
                Thread.sleep(interval.toMillis());
            }
            LoadGenerator.Result readResult = reading.stop();
            LoadGenerator.Result writeResult = writing.stop();
            List<String> lost = writes.lost();

            Report report = new Report("soak", "mixed load for " + duration.toMinutes() + " min ("
                    + duration.toSeconds() + " s), no fault", SoakTest.class)
                    .load(readResult.calls() + " reads and " + writeResult.calls() + " writes or read-backs by "
                            + 2 * CALLERS + " callers in " + readResult.held().toSeconds() + " s")
                    .faults("none")
                    .failed(String.valueOf(readResult.failed() + writeResult.failed()))
                    .lost(lost.size() + " of " + KEYS + " keys; " + (readResult.wrong() + writeResult.wrong()) + " wrong answers")
                    .stall(Math.max(readResult.longestCall().toMillis(), writeResult.longestCall().toMillis()) + " ms");
            for (int i = 0; i < 3; i++) {
                int server = i;
                report.note("server " + i + " heap after full GC, MiB, per sample",
                        heaps.stream().map(heap -> Long.toString(heap[server] >> 20)).toList());
                report.note("server " + i + " threads, per sample",
                        threads.stream().map(count -> Integer.toString(count[server])).toList());
            }
            report.write();

            assertThat(readResult.failures()).as("reads that failed").isEmpty();
            assertThat(writeResult.failures()).as("writes and read-backs that failed").isEmpty();
            assertThat(readResult.wrongAnswers()).isEmpty();
            assertThat(writeResult.wrongAnswers()).isEmpty();
            assertThat(lost).isEmpty();
            for (int i = 0; i < 3; i++) {
                assertThat(heaps.get(SAMPLES - 1)[i]).as("server " + i + ": heap after a full GC, last sample against the first")
                        .isLessThan(heaps.get(0)[i] + HEAP_SLACK);
                assertThat(threads.get(SAMPLES - 1)[i]).as("server " + i + ": threads, last sample against the first")
                        .isLessThanOrEqualTo(threads.get(0)[i] + THREAD_SLACK);
            }
        }
    }
}
