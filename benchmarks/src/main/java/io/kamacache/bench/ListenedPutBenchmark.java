package io.kamacache.bench;

import io.kamacache.Node;
import io.kamacache.codec.Codec;
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
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import javax.cache.Cache;
import javax.cache.CacheManager;
import javax.cache.configuration.FactoryBuilder;
import javax.cache.configuration.MutableCacheEntryListenerConfiguration;
import javax.cache.configuration.MutableConfiguration;
import javax.cache.event.CacheEntryCreatedListener;
import javax.cache.event.CacheEntryEvent;
import javax.cache.event.CacheEntryUpdatedListener;
import javax.cache.spi.CachingProvider;
import java.io.IOException;
import java.io.Serializable;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A JCache put on node A of a key that node B owns, while a listener on A hears it
 * ({@code listener=sync} or {@code async}), one on B, the owner, does
 * ({@code sync-at-owner}, {@code async-at-owner}), or no one listens ({@code none}): what
 * listening costs the caller. The put runs at B, which sends the event to A on A's event
 * stream from it; a call from A returns once A's synchronous listeners have it, and does not
 * wait for B's.
 */
@State(Scope.Benchmark)
@BenchmarkMode({Mode.SampleTime, Mode.Throughput})
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class ListenedPutBenchmark {

    static final int KEYS = 256;

    @Param({"none", "async", "sync", "async-at-owner", "sync-at-owner"})
    public String listener;

    private final List<CacheManager> managers = new ArrayList<>();
    private Cache<String, String> cache;
    private String[] keys;

    @State(Scope.Thread)
    public static class Cursor {
        int next;
    }

    @Setup(Level.Trial)
    public void setUp() throws IOException {
        String a = ClusterGetBenchmark.freeAddress();
        String b = ClusterGetBenchmark.freeAddress();
        ClassLoader loader = getClass().getClassLoader();
        CachingProvider provider = KamacacheTarget.provider(loader);
        for (String address : List.of(a, b)) {
            Path config = Files.createTempFile("kamacache-node", ".yaml");
            config.toFile().deleteOnExit();
            Files.writeString(config, "node:\n  address: " + address + "\ncluster:\n  peers: [" + a + ", " + b + "]\n"
                    + "serialization:\n  allow:\n    - io.kamacache.bench.**\n");
            managers.add(provider.getCacheManager(config.toUri(), loader));
        }
        cache = managers.get(0).createCache("listened",
                new MutableConfiguration<String, String>().setTypes(String.class, String.class));
        Node node = managers.get(0).unwrap(Node.class);
        Codec codec = Codec.create(List.of(), null);
        List<String> owned = new ArrayList<>();
        for (int i = 0; owned.size() < KEYS; i++) {
            String key = "key-" + i;
            if (node.ring().ownerOf(codec.encode(key)).equals(b)) {
                owned.add(key);
                cache.put(key, "value");
            }
        }
        keys = owned.toArray(String[]::new);
        if (!listener.equals("none")) {
            CacheManager at = managers.get(listener.endsWith("-at-owner") ? 1 : 0);
            at.getCache("listened", String.class, String.class).registerCacheEntryListener(
                    new MutableCacheEntryListenerConfiguration<>(FactoryBuilder.factoryOf(Quiet.class), null, false,
                            listener.startsWith("sync")));
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        managers.forEach(CacheManager::close);
    }

    @Benchmark
    public void put(Cursor cursor) {
        cache.put(keys[cursor.next++ & (KEYS - 1)], "value");
    }

    /** Hears every creation and update, and does nothing with them. */
    public static final class Quiet implements CacheEntryCreatedListener<String, String>,
            CacheEntryUpdatedListener<String, String>, Serializable {
        @Override
        public void onCreated(Iterable<CacheEntryEvent<? extends String, ? extends String>> events) {
            events.forEach(event -> { });
        }

        @Override
        public void onUpdated(Iterable<CacheEntryEvent<? extends String, ? extends String>> events) {
            events.forEach(event -> { });
        }
    }
}
