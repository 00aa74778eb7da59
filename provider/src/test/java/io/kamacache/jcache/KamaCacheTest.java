package io.kamacache.jcache;

import io.kamacache.Group;
import io.kamacache.GroupStats;
import io.kamacache.codec.CodecException;
import io.kamacache.config.ConfigException;
import io.kamacache.config.KamaConfig;
import io.kamacache.jcache.spi.KamaCachingProvider;
import io.kamacache.testing.ManualClock;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import javax.cache.Cache;
import javax.cache.CacheManager;
import javax.cache.Caching;
import javax.cache.configuration.CompleteConfiguration;
import javax.cache.configuration.FactoryBuilder;
import javax.cache.configuration.MutableCacheEntryListenerConfiguration;
import javax.cache.configuration.MutableConfiguration;
import javax.cache.configuration.OptionalFeature;
import javax.cache.event.CacheEntryCreatedListener;
import javax.cache.event.CacheEntryEvent;
import javax.cache.event.CacheEntryExpiredListener;
import javax.cache.expiry.AccessedExpiryPolicy;
import javax.cache.expiry.CreatedExpiryPolicy;
import javax.cache.expiry.Duration;
import javax.cache.integration.CacheLoader;
import javax.cache.integration.CacheLoaderException;
import javax.cache.integration.CacheWriter;
import javax.cache.spi.CachingProvider;
import javax.management.MBeanServer;
import javax.management.ObjectName;
import java.io.Closeable;
import java.io.IOException;
import java.io.OutputStream;
import java.io.Serializable;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collection;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class KamaCacheTest {

    private final ManualClock clock = new ManualClock();
    private CacheManager manager;

    @AfterEach
    void close() {
        if (manager != null) {
            manager.close();
        }
    }

    private CacheManager managerWithClock(String uri, KamaConfig config) {
        manager = new KamaCacheManager(null, URI.create(uri), getClass().getClassLoader(), new Properties(), config,
                clock);
        return manager;
    }

    @Test
    void theServiceEntryFindsThisProviderAndItRefusesStoreByReference() {
        CachingProvider provider = Caching.getCachingProvider();
        assertThat(provider).isInstanceOf(KamaCachingProvider.class);
        assertThat(provider.isSupported(OptionalFeature.STORE_BY_REFERENCE)).isFalse();
        manager = provider.getCacheManager();
        assertThat(manager.getURI()).isEqualTo(provider.getDefaultURI());
        assertThat(provider.getCacheManager()).isSameAs(manager);
    }

    @Test
    void anUnsupportedUriIsRefusedWithTheFormsThatWork() {
        CachingProvider provider = Caching.getCachingProvider();
        assertThatThrownBy(() -> provider.getCacheManager(URI.create("http://example.com/x"), null))
                .hasMessageContaining("http://example.com/x")
                .hasMessageContaining("classpath:");
    }

    @Test
    void aManagerReadsAFileInsideAnArchiveAsSpringNamesAClassPathResourceOfAPackagedApplication(@TempDir Path dir)
            throws IOException {
        Path archive = dir.resolve("app.jar");
        try (OutputStream out = Files.newOutputStream(archive); JarOutputStream jar = new JarOutputStream(out)) {
            jar.putNextEntry(new JarEntry("BOOT-INF/classes/caches.yaml"));
            jar.write("caches:\n  scores:\n    keyType: java.lang.String\n    valueType: java.lang.Long\n"
                    .getBytes(StandardCharsets.UTF_8));
        }
        URI uri = URI.create("jar:" + archive.toUri() + "!/BOOT-INF/classes/caches.yaml");

        manager = Caching.getCachingProvider().getCacheManager(uri, getClass().getClassLoader());
        assertThat(manager.getURI()).isEqualTo(uri);
        assertThat(manager.getCache("scores", String.class, Long.class)).isNotNull();
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "bad.yaml | 3: caches.users.policy: unknown eviction policy 'lfu'; valid policies are: lru, 2q, clock",
            "missing-type.yaml | 4: caches.orders.valueType: no class com.example.NotOnTheClassPath on the cache manager's class path",
            "not-a-loader.yaml | 3: caches.names.loader: java.lang.String is not a javax.cache.integration.CacheLoader",
    })
    void aBadConfigurationFileIsRefusedWithItsLineAndKey(String file, String lineKeyAndProblem) {
        CachingProvider provider = Caching.getCachingProvider();
        assertThatThrownBy(() -> provider.getCacheManager(URI.create("classpath:jcache/" + file), null))
                .isInstanceOf(ConfigException.class)
                .hasMessage("classpath:jcache/" + file + ":" + lineKeyAndProblem);
    }

    @Test
    void createdExpiryFollowsTheClock() {
        Cache<String, String> cache = managerWithClock("kamacache:expiry", KamaConfig.defaults()).createCache("c",
                new MutableConfiguration<String, String>().setTypes(String.class, String.class)
                        .setExpiryPolicyFactory(CreatedExpiryPolicy.factoryOf(new Duration(TimeUnit.MINUTES, 1))));
        List<String> expired = new CopyOnWriteArrayList<>();
        cache.registerCacheEntryListener(new MutableCacheEntryListenerConfiguration<>(
                FactoryBuilder.factoryOf(new ExpiryRecorder(expired)), null, true, true));

        cache.put("k", "v");
        clock.advance(java.time.Duration.ofSeconds(59));
        assertThat(cache.get("k")).isEqualTo("v");
        clock.advance(java.time.Duration.ofSeconds(1));
        assertThat(cache.get("k")).isNull();
        assertThat(cache.containsKey("k")).isFalse();
        assertThat(expired).containsExactly("k=v");
    }

    @Test
    void accessedExpiryIsExtendedByReads() {
        Cache<String, String> cache = managerWithClock("kamacache:access", KamaConfig.defaults()).createCache("c",
                new MutableConfiguration<String, String>().setTypes(String.class, String.class)
                        .setExpiryPolicyFactory(AccessedExpiryPolicy.factoryOf(new Duration(TimeUnit.SECONDS, 10))));
        cache.put("k", "v");
        for (int i = 0; i < 5; i++) {
            clock.advance(java.time.Duration.ofSeconds(9));
            assertThat(cache.get("k")).as("read %d", i).isEqualTo("v");
        }
        clock.advance(java.time.Duration.ofSeconds(10));
        assertThat(cache.get("k")).isNull();
    }

    @Test
    void aConfigurationFileShapesTheCachesItNames() {
        KamaConfig config = KamaConfig.load(URI.create("classpath:jcache/caches.yaml"), getClass().getClassLoader());
        CacheManager caches = managerWithClock("classpath:jcache/caches.yaml", config);

        Cache<String, String> small = caches.getCache("small");
        assertThat(small).isNotNull();
        Group group = small.unwrap(Group.class);
        assertThat(group.options().capacity().maxEntries()).isEqualTo(10);
        for (int i = 0; i < 25; i++) {
            small.put("k" + i, "v" + i);
        }
        assertThat(group.stats().entries()).isEqualTo(10);
        assertThat(group.stats().evictions()).isEqualTo(15);
        assertThat(small.unwrap(KamaCache.class).statistics().getCacheEvictions()).isEqualTo(15);

        Cache<String, String> sessions = caches.getCache("sessions");
        sessions.put("s", "1");
        clock.advance(java.time.Duration.ofSeconds(8));
        assertThat(sessions.get("s")).isEqualTo("1"); // access: now expires 10 s from here
        clock.advance(java.time.Duration.ofSeconds(9));
        assertThat(sessions.get("s")).isEqualTo("1");
        clock.advance(java.time.Duration.ofSeconds(11));
        assertThat(sessions.get("s")).isNull();

        assertThat(caches.getCache("not-in-the-file")).isNull();
    }

    @Test
    @SuppressWarnings({"unchecked", "rawtypes"})
    void aCacheTheFileNamesWithTypesIsFoundByThemAndChecksThem() {
        KamaConfig config = KamaConfig.load(URI.create("classpath:jcache/caches.yaml"), getClass().getClassLoader());
        CacheManager caches = managerWithClock("classpath:jcache/caches.yaml", config);

        Cache<String, Long> scores = caches.getCache("scores", String.class, Long.class);
        assertThat(scores).isNotNull();
        scores.put("tom", 630L);
        assertThat(scores.get("tom")).isEqualTo(630L);
        assertThatThrownBy(() -> ((Cache) scores).put("sam", "567"))
                .isInstanceOf(ClassCastException.class).hasMessageContaining("java.lang.Long");
        assertThatThrownBy(() -> caches.getCache("scores", String.class, String.class))
                .isInstanceOf(ClassCastException.class).hasMessageContaining("java.lang.String -> java.lang.Long");
        assertThat(caches.getCache("small").getConfiguration(CompleteConfiguration.class).getValueType())
                .as("a cache that names no types").isSameAs(Object.class);
        assertThatThrownBy(() -> caches.getCache("small", String.class, String.class))
                .isInstanceOf(ClassCastException.class)
                .hasMessage("cache 'small' holds java.lang.Object -> java.lang.Object, not java.lang.String -> "
                        + "java.lang.String; classpath:jcache/caches.yaml can give it types: caches.small.keyType and "
                        + ".valueType");
    }

    @Test
    void aCacheTheFileNamesWithALoaderAndAWriterReadsAndWritesThroughThem() {
        KamaConfig config = KamaConfig.load(URI.create("classpath:jcache/caches.yaml"), getClass().getClassLoader());
        Cache<Integer, String> names = managerWithClock("classpath:jcache/caches.yaml", config)
                .getCache("names", Integer.class, String.class);

        assertThat(names.get(7)).isEqualTo("name 7");
        names.put(8, "eight");
        assertThat(NameWriter.WRITTEN).containsExactly("8=eight");
        CompleteConfiguration<?, ?> configuration = names.getConfiguration(CompleteConfiguration.class);
        assertThat(configuration.isReadThrough()).isTrue();
        assertThat(configuration.isWriteThrough()).isTrue();
    }

    public static final class NameLoader implements CacheLoader<Integer, String> {
        @Override
        public String load(Integer key) {
            return "name " + key;
        }

        @Override
        public Map<Integer, String> loadAll(Iterable<? extends Integer> keys) {
            Map<Integer, String> loaded = new HashMap<>();
            keys.forEach(key -> loaded.put(key, load(key)));
            return loaded;
        }
    }

    public static final class NameWriter implements CacheWriter<Integer, String> {
        static final List<String> WRITTEN = new CopyOnWriteArrayList<>();

        @Override
        public void write(Cache.Entry<? extends Integer, ? extends String> entry) {
            WRITTEN.add(entry.getKey() + "=" + entry.getValue());
        }

        @Override
        public void writeAll(Collection<Cache.Entry<? extends Integer, ? extends String>> entries) {
            entries.forEach(this::write);
        }

        @Override
        public void delete(Object key) {
        }

        @Override
        public void deleteAll(Collection<?> keys) {
        }
    }

    @ParameterizedTest
    @CsvSource({"notes, notes", "notes, copies"})
    void aSynchronousListenerThatWritesToACacheDoesNotHangTheCallItHears(String heard, String written)
            throws Exception {
        manager = Caching.getCachingProvider().getCacheManager(URI.create("kamacache:reentrant"),
                getClass().getClassLoader());
        MutableConfiguration<String, String> configuration = new MutableConfiguration<String, String>()
                .setTypes(String.class, String.class);
        Map<String, Cache<String, String>> caches = new HashMap<>();
        for (String name : List.of(heard, written)) {
            caches.computeIfAbsent(name, n -> manager.createCache(n, configuration));
        }
        Copying.heard = new CountDownLatch(3);
        // Each cache's listener copies what it hears into the other one: "a", "copy-a", "copy-copy-a".
        caches.get(heard).registerCacheEntryListener(new MutableCacheEntryListenerConfiguration<>(
                FactoryBuilder.factoryOf(new Copying(written)), null, false, true));
        if (!written.equals(heard)) {
            caches.get(written).registerCacheEntryListener(new MutableCacheEntryListenerConfiguration<>(
                    FactoryBuilder.factoryOf(new Copying(heard)), null, false, true));
        }

        ExecutorService caller = Executors.newSingleThreadExecutor();
        try {
            caller.submit(() -> caches.get(heard).put("a", "1")).get(30, TimeUnit.SECONDS);
        } finally {
            caller.shutdownNow();
        }

        assertThat(caches.get(written).get("copy-a")).as("the listener's own write is done when the call returns")
                .isEqualTo("1");
        assertThat(Copying.heard.await(30, TimeUnit.SECONDS)).as("the listeners hear the copies too").isTrue();
        assertThat(caches.get(heard).get("copy-copy-a")).isEqualTo("1");
    }

    /** Writes what it hears, under "copy-" and its key, into the cache {@code target}, twice over at most. */
    static final class Copying implements CacheEntryCreatedListener<String, String>, Serializable {
        static volatile CountDownLatch heard;
        private final String target;

        Copying(String target) {
            this.target = target;
        }

        @Override
        public void onCreated(Iterable<CacheEntryEvent<? extends String, ? extends String>> events) {
            for (CacheEntryEvent<? extends String, ? extends String> event : events) {
                heard.countDown();
                if (!event.getKey().startsWith("copy-copy-")) {
                    event.getSource().getCacheManager().getCache(target, String.class, String.class)
                            .put("copy-" + event.getKey(), event.getValue());
                }
            }
        }
    }

    @Test
    void aLoaderThatReadsTheKeyItLoadsFailsTheReadInsteadOfWaitingForItself() throws Exception {
        manager = Caching.getCachingProvider().getCacheManager(URI.create("kamacache:self-loading"),
                getClass().getClassLoader());
        SelfReading.cache = manager.createCache("self", new MutableConfiguration<String, String>()
                .setTypes(String.class, String.class).setReadThrough(true)
                .setCacheLoaderFactory(FactoryBuilder.factoryOf(SelfReading.class)));
        ExecutorService caller = Executors.newSingleThreadExecutor();
        try {
            Future<String> read = caller.submit(() -> SelfReading.cache.get("a"));
            assertThatThrownBy(() -> read.get(30, TimeUnit.SECONDS)).cause()
                    .isInstanceOf(CacheLoaderException.class)
                    .hasMessageContaining("cache 'self'").hasMessageContaining("key a");
            SelfReading.cache.put("b", "b!");
            assertThat(caller.submit(() -> SelfReading.cache.get("copy-of-b")).get(30, TimeUnit.SECONDS))
                    .as("a loader may read other keys").isEqualTo("b!");
        } finally {
            caller.shutdownNow();
        }
    }

    /** Loads a key from the cache itself: "copy-of-" another key from that key, any other from itself. */
    public static final class SelfReading implements CacheLoader<String, String> {
        static volatile Cache<String, String> cache;

        @Override
        public String load(String key) {
            return key.startsWith("copy-of-") ? cache.get(key.substring("copy-of-".length())) : cache.get(key);
        }

        @Override
        public Map<String, String> loadAll(Iterable<? extends String> keys) {
            throw new UnsupportedOperationException();
        }
    }

    @Test
    void jcacheStatisticsAndGroupStatisticsAgree() throws Exception {
        CacheManager caches = managerWithClock("kamacache:stats", KamaConfig.defaults());
        Cache<String, String> cache = caches.createCache("counted",
                new MutableConfiguration<String, String>().setTypes(String.class, String.class)
                        .setStatisticsEnabled(true));
        cache.put("a", "1");
        cache.put("b", "2");
        cache.get("a");
        cache.get("a");
        cache.get("missing");
        cache.putIfAbsent("a", "x");   // a hit
        cache.getAndRemove("b");       // a hit
        cache.replace("nope", "y");    // a miss
        cache.getAll(java.util.Set.of("a", "b"));  // a hit and a miss

        MBeanServer server = ManagementFactory.getPlatformMBeanServer();
        ObjectName name = new ObjectName("javax.cache:type=CacheStatistics,CacheManager=kamacache.stats,Cache=counted");
        GroupStats group = cache.unwrap(Group.class).stats();
        assertThat(server.getAttribute(name, "CacheGets")).isEqualTo(group.gets()).isEqualTo(8L);
        assertThat(server.getAttribute(name, "CacheHits")).isEqualTo(group.hits()).isEqualTo(5L);
        assertThat(server.getAttribute(name, "CacheMisses")).isEqualTo(group.misses()).isEqualTo(3L);
        assertThat(server.getAttribute(name, "CachePuts")).isEqualTo(2L);
        assertThat(server.getAttribute(name, "CacheRemovals")).isEqualTo(1L);

        caches.enableStatistics("counted", false);
        assertThat(server.isRegistered(name)).isFalse();
    }

    @Test
    void anEternalCacheNeverReadsTheClock() {
        CallerClock counting = new CallerClock(clock);
        manager = new KamaCacheManager(null, URI.create("kamacache:clock"), getClass().getClassLoader(),
                new Properties(), KamaConfig.defaults(), counting);
        Cache<String, String> eternal = manager.createCache("eternal", new MutableConfiguration<>());
        Cache<String, String> expiring = manager.createCache("expiring", new MutableConfiguration<String, String>()
                .setExpiryPolicyFactory(CreatedExpiryPolicy.factoryOf(new Duration(TimeUnit.MINUTES, 1))));

        for (int i = 0; i < 100; i++) {
            eternal.put("k" + i, "v" + i);
            eternal.get("k" + i);
            eternal.replace("k" + i, "w" + i);
            eternal.putIfAbsent("k" + i, "x");
            eternal.getAndPut("k" + i, "y" + i);
        }
        // the time costs as much as a put on some machines: only a finite expiry may ask for it
        assertThat(counting.reads()).isZero();

        expiring.put("k", "v");
        assertThat(counting.reads()).isPositive();
        assertThat(expiring.get("k")).isEqualTo("v");
    }

    @Test
    void stringValuesWrittenHereAreHandedOutAsTheyAreAndEveryKindOfKeyIsFound() {
        Cache<Object, Object> cache = managerWithClock("kamacache:strings", KamaConfig.defaults())
                .createCache("s", new MutableConfiguration<>());
        String value = new String("a value");
        cache.put("k", value);
        // immutable: the same object is as good as a copy, and saves decoding one on every get
        assertThat(cache.get("k")).isSameAs(value);

        List<Object> keys = List.of("", "ascii", "é", "ключ", "日本語", "😀", "unpaired \uD800", "?", 7, 7L, 'c',
                "x".repeat(10_000), List.of("a list"));
        for (Object key : keys) {
            cache.put(key, "value of " + key);
        }
        for (Object key : keys) {
            // the very key object put (found by reference) and an equal copy (found by its bytes)
            Object copy = key instanceof String s ? new String(s) : key instanceof List<?> l ? List.copyOf(l) : key;
            assertThat(cache.get(key)).as("key %s", key).isEqualTo("value of " + key);
            assertThat(cache.get(copy)).as("copy of key %s", key).isEqualTo("value of " + key);
            assertThat(cache.get(key + "-absent")).isNull();
        }
        GroupStats stats = cache.unwrap(Group.class).stats();
        assertThat(stats.hits()).isEqualTo(2 * keys.size() + 1);
        assertThat(stats.misses()).isEqualTo(keys.size());
        assertThat(stats.entries()).isEqualTo(keys.size() + 1);
    }

    @Test
    void closeWaitsForARunningLoadBeforeClosingTheLoader() throws Exception {
        CountDownLatch loading = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        BlockingLoader loader = new BlockingLoader(loading, release);
        Cache<String, String> cache = managerWithClock("kamacache:closing", KamaConfig.defaults())
                .createCache("c", new MutableConfiguration<String, String>()
                        .setReadThrough(true).setCacheLoaderFactory(() -> loader));
        ExecutorService threads = Executors.newFixedThreadPool(2);
        try {
            Future<String> get = threads.submit(() -> cache.get("k"));
            assertThat(loading.await(10, TimeUnit.SECONDS)).isTrue();
            Future<?> close = threads.submit(cache::close);
            Thread.sleep(200);
            assertThat(close).isNotDone();
            assertThat(loader.closedWhileLoading).isFalse();
            release.countDown();
            assertThat(get.get(10, TimeUnit.SECONDS)).isEqualTo("loaded k");
            close.get(10, TimeUnit.SECONDS);
            assertThat(loader.closed).isTrue();
            assertThat(loader.closedWhileLoading).isFalse();
            assertThatThrownBy(() -> cache.get("k")).isInstanceOf(IllegalStateException.class);
        } finally {
            release.countDown();
            threads.shutdownNow();
        }
    }

    /**
     * Callers that read the same keys together load each key once: one that missed while
     * another's load ran, and asks for the load only after it finished, takes its value.
     */
    @Test
    void callersReadingTheSameKeysTogetherLoadEachKeyOnce() throws Exception {
        Map<String, AtomicInteger> loads = new ConcurrentHashMap<>();
        CacheLoader<String, String> loader = new CacheLoader<>() {
            @Override
            public String load(String key) {
                loads.computeIfAbsent(key, k -> new AtomicInteger()).incrementAndGet();
                return "loaded " + key;
            }

            @Override
            public Map<String, String> loadAll(Iterable<? extends String> keys) {
                throw new UnsupportedOperationException();
            }
        };
        Cache<String, String> cache = managerWithClock("kamacache:together", KamaConfig.defaults())
                .createCache("c", new MutableConfiguration<String, String>()
                        .setReadThrough(true).setCacheLoaderFactory(() -> loader));
        int callers = 4;
        int keys = 20_000;
        ExecutorService threads = Executors.newFixedThreadPool(callers);
        try {
            CountDownLatch start = new CountDownLatch(1);
            List<Future<?>> reads = new ArrayList<>();
            for (int c = 0; c < callers; c++) {
                reads.add(threads.submit(() -> {
                    start.await();
                    for (int i = 0; i < keys; i++) {
                        assertThat(cache.get("k" + i)).isEqualTo("loaded k" + i);
                    }
                    return null;
                }));
            }
            start.countDown();
            for (Future<?> read : reads) {
                read.get(60, TimeUnit.SECONDS);
            }
        } finally {
            threads.shutdownNow();
        }
        assertThat(loads).hasSize(keys);
        assertThat(loads.entrySet().stream().filter(e -> e.getValue().get() != 1).map(Map.Entry::getKey).toList())
                .as("keys loaded more than once").isEmpty();
    }

    @Test
    void theGroupHoldsTheCacheEntriesAsBytes() {
        Cache<String, byte[]> cache = managerWithClock("kamacache:bytes", KamaConfig.defaults()).createCache("c",
                new MutableConfiguration<String, byte[]>().setTypes(String.class, byte[].class));
        byte[] value = new byte[1000];
        cache.put("k", value);
        value[0] = 1; // store-by-value: the cache kept its own copy
        assertThat(cache.get("k")[0]).isZero();
        cache.get("k")[1] = 1; // and hands out copies
        assertThat(cache.get("k")[1]).isZero();
        GroupStats stats = cache.unwrap(Group.class).stats();
        assertThat(stats.entries()).isEqualTo(1);
        assertThat(stats.bytes()).isGreaterThan(1000);
    }

    @Test
    void valuesOutsideTheAllowListAreRefusedAtPut() {
        Cache<Object, Object> cache = managerWithClock("kamacache:refuse", KamaConfig.defaults())
                .createCache("c", new MutableConfiguration<>());
        assertThatThrownBy(() -> cache.put("k", new Point(1, 2)))
                .isInstanceOf(CodecException.class)
                .hasMessageContaining(Point.class.getName())
                .hasMessageContaining("serialization.allow");
        assertThat(cache.containsKey("k")).isFalse();

        KamaConfig allowing = KamaConfig.load(URI.create("classpath:jcache/caches.yaml"), getClass().getClassLoader());
        manager.close();
        Cache<Object, Object> allowed = managerWithClock("kamacache:allow", allowing)
                .createCache("c", new MutableConfiguration<>());
        allowed.put("k", new Point(1, 2));
        assertThat(allowed.get("k")).isEqualTo(new Point(1, 2));
    }

    @Test
    void aCacheUnwrapsToItsGroupAndTheManagerToItsNode() {
        CacheManager caches = managerWithClock("kamacache:unwrap", KamaConfig.defaults());
        Cache<String, String> cache = caches.createCache("u", new MutableConfiguration<>());
        assertThat(cache.unwrap(Group.class).name()).isEqualTo("u");
        assertThat(cache.unwrap(KamaCache.class)).isSameAs(cache);
        assertThat(caches.unwrap(io.kamacache.Node.class).getGroup("u")).isSameAs(cache.unwrap(Group.class));
        assertThatThrownBy(() -> cache.unwrap(String.class)).isInstanceOf(IllegalArgumentException.class);
    }

    /** Counts the reads of the time made by the test's own thread, not the store's sweeper. */
    private static final class CallerClock implements java.time.InstantSource {
        private final java.time.InstantSource clock;
        private final Thread caller = Thread.currentThread();
        private final java.util.concurrent.atomic.AtomicInteger reads = new java.util.concurrent.atomic.AtomicInteger();

        CallerClock(java.time.InstantSource clock) {
            this.clock = clock;
        }

        @Override
        public java.time.Instant instant() {
            return java.time.Instant.ofEpochMilli(millis());
        }

        @Override
        public long millis() {
            if (Thread.currentThread() == caller) {
                reads.incrementAndGet();
            }
            return clock.millis();
        }

        int reads() {
            return reads.get();
        }
    }

    record Point(int x, int y) implements Serializable {
    }

    /** A loader that blocks in {@code load} until released, and notes whether it was closed meanwhile. */
    static final class BlockingLoader implements CacheLoader<String, String>, Closeable {
        private final CountDownLatch loading;
        private final CountDownLatch release;
        private volatile boolean inLoad;
        volatile boolean closed;
        volatile boolean closedWhileLoading;

        BlockingLoader(CountDownLatch loading, CountDownLatch release) {
            this.loading = loading;
            this.release = release;
        }

        @Override
        public String load(String key) {
            inLoad = true;
            loading.countDown();
            try {
                release.await(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            inLoad = false;
            return "loaded " + key;
        }

        @Override
        public Map<String, String> loadAll(Iterable<? extends String> keys) {
            throw new UnsupportedOperationException();
        }

        @Override
        public void close() {
            closedWhileLoading |= inLoad;
            closed = true;
        }
    }

    /** Records "key=value" of expired entries. */
    static final class ExpiryRecorder implements CacheEntryExpiredListener<String, String>, Serializable {
        private final transient List<String> expired;

        ExpiryRecorder(List<String> expired) {
            this.expired = expired;
        }

        @Override
        public void onExpired(Iterable<CacheEntryEvent<? extends String, ? extends String>> events) {
            events.forEach(e -> expired.add(e.getKey() + "=" + e.getValue()));
        }
    }
}
