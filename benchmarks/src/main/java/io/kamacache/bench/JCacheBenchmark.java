package io.kamacache.bench;

import com.hazelcast.cache.HazelcastCachingProvider;
import com.hazelcast.config.Config;
import com.hazelcast.config.JoinConfig;
import com.hazelcast.config.NetworkConfig;
import com.hazelcast.core.Hazelcast;
import com.hazelcast.core.HazelcastInstance;
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
import javax.cache.Caching;
import javax.cache.configuration.MutableConfiguration;
import javax.cache.spi.CachingProvider;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Properties;
import java.util.SplittableRandom;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * Throughput of the standard JCache (JSR-107) API, {@code javax.cache.Cache}, for our
 * provider and its peers in one run: Caffeine's JCache adapter, Ehcache 3, a Hazelcast 5
 * member running alone on loopback, and the JSR-107 reference implementation. Every
 * provider gets the same cache, {@code new MutableConfiguration<>()}: store-by-value (the
 * JCache default: values are copied on put and get, though a provider may hand out
 * immutable ones such as Strings as they are), no expiry, no statistics, no listeners, no
 * read- or write-through.
 *
 * <p>The cache holds {@value #KEYS} String keys, prefilled, so every {@code get} hits and
 * every {@code put} replaces an existing entry; {@code mixed} is 90 % get, 10 % put. The
 * population stays under Hazelcast's default bound of 10,000 entries per member (a
 * {@code MutableConfiguration} carries no bound, Hazelcast applies its own), checked
 * after prefilling and again at the end of the trial. Values are short Strings
 * ({@code values=string}) or 1 KiB byte arrays ({@code values=bytes1k}). Each thread
 * walks the key array from its own random offset. Run the thread counts with {@code -t}.
 *
 * <p>Providers are looked up by class name, never with the no-argument
 * {@code Caching.getCachingProvider()}, since all of them share the class path.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(value = 1, jvmArgsAppend = {
        // a fixed heap, touched at start: every provider allocates per operation, and a growing
        // heap, or one whose pages are first touched while measured, adds noise
        "-Xms2g", "-Xmx2g", "-XX:+AlwaysPreTouch",
        // what Hazelcast asks for on Java 9+ (it warns without them); harmless to the others
        "--add-modules", "java.se",
        "--add-exports", "java.base/jdk.internal.ref=ALL-UNNAMED",
        "--add-opens", "java.base/java.lang=ALL-UNNAMED",
        "--add-opens", "java.base/sun.nio.ch=ALL-UNNAMED",
        "--add-opens", "java.management/sun.management=ALL-UNNAMED",
        "--add-opens", "jdk.management/com.sun.management.internal=ALL-UNNAMED"})
@Warmup(iterations = 4, time = 2)
@Measurement(iterations = 5, time = 2)
public class JCacheBenchmark {

    static final int KEYS = 1 << 13;
    static final int MASK = KEYS - 1;
    static final String CACHE_NAME = "bench";

    @Param({"kamacache", "caffeine", "ehcache", "hazelcast", "ri"})
    public String provider;

    @Param({"string", "bytes1k"})
    public String values;

    private String[] keys;
    private Object[] entries;
    private CachingProvider cachingProvider;
    private CacheManager cacheManager;
    private Cache<String, Object> cache;
    private HazelcastMember hazelcast;

    /** Each thread walks the key array from its own random start. */
    @State(Scope.Thread)
    public static class Cursor {
        int next;

        @Setup(Level.Iteration)
        public void start() {
            next = ThreadLocalRandom.current().nextInt();
        }
    }

    /** The provider class behind each {@code provider} parameter value. */
    static String providerClassName(String provider) {
        return switch (provider) {
            case "kamacache" -> "io.kamacache.jcache.spi.KamaCachingProvider";
            case "caffeine" -> "com.github.benmanes.caffeine.jcache.spi.CaffeineCachingProvider";
            case "ehcache" -> "org.ehcache.jsr107.EhcacheCachingProvider";
            case "hazelcast" -> "com.hazelcast.cache.HazelcastMemberCachingProvider";
            case "ri" -> "org.jsr107.ri.spi.RICachingProvider";
            default -> throw new IllegalArgumentException("unknown provider '" + provider
                    + "'; expected kamacache, caffeine, ehcache, hazelcast or ri");
        };
    }

    @Setup(Level.Trial)
    public void setUp() {
        keys = new String[KEYS];
        entries = new Object[KEYS];
        SplittableRandom random = new SplittableRandom(0x5EED);
        for (int i = 0; i < KEYS; i++) {
            keys[i] = "key-" + i;
            keys[i].hashCode();
            entries[i] = switch (values) {
                case "string" -> "value-" + i;
                case "bytes1k" -> {
                    byte[] bytes = new byte[1024];
                    random.nextBytes(bytes);
                    yield bytes;
                }
                default -> throw new IllegalArgumentException("unknown values '" + values
                        + "'; expected string or bytes1k");
            };
        }
        // JMH runs no @TearDown after a failed @Setup: release what was started (a Hazelcast
        // member keeps the fork alive) before reporting the failure
        try {
            ClassLoader loader = JCacheBenchmark.class.getClassLoader();
            if (provider.equals("hazelcast")) {
                hazelcast = new HazelcastMember(); // first, so its logging settings precede any Hazelcast class
            }
            cachingProvider = cachingProvider(provider, loader);
            cacheManager = hazelcast == null
                    ? cachingProvider.getCacheManager(cachingProvider.getDefaultURI(), loader)
                    : cachingProvider.getCacheManager(cachingProvider.getDefaultURI(), loader,
                            hazelcast.providerProperties());
            cache = cacheManager.createCache(CACHE_NAME, new MutableConfiguration<String, Object>());
            for (int i = 0; i < KEYS; i++) {
                cache.put(keys[i], entries[i]);
            }
            checkAllPresent("after prefilling");
        } catch (RuntimeException | Error e) {
            try {
                close();
            } catch (RuntimeException | Error suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
    }

    /** The provider behind a {@code provider} parameter value. */
    static CachingProvider cachingProvider(String provider, ClassLoader loader) {
        return Caching.getCachingProvider(providerClassName(provider), loader);
    }

    /** Fails the trial if the cache lost an entry or returned a wrong value. */
    private void checkAllPresent(String when) {
        List<Integer> lost = new ArrayList<>();
        for (int i = 0; i < KEYS; i++) {
            Object value = cache.get(keys[i]);
            if (value == null) {
                lost.add(i);
            } else if (!(value instanceof byte[] bytes ? Arrays.equals(bytes, (byte[]) entries[i])
                    : value.equals(entries[i]))) {
                throw new IllegalStateException(provider + " returned a wrong value for key " + keys[i] + " " + when);
            }
        }
        if (!lost.isEmpty()) {
            throw new IllegalStateException(provider + " lost " + lost.size() + " of " + KEYS + " keys " + when
                    + " (first: " + keys[lost.get(0)] + "), so not every get hits");
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        try {
            checkAllPresent("by the end of the trial");
        } finally {
            close();
        }
    }

    /** Closes the cache manager and the provider, and stops the Hazelcast member if any. */
    private void close() {
        try {
            if (cacheManager != null) {
                if (cache != null) {
                    cacheManager.destroyCache(CACHE_NAME);
                }
                cacheManager.close();
            }
            if (cachingProvider != null) {
                cachingProvider.close();
            }
        } finally {
            cache = null;
            cacheManager = null;
            cachingProvider = null;
            if (hazelcast != null) {
                hazelcast.shutdown();
                hazelcast = null;
            }
        }
    }

    @Benchmark
    public Object get(Cursor cursor) {
        return cache.get(keys[cursor.next++ & MASK]);
    }

    @Benchmark
    public void put(Cursor cursor) {
        int i = cursor.next++ & MASK;
        cache.put(keys[i], entries[i]);
    }

    @Benchmark
    public Object mixed(Cursor cursor) {
        int n = cursor.next++;
        int i = n & MASK;
        if ((n & 0x7fffffff) % 10 == 0) {
            cache.put(keys[i], entries[i]);
            return null;
        }
        return cache.get(keys[i]);
    }

    /**
     * A Hazelcast member of its own cluster: bound to 127.0.0.1, no discovery of any kind
     * (multicast, TCP/IP members, cloud auto-detection), no phone-home, logging through
     * SLF4J at warning level. The caching provider is handed the instance itself, the
     * documented {@code HazelcastCachingProvider.propertiesByInstanceItself}; the provider
     * does not own it, so {@link #shutdown()} stops it and the fork can exit. Kept in its own
     * class so that no other provider's fork loads Hazelcast.
     */
    static final class HazelcastMember {
        private final HazelcastInstance instance;

        HazelcastMember() {
            System.setProperty("hazelcast.logging.type", "slf4j");
            Config config = new Config();
            config.setClusterName("kamacache-bench-" + ProcessHandle.current().pid());
            config.setProperty("hazelcast.phone.home.enabled", "false");
            config.setProperty("hazelcast.logging.type", "slf4j");
            config.setProperty("hazelcast.socket.bind.any", "false");
            NetworkConfig network = config.getNetworkConfig();
            network.getInterfaces().setEnabled(true).addInterface("127.0.0.1");
            JoinConfig join = network.getJoin();
            join.getMulticastConfig().setEnabled(false);
            join.getTcpIpConfig().setEnabled(false);
            join.getAutoDetectionConfig().setEnabled(false);
            instance = Hazelcast.newHazelcastInstance(config);
        }

        Properties providerProperties() {
            return HazelcastCachingProvider.propertiesByInstanceItself(instance);
        }

        void shutdown() {
            instance.shutdown();
        }
    }
}
