package io.kamacache.reliability;

import io.kamacache.config.CacheSettings;
import io.kamacache.jcache.KamaCacheManager;
import org.junit.jupiter.api.Test;

import javax.cache.Cache;
import javax.cache.configuration.MutableConfiguration;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A write flood through the thin client into a cache bounded by maxBytes: the server holds
 * no more than the bound at any sample, and its heap after a full collection stays where it
 * was once the cache first filled.
 */
class MemoryBoundTest {

    private static final int CALLERS = 4;
    private static final long MAX_BYTES = 16L << 20;
    private static final int VALUE_BYTES = 4096;
    private static final Duration FLOOD = Duration.ofSeconds(20);
    /** What an entry weighs beyond its value: its key, the codec's tag and the store's bookkeeping. */
    private static final int ENTRY_SLACK = 256;
    /** Heap growth that still counts as flat: garbage a full collection cannot reach (class data, buffers). */
    private static final long HEAP_SLACK = 24L << 20;

    @Test
    void aBoundedGroupStaysWithinItsBoundAndTheHeapStaysFlat() throws Exception {
        try (Cluster cluster = Cluster.start("memory-bound", 1, Duration.ofSeconds(5), "")) {
            Cluster.Server server = cluster.servers().get(0);
            KamaCacheManager client = cluster.client().unwrap(KamaCacheManager.class);
            CacheSettings defaults = client.settings("flood");
            // bounds given at creation travel to every server
            Cache<Integer, byte[]> cache = client.createCache("flood", new MutableConfiguration<Integer, byte[]>()
                    .setTypes(Integer.class, byte[].class), defaults.withBounds(defaults.policy(), MAX_BYTES, 0));
            String bounds = cluster.group(server, "flood");
            AtomicInteger nextKey = new AtomicInteger();
            byte[] value = new byte[VALUE_BYTES];
            LoadGenerator.Call write = (caller, random) -> cache.put(nextKey.getAndIncrement(), value);

            LoadGenerator load = LoadGenerator.start("memory-bound", CALLERS, write);
            boolean filled = Cluster.await(() -> (long) nextKey.get() * VALUE_BYTES > 2 * MAX_BYTES, Duration.ofSeconds(120));
            long heapFilled = cluster.heapAfterGc(server);
            long most = 0;
            long deadline = System.nanoTime() + FLOOD.toNanos();
            while (System.nanoTime() < deadline) {
                most = Math.max(most, cluster.groupBytes(server, "flood"));
                Thread.sleep(250);
            }
            LoadGenerator.Result result = load.stop();
            most = Math.max(most, cluster.groupBytes(server, "flood"));
            long heapAfter = cluster.heapAfterGc(server);
            long written = (long) nextKey.get() * VALUE_BYTES;

            new Report("memory-bound", "write flood into a group of maxBytes " + (MAX_BYTES >> 20) + " MiB", MemoryBoundTest.class)
                    .result(result)
                    .faults("none: " + nextKey.get() + " puts of " + VALUE_BYTES + " B values (" + (written >> 20)
                            + " MiB, " + written / MAX_BYTES + " times the bound) into one server of -Xmx256m")
                    .lost("evicted by design")
                    .note("the group at the server before the flood", bounds)
                    .note("most bytes the group held at a sample (every 250 ms)", most + " of " + MAX_BYTES)
                    .note("server heap after a full GC once the cache had filled", (heapFilled >> 20) + " MiB")
                    .note("server heap after a full GC at the end", (heapAfter >> 20) + " MiB")
                    .note("summary", result.summary())
                    .write();

            assertThat(filled).as("the flood wrote twice the bound within two minutes").isTrue();
            assertThat(result.failures()).as("calls that failed").isEmpty();
            assertThat(result.hung()).isZero();
            // a write adds its entry, then evicts down to the bound: a sample may catch the
            // entries of the writes in flight, one per caller at most
            assertThat(most).as("bytes held, at every sample").isPositive()
                    .isLessThanOrEqualTo(MAX_BYTES + CALLERS * (VALUE_BYTES + ENTRY_SLACK));
            assertThat(written).as("the flood overflowed the bound many times").isGreaterThan(4 * MAX_BYTES);
            assertThat(heapAfter).as("heap after a full GC, against its level once the cache had filled")
                    .isLessThan(heapFilled + HEAP_SLACK);
        }
    }
}
