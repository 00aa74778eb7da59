package io.kamacache.tck;

import io.kamacache.codec.Codec;
import io.kamacache.jcache.KamaCacheManager;
import io.kamacache.testing.EtcdExtension;
import io.kamacache.testing.FreePorts;
import io.kamacache.testing.Rings;
import io.kamacache.testing.ServerProcess;
import org.jsr107.tck.integration.RecordingCacheLoader;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import javax.cache.Cache;
import javax.cache.CacheException;
import javax.cache.CacheManager;
import javax.cache.Caching;
import javax.cache.configuration.CompleteConfiguration;
import javax.cache.configuration.Factory;
import javax.cache.configuration.FactoryBuilder;
import javax.cache.configuration.MutableCacheEntryListenerConfiguration;
import javax.cache.configuration.MutableConfiguration;
import javax.cache.event.CacheEntryCreatedListener;
import javax.cache.event.CacheEntryEvent;
import javax.cache.event.CacheEntryRemovedListener;
import javax.cache.event.CacheEntryUpdatedListener;
import javax.cache.expiry.CreatedExpiryPolicy;
import javax.cache.expiry.ExpiryPolicy;
import javax.cache.integration.CacheLoader;
import javax.cache.spi.CachingProvider;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * An application with only the thin client on its class path (the provider and server
 * modules are left off this run's class path) uses a cluster of three server processes
 * found through a real etcd, through {@code Caching.getCachingProvider()} alone.
 */
class ThinClientApplicationTest {

    @RegisterExtension
    static final EtcdExtension ETCD = new EtcdExtension();

    private final List<ServerProcess> servers = new ArrayList<>();
    private final List<CacheManager> managers = new ArrayList<>();

    @TempDir
    Path dir;

    @BeforeEach
    void hearNothingYet() {
        Recorder.HEARD.clear();
    }

    @AfterEach
    void stop() {
        managers.forEach(CacheManager::close);
        servers.forEach(ServerProcess::close);
    }

    @Test
    void theThinClientAloneIsAClientOfTheServersAndOutlivesOneOfThem() throws Exception {
        assertThatThrownBy(() -> Class.forName("io.kamacache.Node"))
                .as("this run has no provider module").isInstanceOf(ClassNotFoundException.class);
        assertThatThrownBy(() -> Class.forName("io.kamacache.discovery.EtcdRegistration"))
                .as("a client holds no etcd registration code").isInstanceOf(ClassNotFoundException.class);
        String service = "app-" + System.nanoTime();
        List<String> addresses = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            addresses.add(startServer(service));
        }
        for (ServerProcess server : servers) {
            server.awaitLine(" serving", Duration.ofSeconds(60));
        }
        CachingProvider provider = Caching.getCachingProvider();
        CacheManager manager = provider.getCacheManager(write("client.yaml", etcdCluster(service)), null);
        managers.add(manager);
        KamaCacheManager client = manager.unwrap(KamaCacheManager.class);
        Rings.awaitMembers(client, 3);
        assertThat(client.ring().members()).containsExactlyInAnyOrderElementsOf(addresses);

        Cache<Integer, Integer> numbers = manager.createCache("numbers", new MutableConfiguration<Integer, Integer>()
                .setTypes(Integer.class, Integer.class)
                .setReadThrough(true)
                .setCacheLoaderFactory(new FactoryBuilder.ClassFactory<CacheLoader<Integer, Integer>>(
                        RecordingCacheLoader.class.getName())));
        for (int i = 0; i < 100; i++) {
            assertThat(numbers.get(i)).as("read through at the owner").isEqualTo(i);
        }
        numbers.put(1000, -1);
        assertThat(numbers.get(1000)).isEqualTo(-1);

        Set<Integer> hundred = IntStream.range(0, 100).boxed().collect(Collectors.toSet());
        Map<Integer, Integer> identity = hundred.stream().collect(Collectors.toMap(i -> i, i -> i));
        servers.get(0).kill();
        // No waiting here: a call to the dead server waits until etcd drops it, then goes to its keys' new owner;
        // a batch, one part per server, sends its part again to the new owners
        assertThat(numbers.getAll(hundred)).as("read through again where the dead server's keys went")
                .isEqualTo(identity);
        for (int i = 0; i < 100; i++) {
            assertThat(numbers.get(i)).as("read through again where the dead server's keys went").isEqualTo(i);
        }
        assertThat(client.ring().members()).containsExactlyInAnyOrderElementsOf(addresses.subList(1, 3));

        String joining = startServer(service);
        servers.get(3).awaitLine(" serving", Duration.ofSeconds(60));
        Rings.awaitMembers(client, 3);
        assertThat(client.ring().members()).contains(joining);
        Codec codec = Codec.create(List.of(), null);
        List<Integer> atJoiner = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            if (client.ring().ownerOf(codec.encode(i)).equals(joining)) {
                atJoiner.add(i);
            }
        }
        assertThat(atJoiner).as("the joining server owns some keys").isNotEmpty();
        // the joining server learns of the cache from the first call that reaches it: here a batch's part
        assertThat(numbers.getAll(hundred)).as("one batch over every server, the joining one too").isEqualTo(identity);
        for (int i : atJoiner) {
            assertThat(numbers.get(i)).as("read through at the joining server").isEqualTo(i);
            numbers.put(i, i + 1);
            assertThat(numbers.get(i)).isEqualTo(i + 1);
        }

        MutableConfiguration<Integer, Integer> missing = new MutableConfiguration<Integer, Integer>()
                .setReadThrough(true)
                .setCacheLoaderFactory(new FactoryBuilder.ClassFactory<>("com.example.NotOnTheServers"));
        assertThatThrownBy(() -> manager.createCache("missing", missing))
                .isInstanceOf(CacheException.class)
                .hasMessageContaining("com.example.NotOnTheServers");

        Factory<ExpiryPolicy> lambda = () -> new CreatedExpiryPolicy(javax.cache.expiry.Duration.ONE_MINUTE);
        assertThatThrownBy(() -> manager.createCache("lambdas", new MutableConfiguration<>().setExpiryPolicyFactory(lambda)))
                .isInstanceOf(CacheException.class)
                .hasMessageContaining("the configuration of cache 'lambdas' cannot travel to the other nodes");
        assertThat(manager.getCache("lambdas")).as("nothing half-made").isNull();

        // types travel by name, so they need not be in the servers' allow-list, but the servers must have them
        assertThat(manager.createCache("colors", new MutableConfiguration<String, java.awt.Color>()
                .setTypes(String.class, java.awt.Color.class)).getConfiguration(CompleteConfiguration.class)
                .getValueType()).isEqualTo(java.awt.Color.class);
        assertThatThrownBy(() -> manager.createCache("unknownType", new MutableConfiguration<String, ThinClientApplicationTest>()
                .setTypes(String.class, ThinClientApplicationTest.class)))
                .isInstanceOf(CacheException.class)
                .hasMessageContaining("the value type of cache 'unknownType', " + ThinClientApplicationTest.class.getName()
                        + ", is not on the class path of node");
        assertThat(manager.getCache("unknownType")).isNull();

        // 20 MiB in one batch: more than a message (4 MiB by default) to each server, so it and its reply go in pieces
        Cache<Integer, byte[]> blobs = manager.createCache("blobs", new MutableConfiguration<Integer, byte[]>()
                .setTypes(Integer.class, byte[].class));
        Map<Integer, byte[]> large = new HashMap<>();
        for (int i = 0; i < 40; i++) {
            byte[] blob = new byte[512 << 10];
            Arrays.fill(blob, (byte) i);
            large.put(i, blob);
        }
        blobs.putAll(large);
        Map<Integer, byte[]> back = blobs.getAll(large.keySet());
        assertThat(back).hasSize(40);
        large.forEach((key, blob) -> assertThat(back.get(key)).as("blob %d", key).isEqualTo(blob));
        assertThatThrownBy(() -> blobs.put(100, new byte[5 << 20])).isInstanceOf(CacheException.class)
                .hasMessageContaining("cache 'blobs': key '100' with its value takes")
                .hasMessageContaining("cluster.maxMessageBytes: 4194304");
        assertThat(blobs.containsKey(100)).isFalse();
    }

    @Test
    void aClientWhoseServersDoNotAnswerFailsWithinItsDeadline() throws Exception {
        String nobody = FreePorts.loopbackAddress();
        CacheManager manager = Caching.getCachingProvider().getCacheManager(
                write("nobody.yaml", "cluster:\n  peers: [" + nobody + "]\n  rpcTimeout: 2s\n"), null);
        managers.add(manager);
        Cache<String, String> cache = manager.createCache("c", new MutableConfiguration<>());
        long start = System.nanoTime();
        assertThatThrownBy(() -> cache.get("k"))
                .isInstanceOf(CacheException.class)
                .hasMessageContaining(nobody)
                .hasMessageContaining("UNAVAILABLE");
        assertThat(System.nanoTime() - start).as("within the call deadline").isLessThan(TimeUnit.SECONDS.toNanos(10));
    }

    @Test
    void aClientOfAnEmptyServiceSaysThatNoServerIsUp() throws Exception {
        CacheManager manager = Caching.getCachingProvider().getCacheManager(
                write("empty.yaml", etcdCluster("nobody-" + System.nanoTime())), null);
        managers.add(manager);
        Cache<String, String> cache = manager.createCache("c", new MutableConfiguration<>());
        assertThatThrownBy(() -> cache.get("k"))
                .isInstanceOf(CacheException.class)
                .hasMessageContaining("no server is up");
    }

    @Test
    void aClientWhoseEtcdIsDownFailsWithinItsConnectTimeout() throws Exception {
        String nowhere = "http://" + FreePorts.loopbackAddress();
        URI config = write("down.yaml", "cluster:\n  etcd:\n    endpoints: [" + nowhere + "]\n    connectTimeout: 2s\n");
        long start = System.nanoTime();
        assertThatThrownBy(() -> Caching.getCachingProvider().getCacheManager(config, null))
                .isInstanceOf(CacheException.class)
                .hasMessageContaining(nowhere);
        assertThat(System.nanoTime() - start).as("within the connect timeout").isLessThan(TimeUnit.SECONDS.toNanos(10));
    }

    @Test
    void aListenerOnOneClientHearsWhatAnotherClientDoes() throws Exception {
        String service = "listen-" + System.nanoTime();
        for (int i = 0; i < 2; i++) {
            startServer(service);
        }
        for (ServerProcess server : servers) {
            server.awaitLine(" serving", Duration.ofSeconds(60));
        }
        List<Cache<String, String>> clients = writerAndListener(service, 2);
        Cache<String, String> written = clients.get(0);
        Cache<String, String> heard = clients.get(1);

        for (int i = 0; i < 20; i++) {
            written.put("k" + i, "v" + i);
        }
        written.put("k0", "again");
        written.remove("k1");
        List<String> expected = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            expected.add("CREATED k" + i + "=v" + i);
        }
        expected.add("UPDATED k0=again (was v0)");
        expected.add("REMOVED k1 (was v1)");
        assertThat(awaitHeard(expected.size())).as("the other client's writes, each key's in order")
                .containsExactlyInAnyOrderElementsOf(expected);
        assertThat(Recorder.HEARD.stream().filter(event -> event.contains(" k0")).toList())
                .containsExactly("CREATED k0=v0", "UPDATED k0=again (was v0)");

        Recorder.HEARD.clear();
        heard.put("own", "1");
        assertThat(Recorder.HEARD).as("its own write, heard once, before put returned").containsExactly("CREATED own=1");
        Thread.sleep(500);
        assertThat(Recorder.HEARD).as("and not again through the stream").containsExactly("CREATED own=1");
    }

    @Test
    void clientsThatOpenANamedCacheShareItAndCreateCacheStartsItAfresh() throws Exception {
        String service = "shared-" + System.nanoTime();
        startServer(service);
        servers.get(0).awaitLine(" serving", Duration.ofSeconds(60));
        String yaml = etcdCluster(service) + "caches:\n  sessions:\n    policy: lru\n";
        CachingProvider provider = Caching.getCachingProvider();
        List<CacheManager> instances = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            CacheManager instance = provider.getCacheManager(write("instance-" + i + ".yaml", yaml), null);
            managers.add(instance);
            instances.add(instance);
            Rings.awaitMembers(instance.unwrap(KamaCacheManager.class), 1);
        }
        Cache<Object, Object> first = instances.get(0).getCache("sessions");
        first.put("tom", "logged in");

        assertThat(instances.get(1).getCache("sessions").get("tom"))
                .as("a second application instance opens the servers' cache, not a new one").isEqualTo("logged in");
        assertThat(first.get("tom")).isEqualTo("logged in");

        instances.get(2).createCache("sessions", new MutableConfiguration<>());
        assertThat(first.get("tom")).as("createCache starts the cache afresh on the servers").isNull();
    }

    /**
     * Two clients of the servers of {@code service} with the cache "events": the first
     * writes, the second has a synchronous {@link Recorder} on it.
     */
    private List<Cache<String, String>> writerAndListener(String service, int serverCount) throws Exception {
        CachingProvider provider = Caching.getCachingProvider();
        MutableConfiguration<String, String> configuration = new MutableConfiguration<String, String>()
                .setTypes(String.class, String.class);
        List<Cache<String, String>> caches = new ArrayList<>();
        for (String client : List.of("writing", "listening")) {
            CacheManager manager = provider.getCacheManager(write(client + ".yaml", etcdCluster(service)), null);
            managers.add(manager);
            Rings.awaitMembers(manager.unwrap(KamaCacheManager.class), serverCount);
            caches.add(manager.createCache("events", caches.isEmpty() ? configuration
                    : new MutableConfiguration<>(configuration).addCacheEntryListenerConfiguration(
                            new MutableCacheEntryListenerConfiguration<>(FactoryBuilder.factoryOf(Recorder.class),
                                    null, true, true))));
        }
        return caches;
    }

    private static List<String> awaitHeard(int count) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (Recorder.HEARD.size() < count && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        return List.copyOf(Recorder.HEARD);
    }

    /** Records what it hears, as text. */
    public static final class Recorder implements CacheEntryCreatedListener<String, String>,
            CacheEntryUpdatedListener<String, String>, CacheEntryRemovedListener<String, String> {

        static final Queue<String> HEARD = new ConcurrentLinkedQueue<>();

        @Override
        public void onCreated(Iterable<CacheEntryEvent<? extends String, ? extends String>> events) {
            events.forEach(event -> HEARD.add("CREATED " + event.getKey() + "=" + event.getValue()));
        }

        @Override
        public void onUpdated(Iterable<CacheEntryEvent<? extends String, ? extends String>> events) {
            events.forEach(event -> HEARD.add("UPDATED " + event.getKey() + "=" + event.getValue()
                    + " (was " + event.getOldValue() + ")"));
        }

        @Override
        public void onRemoved(Iterable<CacheEntryEvent<? extends String, ? extends String>> events) {
            events.forEach(event -> HEARD.add("REMOVED " + event.getKey() + " (was " + event.getOldValue() + ")"));
        }
    }

    private String startServer(String service) throws Exception {
        String address = FreePorts.loopbackAddress();
        URI config = write("server-" + servers.size() + ".yaml", "node:\n  address: " + address + "\n"
                + etcdCluster(service) + "server:\n  lib: " + System.getProperty(TckCluster.SERVER_LIB_PROPERTY) + "\n");
        servers.add(ServerProcess.startJava(List.of("-jar", System.getProperty(TckCluster.SERVER_JAR_PROPERTY),
                "server", "--config", Path.of(config).toString()), Map.of(), dir.resolve("server-" + servers.size() + ".log")));
        return address;
    }

    private static String etcdCluster(String service) {
        return "cluster:\n  etcd:\n    endpoints: [" + ETCD.endpoint() + "]\n    service: " + service
                + "\n    leaseTtl: 3s\n    connectTimeout: 15s\n  rpcTimeout: 5s\n"
                + "serialization:\n  allow:\n    - org.jsr107.tck.**\n";
    }

    private URI write(String name, String yaml) throws Exception {
        Path file = dir.resolve(name);
        Files.writeString(file, yaml);
        return file.toUri();
    }
}
