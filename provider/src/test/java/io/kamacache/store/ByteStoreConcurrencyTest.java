package io.kamacache.store;

import io.kamacache.config.PolicyKind;
import io.kamacache.eviction.Capacity;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

class ByteStoreConcurrencyTest {

    private static final int THREADS = 4;

    private static byte[] key(int i) {
        return ("key-" + i).getBytes();
    }

    private static void runConcurrently(int threads, ThrowingTask task) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<?>> futures = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int id = t;
                futures.add(pool.submit(() -> {
                    task.run(id);
                    return null;
                }));
            }
            for (Future<?> f : futures) {
                f.get(60, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
    }

    interface ThrowingTask {
        void run(int threadId) throws Exception;
    }

    /** The sum of weights of the live entries, computed from scratch. */
    private static long scannedWeight(ByteStore store, long[] entries) {
        long[] weight = {0};
        store.forEach((k, v) -> {
            weight[0] += ByteStore.weightOf(k, v.value());
            entries[0]++;
        });
        return weight[0];
    }

    @ParameterizedTest
    @EnumSource(PolicyKind.class)
    void weightAccountingStaysExactUnderConcurrentWrites(PolicyKind kind) throws Exception {
        long maxBytes = 200 * (ByteStore.ENTRY_OVERHEAD + 64);
        AtomicLong evicted = new AtomicLong();
        ByteStore store = ByteStore.builder(StoreOptions.builder().policy(kind).maxBytes(maxBytes).build())
                .removalListener((k, v, cause) -> evicted.incrementAndGet())
                .build();
        runConcurrently(THREADS, id -> {
            SplittableRandom random = new SplittableRandom(42 + id);
            for (int i = 0; i < 100_000; i++) {
                byte[] key = key(random.nextInt(1_000));
                int op = random.nextInt(10);
                if (op < 4) {
                    store.put(key, StoredValue.of(new byte[random.nextInt(128)]));
                } else if (op < 6) {
                    store.compute(key, v -> v == null ? null : StoredValue.of(new byte[random.nextInt(128)]));
                } else if (op < 7) {
                    store.remove(key);
                } else {
                    store.get(key);
                }
            }
        });
        long[] entries = {0};
        assertThat(store.weightedSize()).isEqualTo(scannedWeight(store, entries));
        assertThat(store.size()).isEqualTo(entries[0]);
        assertThat(store.weightedSize()).isLessThanOrEqualTo(maxBytes);
        assertThat(evicted.get()).as("the bound was reached, so entries were evicted").isPositive();

        // Every entry the policy tracks must still be evictable: shrink to nothing by flooding.
        store.clear();
        assertThat(store.size()).isZero();
        assertThat(store.weightedSize()).isZero();
        for (int i = 0; i < 2_000; i++) {
            store.put(key(1_000_000 + i), StoredValue.of(new byte[64]));
        }
        entries[0] = 0;
        assertThat(store.weightedSize()).isEqualTo(scannedWeight(store, entries)).isLessThanOrEqualTo(maxBytes);
        assertThat(store.size()).isEqualTo(entries[0]);
    }

    @ParameterizedTest
    @EnumSource(PolicyKind.class)
    void computeIsAtomicPerKey(PolicyKind kind) throws Exception {
        ByteStore store = ByteStore.builder(StoreOptions.builder().policy(kind).maxEntries(1_000).build()).build();
        byte[] counter = key(7);
        int perThread = 20_000;
        runConcurrently(THREADS, id -> {
            for (int i = 0; i < perThread; i++) {
                store.compute(counter, v -> {
                    long n = v == null ? 0 : ByteBuffer.wrap(v.value()).getLong();
                    return StoredValue.of(ByteBuffer.allocate(8).putLong(n + 1).array());
                });
            }
        });
        assertThat(ByteBuffer.wrap(store.get(counter).value()).getLong()).isEqualTo((long) THREADS * perThread);
    }

    /** A counter's value, its weight changing with it: 8 bytes of count and 0 to 4 of padding. */
    private static StoredValue counted(StoredValue current) {
        long n = current == null ? 1 : ByteBuffer.wrap(current.value()).getLong() + 1;
        return StoredValue.of(ByteBuffer.allocate(8 + (int) (n % 5)).putLong(n).array());
    }

    @Test
    void writesInPlaceAndWritesThroughTheMapLoseNoUpdate() throws Exception {
        ByteStore store = ByteStore.builder(StoreOptions.builder().build()).build(); // unbounded: writes in place
        int keys = 16;
        int perThread = 50_000;
        AtomicLong removedCounts = new AtomicLong();
        runConcurrently(THREADS, id -> {
            SplittableRandom random = new SplittableRandom(11 + id);
            for (int i = 0; i < perThread; i++) {
                byte[] key = key(random.nextInt(keys));
                if (id == THREADS - 1 && i % 100 == 0) { // now and then takes a counter out
                    StoredValue removed = store.remove(key);
                    if (removed != null) {
                        removedCounts.addAndGet(ByteBuffer.wrap(removed.value()).getLong());
                    }
                }
                if (id % 2 == 0) {
                    store.compute(key, (ByteStore.Replacement) ByteStoreConcurrencyTest::counted);
                } else {
                    store.compute(key, ByteStoreConcurrencyTest::counted);
                }
            }
        });
        long held = 0;
        for (int k = 0; k < keys; k++) {
            StoredValue value = store.get(key(k));
            held += value == null ? 0 : ByteBuffer.wrap(value.value()).getLong();
        }
        assertThat(held + removedCounts.get()).as("every increment, held or taken out").isEqualTo((long) THREADS * perThread);
        long[] entries = {0};
        assertThat(store.weightedSize()).isEqualTo(scannedWeight(store, entries));
        assertThat(store.size()).isEqualTo(entries[0]);
    }

    @Test
    void readersAndWritersLoseNothingWhilePoliciesAndBoundsChange() throws Exception {
        int keysPerWriter = 500;
        int writers = 2;
        int keyCount = keysPerWriter * writers;
        AtomicLong removedByStore = new AtomicLong();
        ByteStore store = ByteStore.builder(StoreOptions.builder().maxEntries(keyCount).build())
                .removalListener((k, v, cause) -> removedByStore.incrementAndGet())
                .build();
        // Bounds that hold every key, so any entry missing afterwards was lost, not evicted.
        List<Capacity> roomy = List.of(new Capacity(0, keyCount), Capacity.UNBOUNDED,
                new Capacity((long) keyCount * (ByteStore.ENTRY_OVERHEAD + 64), 0), new Capacity(0, 2L * keyCount));
        PolicyKind[] kinds = PolicyKind.values();
        byte[][][] written = new byte[writers][keysPerWriter][];
        runConcurrently(THREADS, id -> {
            SplittableRandom random = new SplittableRandom(7 + id);
            if (id == 0) { // switches policy and bound 2 000 times
                for (int i = 0; i < 2_000; i++) {
                    store.reconfigure(kinds[i % kinds.length], roomy.get(random.nextInt(roomy.size())));
                }
            } else if (id <= writers) { // each writer its own keys, remembering their last value
                byte[][] mine = written[id - 1];
                for (int i = 0; i < 100_000; i++) {
                    int k = random.nextInt(keysPerWriter);
                    byte[] key = key((id - 1) * keysPerWriter + k);
                    if (random.nextInt(5) == 0) {
                        store.remove(key);
                        mine[k] = null;
                    } else {
                        byte[] value = new byte[1 + random.nextInt(63)];
                        random.nextBytes(value);
                        store.put(key, StoredValue.of(value));
                        mine[k] = value;
                    }
                }
            } else {
                for (int i = 0; i < 200_000; i++) {
                    store.get(key(random.nextInt(keyCount)));
                }
            }
        });
        assertThat(removedByStore.get()).as("nothing evicted within the bounds").isZero();
        long expected = 0;
        for (int w = 0; w < writers; w++) {
            for (int k = 0; k < keysPerWriter; k++) {
                StoredValue value = store.get(key(w * keysPerWriter + k));
                byte[] last = written[w][k];
                assertThat(value == null ? null : value.value()).as("key %d of writer %d", k, w).isEqualTo(last);
                expected += last == null ? 0 : 1;
            }
        }
        long[] entries = {0};
        assertThat(store.weightedSize()).isEqualTo(scannedWeight(store, entries));
        assertThat(store.size()).isEqualTo(entries[0]).isEqualTo(expected);

        // Every entry is tracked by the policy in place: a bound of 100 evicts all others.
        store.reconfigure(PolicyKind.LRU, new Capacity(0, 100));
        entries[0] = 0;
        assertThat(store.weightedSize()).isEqualTo(scannedWeight(store, entries));
        assertThat(store.size()).isEqualTo(entries[0]).isEqualTo(100);
        assertThat(removedByStore.get()).isEqualTo(expected - 100);
    }
}
