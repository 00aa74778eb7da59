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

import javax.cache.Cache;
import javax.cache.CacheManager;
import javax.cache.Caching;
import javax.cache.configuration.FactoryBuilder;
import javax.cache.configuration.MutableCacheEntryListenerConfiguration;
import javax.cache.configuration.MutableConfiguration;
import javax.cache.configuration.OptionalFeature;
import javax.cache.event.CacheEntryEvent;
import javax.cache.event.CacheEntryExpiredListener;
import javax.cache.expiry.AccessedExpiryPolicy;
import javax.cache.expiry.CreatedExpiryPolicy;
import javax.cache.expiry.Duration;
import javax.cache.spi.CachingProvider;
import javax.management.MBeanServer;
import javax.management.ObjectName;
import java.io.Serializable;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

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
    void aBadConfigurationFileIsRefusedWithItsLineAndKey() {
        CachingProvider provider = Caching.getCachingProvider();
        assertThatThrownBy(() -> provider.getCacheManager(URI.create("classpath:jcache/bad.yaml"), null))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("classpath:jcache/bad.yaml:3: caches.users.policy: unknown eviction policy 'lfu'");
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

    record Point(int x, int y) implements Serializable {
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
