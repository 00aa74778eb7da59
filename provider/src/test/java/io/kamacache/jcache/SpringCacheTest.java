package io.kamacache.jcache;

import io.kamacache.Node;
import io.kamacache.codec.Codec;
import io.kamacache.codec.CodecException;
import io.kamacache.config.KamaConfig;
import io.kamacache.jcache.spi.KamaCachingProvider;
import io.kamacache.testing.FreePorts;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.cache.annotation.CacheEvict;
import org.springframework.cache.annotation.CachePut;
import org.springframework.cache.annotation.Cacheable;
import org.springframework.cache.annotation.EnableCaching;
import org.springframework.cache.interceptor.SimpleKey;
import org.springframework.cache.jcache.JCacheCacheManager;
import org.springframework.context.annotation.AnnotationConfigApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import javax.cache.CacheException;
import javax.cache.CacheManager;
import javax.cache.Caching;
import java.io.IOException;
import java.io.Serializable;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.InstantSource;
import java.util.HashSet;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Spring's cache abstraction ({@code @Cacheable} and its kin) over the provider, as the README shows it. */
class SpringCacheTest {

    private AnnotationConfigApplicationContext context;

    @AfterEach
    void close() {
        if (context != null) {
            context.close();
        }
    }

    @Test
    void cacheableMethodsAreCalledOnceAndTheirResultsLieInTheJCacheCache() {
        Quotes quotes = start("classpath:jcache/spring.yaml");
        CacheManager jcache = context.getBean(CacheManager.class);

        assertThat(quotes.quote("apple")).isEqualTo(new Quote("apple", 5));
        assertThat(quotes.quote("apple")).isEqualTo(new Quote("apple", 5));
        assertThat(quotes.calls()).isEqualTo(1);
        assertThat(jcache.getCache("quotes").get("apple")).isEqualTo(new Quote("apple", 5));

        assertThat(quotes.quote("pear", 3)).as("two parameters: a SimpleKey").isEqualTo(new Quote("pear", 12));
        assertThat(quotes.quote("pear", 3)).isEqualTo(new Quote("pear", 12));
        assertThat(quotes.calls()).isEqualTo(2);
        assertThat(jcache.getCache("quotes").get(new SimpleKey("pear", 3))).isEqualTo(new Quote("pear", 12));

        assertThat(quotes.quote("unknown")).as("null, stored as Spring's NullValue").isNull();
        assertThat(quotes.quote("unknown")).isNull();
        assertThat(quotes.calls()).isEqualTo(3);
    }

    @Test
    void syncPutAndEvictGoThroughTheCache() {
        Quotes quotes = start("classpath:jcache/spring.yaml");
        CacheManager jcache = context.getBean(CacheManager.class);

        assertThat(quotes.quoteOnce("fig")).isEqualTo(new Quote("fig", 7));
        assertThat(quotes.quoteOnce("fig")).as("sync: through Cache.invoke").isEqualTo(new Quote("fig", 7));
        assertThat(quotes.calls()).isEqualTo(1);

        quotes.requote("fig", 9);
        assertThat(quotes.quoteOnce("fig")).isEqualTo(new Quote("fig", 9));
        assertThat(jcache.getCache("quotes").get("fig")).isEqualTo(new Quote("fig", 9));

        quotes.forget("fig");
        assertThat(jcache.getCache("quotes").containsKey("fig")).isFalse();
        assertThat(quotes.quoteOnce("fig")).isEqualTo(new Quote("fig", 7));
        assertThat(quotes.calls()).isEqualTo(2);
    }

    @Test
    void withoutSpringsClassesInTheAllowListTheErrorSaysWhichClassToAllow(@TempDir Path dir) throws IOException {
        Path file = Files.writeString(dir.resolve("caches.yaml"), "caches:\n  quotes: {}\n");
        Quotes quotes = start(file.toUri().toString());
        assertThatThrownBy(() -> quotes.quote("pear", 3)).isInstanceOf(CodecException.class)
                .hasMessageContaining("class org.springframework.cache.interceptor.SimpleKey is not in the "
                        + "serialization allow-list").hasMessageContaining("serialization.allow");
        assertThatThrownBy(() -> quotes.quote("unknown")).isInstanceOf(CodecException.class)
                .hasMessageContaining("class org.springframework.cache.support.NullValue is not in the "
                        + "serialization allow-list");
    }

    /**
     * In a cluster Spring's {@code @Cacheable(sync = true)} and {@code Cache.putIfAbsent} run
     * as entry processors of Spring's that are not Serializable, so they cannot be sent to
     * another node: they fail for every key alike, with the reason, and the rest works.
     */
    @Test
    void inAClusterWhatSpringRunsAsEntryProcessorsFailsForEveryKeyAndTheRestWorks() {
        List<String> addresses = List.of(FreePorts.loopbackAddress(), FreePorts.loopbackAddress());
        String yaml = "cluster:\n  peers: [" + String.join(", ", addresses) + "]\n"
                + "serialization:\n  allow: [org.springframework.cache.**, io.kamacache.jcache.SpringCacheTest$Quote]\n"
                + "caches:\n  quotes: {}\n";
        KamaCacheManager other = node(yaml, addresses.get(1));
        try {
            Quotes quotes = start(node(yaml, addresses.get(0)));
            org.springframework.cache.Cache spring = context.getBean(JCacheCacheManager.class).getCache("quotes");
            Set<String> owners = new HashSet<>();
            for (int i = 0; i < 20; i++) {
                String item = "item" + i;
                owners.add(other.unwrap(Node.class).ring().ownerOf(Codec.create(List.of(), null).encode(item)));
                assertThat(quotes.quote(item)).isEqualTo(new Quote(item, 5));
                assertThat(quotes.quote(item)).isEqualTo(new Quote(item, 5));
                assertThat(other.getCache("quotes").get(item)).isEqualTo(new Quote(item, 5));
                assertThatThrownBy(() -> quotes.quoteOnce(item)).isInstanceOf(CacheException.class)
                        .hasMessageContaining("entry processor org.springframework.cache.jcache."
                                + "JCacheCache$ValueLoaderEntryProcessor cannot be sent to its key's owner")
                        .hasMessageContaining("does not implement java.io.Serializable");
                assertThatThrownBy(() -> spring.putIfAbsent(item + "-new", new Quote(item, 1)))
                        .isInstanceOf(CacheException.class).hasMessageContaining("PutIfAbsentEntryProcessor");
            }
            assertThat(owners).as("keys of both nodes").containsExactlyInAnyOrderElementsOf(addresses);
            assertThat(quotes.calls()).isEqualTo(20);
        } finally {
            other.close();
        }
    }

    private Quotes start(String uri) {
        return start(Caching.getCachingProvider(KamaCachingProvider.class.getName())
                .getCacheManager(URI.create(uri), SpringCacheTest.class.getClassLoader()));
    }

    private Quotes start(CacheManager manager) {
        Config.manager = manager;
        context = new AnnotationConfigApplicationContext(Config.class);
        return context.getBean(Quotes.class);
    }

    private static KamaCacheManager node(String yaml, String address) {
        return new KamaCacheManager(null, URI.create("kamacache:" + address), SpringCacheTest.class.getClassLoader(),
                new Properties(), KamaConfig.parse(yaml, "test").withNodeAddress(address), InstantSource.system());
    }

    @Configuration
    @EnableCaching
    static class Config {
        static CacheManager manager;

        @Bean(destroyMethod = "close")
        CacheManager jcacheManager() {
            return manager;
        }

        @Bean
        JCacheCacheManager cacheManager(CacheManager jcacheManager) {
            return new JCacheCacheManager(jcacheManager);
        }

        @Bean
        Quotes quotes() {
            return new Quotes();
        }
    }

    public record Quote(String item, int cents) implements Serializable {
    }

    /** Quotes by item: 5 cents an item (none for "unknown"), or a cent a letter an item for a count of them. */
    public static class Quotes {
        private final AtomicInteger calls = new AtomicInteger();

        /** Calls that ran the method's body (a method, for Spring's proxy has fields of its own). */
        public int calls() {
            return calls.get();
        }

        @Cacheable("quotes")
        public Quote quote(String item) {
            calls.incrementAndGet();
            return item.equals("unknown") ? null : new Quote(item, 5);
        }

        @Cacheable("quotes")
        public Quote quote(String item, int count) {
            calls.incrementAndGet();
            return new Quote(item, item.length() * count);
        }

        @Cacheable(cacheNames = "quotes", sync = true)
        public Quote quoteOnce(String item) {
            calls.incrementAndGet();
            return new Quote(item, 7);
        }

        @CachePut(cacheNames = "quotes", key = "#p0")
        public Quote requote(String item, int cents) {
            return new Quote(item, cents);
        }

        @CacheEvict(cacheNames = "quotes", key = "#p0")
        public void forget(String item) {
        }
    }
}
