package io.kamacache.bench;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.kamacache.config.PolicyKind;
import io.kamacache.store.ByteStore;
import io.kamacache.store.StoreOptions;
import io.kamacache.store.StoredValue;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * Store throughput: {@code get} (every read hits), {@code put} (replacing existing keys)
 * and {@code mixed} (90 % get, 10 % put), over Zipf-distributed keys, for our store under
 * each policy, Caffeine and an unbounded ConcurrentHashMap. Like Caffeine's own
 * GetPutBenchmark, the cache holds the whole population of 2^20 keys, prefilled, so the
 * numbers measure the read and write paths rather than hit ratios. Our store gets byte[]
 * keys (its API); Caffeine and the map get String keys of the same content, with their
 * hash codes cached: their strongest realistic use. Run the thread counts with {@code -t}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class StoreBenchmark {

    static final int POPULATION = 1 << 20;
    static final int MASK = POPULATION - 1;

    @Param({"lru", "2q", "clock", "caffeine", "chm"})
    public String impl;

    private Target target;
    private int[] indices;

    /** One implementation under test, addressed by key index. */
    interface Target {
        Object get(int index);

        void put(int index);
    }

    /** Each thread walks the shared index sequence from its own random start. */
    @State(Scope.Thread)
    public static class Cursor {
        int next;

        @Setup(Level.Iteration)
        public void start() {
            next = ThreadLocalRandom.current().nextInt();
        }
    }

    @Setup(Level.Trial)
    public void setUp() {
        indices = ZipfKeys.generate(POPULATION, POPULATION, 0x5EED);
        byte[] value = new byte[64];
        String[] stringKeys = new String[POPULATION];
        byte[][] byteKeys = new byte[POPULATION][];
        for (int i = 0; i < POPULATION; i++) {
            stringKeys[i] = "key-" + i;
            stringKeys[i].hashCode();
            byteKeys[i] = stringKeys[i].getBytes(StandardCharsets.UTF_8);
        }
        target = switch (impl) {
            case "caffeine" -> {
                Cache<String, byte[]> cache = Caffeine.newBuilder().maximumSize(POPULATION).build();
                yield new Target() {
                    public Object get(int i) {
                        return cache.getIfPresent(stringKeys[i]);
                    }

                    public void put(int i) {
                        cache.put(stringKeys[i], value);
                    }
                };
            }
            case "chm" -> {
                ConcurrentHashMap<String, byte[]> map = new ConcurrentHashMap<>(POPULATION);
                yield new Target() {
                    public Object get(int i) {
                        return map.get(stringKeys[i]);
                    }

                    public void put(int i) {
                        map.put(stringKeys[i], value);
                    }
                };
            }
            default -> {
                ByteStore store = ByteStore.builder(StoreOptions.builder()
                        .policy(PolicyKind.fromName(impl)).maxEntries(POPULATION).build()).build();
                yield new Target() {
                    public Object get(int i) {
                        return store.get(byteKeys[i]);
                    }

                    public void put(int i) {
                        store.put(byteKeys[i], StoredValue.of(value));
                    }
                };
            }
        };
        for (int i = 0; i < POPULATION; i++) {
            target.put(i);
        }
        for (int i = 0; i < POPULATION; i++) {
            if (target.get(i) == null) {
                throw new IllegalStateException(impl + " lost key " + i + " while prefilling");
            }
        }
    }

    @Benchmark
    public Object get(Cursor cursor) {
        return target.get(indices[cursor.next++ & MASK]);
    }

    @Benchmark
    public void put(Cursor cursor) {
        target.put(indices[cursor.next++ & MASK]);
    }

    @Benchmark
    public Object mixed(Cursor cursor) {
        int n = cursor.next++;
        int index = indices[n & MASK];
        if ((n & 0x7fffffff) % 10 == 0) {
            target.put(index);
            return null;
        }
        return target.get(index);
    }
}
