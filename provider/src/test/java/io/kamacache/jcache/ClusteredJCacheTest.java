package io.kamacache.jcache;

import io.kamacache.Group;
import io.kamacache.Node;
import io.kamacache.codec.Codec;
import io.kamacache.config.KamaConfig;
import io.kamacache.jcache.spi.KamaCachingProvider;
import io.kamacache.store.StoreOptions;
import io.kamacache.testing.EtcdExtension;
import io.kamacache.testing.FreePorts;
import io.kamacache.testing.UpdatesHeard;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import javax.cache.Cache;
import javax.cache.event.CacheEntryListenerException;
import javax.cache.CacheException;
import javax.cache.Caching;
import javax.cache.configuration.Factory;
import javax.cache.configuration.FactoryBuilder;
import javax.cache.configuration.MutableCacheEntryListenerConfiguration;
import javax.cache.configuration.MutableConfiguration;
import javax.cache.event.CacheEntryCreatedListener;
import javax.cache.event.CacheEntryEvent;
import javax.cache.integration.CacheLoader;
import javax.cache.integration.CacheLoaderException;
import javax.cache.processor.EntryProcessor;
import javax.cache.processor.EntryProcessorException;
import javax.cache.processor.EntryProcessorResult;
import javax.cache.processor.MutableEntry;
import javax.cache.spi.CachingProvider;
import java.io.IOException;
import java.io.Serializable;
import java.nio.file.Files;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.net.URI;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The JCache face over three nodes: every operation runs at its key's owner, wherever it is called. */
class ClusteredJCacheTest {

    @RegisterExtension
    static final EtcdExtension ETCD = new EtcdExtension();

    /** Loads per key, cluster-wide: the loader is built on every node from the shipped factory. */
    static final Map<Integer, AtomicInteger> LOADS = new ConcurrentHashMap<>();

    private final List<KamaCacheManager> managers = new ArrayList<>();

    @AfterEach
    void close() {
        managers.forEach(KamaCacheManager::close);
        LOADS.clear();
    }

    @Test
    void operationsOnAnyNodeRunAtTheOwnerAndSeeOneCache() {
        List<String> addresses = List.of(FreePorts.loopbackAddress(), FreePorts.loopbackAddress(), FreePorts.loopbackAddress());
        String yaml = "cluster:\n  peers: [" + String.join(", ", addresses) + "]\n" + ALLOW;
        for (String address : addresses) {
            start(KamaConfig.parse(yaml, "test").withNodeAddress(address));
        }
        Cache<Integer, String> first = managers.get(0).createCache("scores",
                new MutableConfiguration<Integer, String>().setTypes(Integer.class, String.class));

        Cache<Integer, String> second = managers.get(1).getCache("scores", Integer.class, String.class);
        Cache<Integer, String> third = managers.get(2).getCache("scores", Integer.class, String.class);
        assertThat(second).as("a cache created on one node exists on all of them").isNotNull();
        assertThat(third).isNotNull();

        for (int i = 0; i < 300; i++) {
            first.put(i, "v" + i);
        }
        assertThat(ownersOf(300)).as("keys spread over all three nodes").hasSize(3);
        for (int i = 0; i < 300; i++) {
            assertThat(second.get(i)).isEqualTo("v" + i);
            assertThat(third.get(i)).isEqualTo("v" + i);
        }
        assertThat(second.getAndPut(7, "seven")).isEqualTo("v7");
        assertThat(third.replace(7, "seven", "SEVEN")).isTrue();
        assertThat(first.get(7)).isEqualTo("SEVEN");
        assertThat(third.invoke(8, new Append(), "!")).isEqualTo("v8!");
        assertThat(first.get(8)).isEqualTo("v8!");
        for (int key = 10; key < 20; key++) { // on every node: a null argument travels as null
            assertThat(third.invoke(key, new Append(), (Object) null)).isEqualTo("v" + key + "null");
        }
        assertThat(second.getAll(Set.of(1, 2, 3, 1000))).isEqualTo(Map.of(1, "v1", 2, "v2", 3, "v3"));

        Set<Integer> iterated = new HashSet<>();
        third.forEach(entry -> iterated.add(entry.getKey()));
        assertThat(iterated).hasSize(300);

        second.removeAll(Set.of(1, 2, 3));
        assertThat(first.containsKey(1)).isFalse();
        third.clear();
        for (int i = 0; i < 300; i++) {
            assertThat(first.containsKey(i)).as("key %s after clear", i).isFalse();
        }
        managers.get(0).destroyCache("scores");
        assertThat(managers.get(1).getCache("scores")).as("destroy reaches every node").isNull();
    }

    /**
     * What must travel to other nodes is checked when it is given, whoever owns a key: a
     * configuration whose factories cannot be sent fails createCache and leaves no cache, and
     * an entry processor or argument that cannot be sent is refused for the keys of this node too.
     */
    @Test
    void whatCannotTravelIsRefusedWhereverItsKeysLie() {
        List<String> addresses = List.of(FreePorts.loopbackAddress(), FreePorts.loopbackAddress());
        String yaml = "cluster:\n  peers: [" + String.join(", ", addresses) + "]\n" + ALLOW;
        for (String address : addresses) {
            start(KamaConfig.parse(yaml, "test").withNodeAddress(address));
        }
        Factory<CacheLoader<Integer, String>> lambda = CountingLoader::new;
        assertThatThrownBy(() -> managers.get(0).createCache("lambdas", new MutableConfiguration<Integer, String>()
                .setTypes(Integer.class, String.class).setReadThrough(true).setCacheLoaderFactory(lambda)))
                .isInstanceOf(CacheException.class)
                .hasMessageContaining("the configuration of cache 'lambdas' cannot travel to the other nodes")
                .hasMessageContaining("java.lang.invoke.SerializedLambda");
        assertThat(managers.get(0).getCacheNames()).as("nothing half-made").doesNotContain("lambdas");
        assertThat(managers.get(1).getCache("lambdas")).isNull();

        Cache<Integer, String> cache = managers.get(0).createCache("scores",
                new MutableConfiguration<Integer, String>().setTypes(Integer.class, String.class));
        EntryProcessor<Integer, String, String> notSerializable = (entry, arguments) -> entry.getValue();
        for (int i = 0; i < 20; i++) {
            cache.put(i, "v" + i);
            int key = i;
            assertThatThrownBy(() -> cache.invoke(key, notSerializable)).isInstanceOf(CacheException.class)
                    .hasMessageContaining("cache 'scores': entry processor " + notSerializable.getClass().getName()
                            + " cannot be sent to its key's owner")
                    .hasMessageContaining("does not implement java.io.Serializable");
            assertThatThrownBy(() -> cache.invoke(key, new Append(), new Object())).isInstanceOf(CacheException.class)
                    .hasMessageContaining("argument 0 of entry processor " + Append.class.getName() + " cannot be sent")
                    .hasMessageContaining("class java.lang.Object does not implement java.io.Serializable");
            assertThatThrownBy(() -> cache.invoke(key, new Append(), new java.awt.Point(1, 2)))
                    .isInstanceOf(CacheException.class)
                    .hasMessageContaining("class java.awt.Point is not in the serialization allow-list");
            assertThat(cache.get(key)).as("nothing ran").isEqualTo("v" + i);
        }
        assertThat(ownersOf(20)).as("keys of both nodes").hasSize(2);
        assertThatThrownBy(() -> cache.invokeAll(Set.of(1, 2, 3), notSerializable)).isInstanceOf(CacheException.class)
                .hasMessageContaining("does not implement java.io.Serializable");
        assertThat(cache.invoke(1, new Append(), "!")).as("what can travel runs").isEqualTo("v1!");

        for (int i = 0; i < 20; i++) {
            int key = i;
            assertThatThrownBy(() -> cache.invoke(key, new MarkReturningObject())).isInstanceOf(EntryProcessorException.class)
                    .hasMessageContaining("the entry processor's result cannot be sent to its caller")
                    .hasMessageContaining("its changes to the entry were made");
            assertThat(cache.get(key)).isEqualTo("marked");
        }
        Map<Integer, EntryProcessorResult<Object>> results = cache.invokeAll(
                IntStream.range(100, 120).boxed().collect(Collectors.toSet()), new MarkReturningObject());
        assertThat(results).hasSize(20).allSatisfy((key, result) ->
                assertThatThrownBy(result::get).isInstanceOf(EntryProcessorException.class)
                        .hasMessageContaining("result cannot be sent"));
        assertThat(cache.get(100)).isEqualTo("marked");
    }

    @Test
    void whatIsLargerThanAMessageTravelsInPiecesOrIsRefusedWhereverItsKeysLie() throws InterruptedException {
        List<String> addresses = List.of(FreePorts.loopbackAddress(), FreePorts.loopbackAddress());
        String yaml = "cluster:\n  peers: [" + String.join(", ", addresses) + "]\n  maxMessageBytes: 64KiB\n" + ALLOW;
        for (String address : addresses) {
            start(KamaConfig.parse(yaml, "test").withNodeAddress(address));
        }
        MutableConfiguration<String, byte[]> configuration = new MutableConfiguration<String, byte[]>()
                .setTypes(String.class, byte[].class)
                .setReadThrough(true)
                .setCacheLoaderFactory(FactoryBuilder.factoryOf(LargeLoader.class));
        Cache<String, byte[]> first = managers.get(0).createCache("large", configuration);
        Cache<String, byte[]> second = managers.get(1).getCache("large", String.class, byte[].class);
        second.registerCacheEntryListener(new MutableCacheEntryListenerConfiguration<>(
                FactoryBuilder.factoryOf(LargeHeard.class), null, true, true));
        LargeHeard.CREATED.clear();

        Map<String, byte[]> batch = new HashMap<>(); // 500 KiB, over both nodes: several messages to each
        for (int i = 0; i < 500; i++) {
            byte[] value = new byte[1024];
            Arrays.fill(value, (byte) i);
            batch.put("k" + i, value);
        }
        first.putAll(batch);
        Map<String, byte[]> read = second.getAll(batch.keySet());
        assertThat(read).hasSize(500);
        batch.forEach((key, value) -> assertThat(read.get(key)).as(key).isEqualTo(value));
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (LargeHeard.CREATED.size() < 500 && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertThat(LargeHeard.CREATED).as("a listener on the other node hears every entry, values too")
                .hasSize(500).allSatisfy(size -> assertThat(size).isEqualTo(1024));
        Map<String, EntryProcessorResult<byte[]>> results = second.invokeAll(batch.keySet(), new ReadValue());
        assertThat(results).hasSize(500);
        batch.forEach((key, value) -> assertThat(results.get(key).get()).as(key).isEqualTo(value));
        Map<String, byte[]> longKeys = new HashMap<>(); // 200 KiB of keys: another node lists its keys in pieces too
        for (int i = 0; i < 200; i++) {
            longKeys.put(i + "x".repeat(1024), new byte[1]);
        }
        second.putAll(longKeys);
        Set<String> iterated = new HashSet<>();
        first.forEach(entry -> iterated.add(entry.getKey()));
        assertThat(iterated).hasSize(700).containsAll(longKeys.keySet()).containsAll(batch.keySet());

        byte[] tooLarge = new byte[80 << 10];
        for (int i = 0; i < 20; i++) { // keys on both nodes
            String key = "large-" + i;
            assertThatThrownBy(() -> first.put(key, tooLarge)).isInstanceOf(CacheException.class)
                    .hasMessageContaining("cache 'large': key '" + key + "' with its value takes")
                    .hasMessageContaining("cluster.maxMessageBytes: 65536")
                    .hasMessageContaining("nothing was run or stored");
            assertThat(first.containsKey(key)).isFalse();
        }
        Map<String, byte[]> withOneTooLarge = new HashMap<>();
        for (int i = 0; i < 20; i++) {
            withOneTooLarge.put("other-" + i, new byte[10]);
        }
        withOneTooLarge.put("large-0", tooLarge);
        assertThatThrownBy(() -> second.putAll(withOneTooLarge)).isInstanceOf(CacheException.class)
                .hasMessageContaining("key 'large-0' with its value takes");
        assertThat(second.getAll(withOneTooLarge.keySet())).as("nothing of the batch was stored").isEmpty();

        // a loader or an entry processor may set a value no message can carry: refused alike wherever the key lies
        for (int i = 0; i < 20; i++) {
            String key = "loaded-" + i;
            String stored = "k" + i;
            assertThatThrownBy(() -> first.get(key)).isInstanceOf(CacheLoaderException.class)
                    .hasMessageContaining("cache 'large': the loader set a value of 81921 bytes for key " + key)
                    .hasMessageContaining("it was not stored");
            assertThatThrownBy(() -> first.invoke(stored, new SetLarge())).isInstanceOf(EntryProcessorException.class)
                    .hasMessageContaining("the entry processor set a value of 81921 bytes for key " + stored);
            assertThat(first.get(stored)).as("unchanged, and the stream lives on").isEqualTo(batch.get(stored));
        }
        assertThat(managers.stream().mapToLong(m -> m.getCache("large", String.class, byte[].class)
                .unwrap(Group.class).stats().entries()).sum()).isEqualTo(700);

        // an update event carries the value and the old one: 80 KiB together, more than a message of 64 KiB
        UpdatesHeard.HEARD.clear();
        first.registerCacheEntryListener(new MutableCacheEntryListenerConfiguration<>(
                FactoryBuilder.factoryOf(UpdatesHeard.class), null, true, true));
        String remote = IntStream.range(0, 100).mapToObj(i -> "update-" + i).filter(key -> managers.get(0).ring()
                .ownerOf(Codec.create(List.of(), null).encode(key)).equals(addresses.get(1))).findFirst().orElseThrow();
        first.put(remote, filled(40 << 10, 1));
        first.put(remote, filled(40 << 10, 7)); // runs at its owner, the second node: the event comes in the reply
        assertThat(UpdatesHeard.HEARD).as("a synchronous listener hears it before the put returns")
                .containsExactly(remote + ": 40960 x 1 -> 40960 x 7");
        second.put(remote, filled(40 << 10, 9)); // runs there: the event goes to the first node's listener
        deadline = System.nanoTime() + 10_000_000_000L;
        while (UpdatesHeard.HEARD.size() < 2 && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertThat(UpdatesHeard.HEARD).as("and so does a listener on another node")
                .containsExactly(remote + ": 40960 x 1 -> 40960 x 7", remote + ": 40960 x 7 -> 40960 x 9");
        // replace(key, old, new) carries two values as well
        assertThat(first.replace(remote, filled(40 << 10, 9), filled(40 << 10, 3))).isTrue();
        assertThat(first.replace(remote, filled(40 << 10, 9), filled(40 << 10, 4))).isFalse();
        assertThat(UpdatesHeard.HEARD).hasSize(3).endsWith(remote + ": 40960 x 9 -> 40960 x 3");
        assertThatThrownBy(() -> first.replace(remote, filled(70 << 10, 3), filled(1, 5)))
                .isInstanceOf(CacheException.class).hasMessageContaining("nothing was run or stored");
        assertThat(second.get(remote)).isEqualTo(filled(40 << 10, 3));
    }

    private static byte[] filled(int length, int value) {
        byte[] bytes = new byte[length];
        Arrays.fill(bytes, (byte) value);
        return bytes;
    }

    @Test
    void repliesAndEventsFitTheCallersMessageLimitWhenItIsSmallerThanTheOwners() throws InterruptedException {
        List<String> addresses = startNodesWithSmallAndLargeMessageLimits();
        Cache<Integer, byte[]> small = managers.get(0).getCache("limits", Integer.class, byte[].class);
        small.registerCacheEntryListener(new MutableCacheEntryListenerConfiguration<>(
                FactoryBuilder.factoryOf(SizeHeard.class), null, true, false));
        SizeHeard.CREATED.clear();
        Cache<Integer, byte[]> large = managers.get(1).getCache("limits", Integer.class, byte[].class);
        Codec codec = Codec.create(List.of(), null);
        Map<Integer, byte[]> batch = new HashMap<>(); // 300 KiB, all of it owned by the node with the larger limit
        for (int i = 0; batch.size() < 300; i++) {
            if (managers.get(1).ring().ownerOf(codec.encode(i)).equals(addresses.get(1))) {
                batch.put(i, new byte[1024]);
            }
        }
        large.putAll(batch); // runs there alone: its events go to the other node's listener
        assertThat(small.getAll(batch.keySet())).as("read back from the node with the larger limit").hasSize(300);
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (SizeHeard.CREATED.size() < 300 && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertThat(SizeHeard.CREATED).as("events sent in messages the listening node takes in").hasSize(300);
        Set<Integer> iterated = new HashSet<>();
        small.forEach(entry -> iterated.add(entry.getKey()));
        assertThat(iterated).isEqualTo(batch.keySet());
    }

    @Test
    void requestsFitTheOwnersMessageLimitWhenItIsSmallerThanTheCallers() throws InterruptedException {
        List<String> addresses = startNodesWithSmallAndLargeMessageLimits();
        Cache<Integer, byte[]> large = managers.get(1).getCache("limits", Integer.class, byte[].class);
        Codec codec = Codec.create(List.of(), null);
        List<Integer> ownedBySmall = IntStream.iterate(0, i -> i + 1)
                .filter(i -> managers.get(1).ring().ownerOf(codec.encode(i)).equals(addresses.get(0)))
                .limit(310).boxed().toList();
        Map<Integer, byte[]> batch = new HashMap<>(); // 300 KiB, all of it owned by the node with the smaller limit
        ownedBySmall.subList(0, 300).forEach(key -> batch.put(key, new byte[1024]));

        large.putAll(batch);
        assertThat(large.getAll(batch.keySet())).as("sent in messages the owner takes in").hasSize(300);

        int huge = ownedBySmall.get(300);
        assertThatThrownBy(() -> large.put(huge, new byte[100 * 1024]))
                .isInstanceOf(CacheException.class)
                .hasMessageContaining("more than the 65536 " + addresses.get(0) + " takes in")
                .hasMessageContaining("nothing was sent");
        Map<Integer, byte[]> withHuge = Map.of(ownedBySmall.get(301), new byte[10], huge, new byte[100 * 1024]);
        assertThatThrownBy(() -> large.putAll(withHuge))
                .isInstanceOf(CacheException.class)
                .hasMessageContaining("key '" + huge + "'")
                .hasMessageContaining("its owner " + addresses.get(0) + " has room for")
                .hasMessageContaining("nothing was run or stored");
        assertThat(large.containsKey(huge)).isFalse();
        assertThat(large.containsKey(ownedBySmall.get(301))).isFalse();

        // a refused message is never sent, so the calls of other threads on the same stream go on
        AtomicInteger failed = new AtomicInteger();
        CountDownLatch done = new CountDownLatch(4);
        for (int t = 0; t < 4; t++) {
            int thread = t;
            new Thread(() -> {
                try {
                    for (int i = 0; i < 300; i++) {
                        int key = ownedBySmall.get((thread * 300 + i) % 300);
                        try {
                            large.put(key, new byte[1024]);
                            large.get(key);
                        } catch (CacheException e) {
                            failed.incrementAndGet();
                        }
                    }
                } finally {
                    done.countDown();
                }
            }).start();
        }
        for (int i = 0; i < 20; i++) {
            assertThatThrownBy(() -> large.put(huge, new byte[100 * 1024])).isInstanceOf(CacheException.class);
        }
        assertThat(done.await(60, TimeUnit.SECONDS)).isTrue();
        assertThat(failed).as("calls of other threads that failed").hasValue(0);
    }

    /**
     * Two nodes, the first taking in messages of at most 64 KiB and the second of 8 MiB,
     * and a cache {@code limits} of Integer keys and byte[] values; returns their addresses.
     */
    private List<String> startNodesWithSmallAndLargeMessageLimits() {
        List<String> addresses = List.of(FreePorts.loopbackAddress(), FreePorts.loopbackAddress());
        String peers = "cluster:\n  peers: [" + String.join(", ", addresses) + "]\n";
        start(KamaConfig.parse(peers + "  maxMessageBytes: 64KiB\n", "small").withNodeAddress(addresses.get(0)));
        start(KamaConfig.parse(peers + "  maxMessageBytes: 8MiB\n", "large").withNodeAddress(addresses.get(1)));
        managers.get(0).createCache("limits", new MutableConfiguration<Integer, byte[]>()
                .setTypes(Integer.class, byte[].class));
        return addresses;
    }

    @Test
    void listenersOnOneNodeHearOperationsCalledOnAnother() throws InterruptedException {
        List<String> addresses = List.of(FreePorts.loopbackAddress(), FreePorts.loopbackAddress(), FreePorts.loopbackAddress());
        String yaml = "cluster:\n  peers: [" + String.join(", ", addresses) + "]\n" + ALLOW;
        for (String address : addresses) {
            start(KamaConfig.parse(yaml, "test").withNodeAddress(address));
        }
        Cache<Integer, String> first = managers.get(0).createCache("heard",
                new MutableConfiguration<Integer, String>().setTypes(Integer.class, String.class));
        Cache<Integer, String> second = managers.get(1).getCache("heard", Integer.class, String.class);
        MutableCacheEntryListenerConfiguration<Integer, String> listener = new MutableCacheEntryListenerConfiguration<>(
                FactoryBuilder.factoryOf(Heard.class), null, false, false);
        second.registerCacheEntryListener(listener);

        for (int i = 0; i < 300; i++) {
            first.put(i, "v" + i);
        }
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (Heard.CREATED.size() < 300 && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertThat(new HashSet<>(Heard.CREATED)).as("events of keys owned by every node, called on another")
                .hasSize(300);

        second.deregisterCacheEntryListener(listener);
        first.put(1000, "after");
        Thread.sleep(300);
        assertThat(Heard.CREATED).as("nothing after deregistration").hasSize(300);
    }

    /**
     * A synchronous listener that throws fails the call whose event it heard, as the spec
     * has it, on a node and on a client, wherever the key's owner is; the change stays.
     */
    @Test
    void aSynchronousListenersFailureReachesTheCallWhoseEventItHeard() {
        startNodesAndClient("", "  refused:\n    keyType: java.lang.Integer\n    valueType: java.lang.String\n");
        assertThat(ownersOf(30)).as("keys of every node").hasSize(3);
        for (int m : List.of(1, 3)) {
            Cache<Integer, String> cache = managers.get(m).getCache("refused", Integer.class, String.class);
            MutableCacheEntryListenerConfiguration<Integer, String> listener = new MutableCacheEntryListenerConfiguration<>(
                    FactoryBuilder.factoryOf(Refusing.class), null, false, true);
            cache.registerCacheEntryListener(listener);
            for (int i = 0; i < 30; i++) {
                int key = m * 100 + i;
                assertThatThrownBy(() -> cache.put(key, "v")).as("a put on " + (m == 3 ? "the client" : "node " + m))
                        .isInstanceOf(CacheEntryListenerException.class).hasStackTraceContaining("refuses");
                assertThat(cache.get(key)).isEqualTo("v");
            }
            Cache<Integer, String> other = managers.get(m == 1 ? 0 : 1).getCache("refused", Integer.class, String.class);
            for (int i = 0; i < 30; i++) { // the listener hears another member's calls asynchronously, wherever they run
                other.put(1000 + m * 100 + i, "w");
            }
            cache.deregisterCacheEntryListener(listener);
        }
    }

    @Test
    void aSynchronousListenerThatWritesToItsCacheDoesNotWaitForItself() throws Exception {
        // A call that waited for its own listener would wait out this deadline.
        startNodesAndClient("  rpcTimeout: 60s\n", "  copied:\n    keyType: java.lang.String\n    valueType: java.lang.String\n");
        ExecutorService caller = Executors.newSingleThreadExecutor();
        try {
            for (int m : List.of(1, 3)) {
                Cache<String, String> cache = managers.get(m).getCache("copied", String.class, String.class);
                MutableCacheEntryListenerConfiguration<String, String> listener = new MutableCacheEntryListenerConfiguration<>(
                        FactoryBuilder.factoryOf(new KamaCacheTest.Copying("copied")), null, false, true);
                cache.registerCacheEntryListener(listener);
                KamaCacheTest.Copying.heard = new CountDownLatch(3 * 20);
                for (int i = 0; i < 20; i++) {
                    String key = m + "-" + i;
                    caller.submit(() -> cache.put(key, "v")).get(20, TimeUnit.SECONDS);
                    assertThat(cache.get("copy-" + key)).as("the listener's write on " + (m == 3 ? "the client" : "node " + m))
                            .isEqualTo("v");
                }
                assertThat(KamaCacheTest.Copying.heard.await(20, TimeUnit.SECONDS)).as("the copies are heard too").isTrue();
                cache.deregisterCacheEntryListener(listener);
            }
        } finally {
            caller.shutdownNow();
        }
    }

    public static final class Refusing implements CacheEntryCreatedListener<Integer, String>, Serializable {
        @Override
        public void onCreated(Iterable<CacheEntryEvent<? extends Integer, ? extends String>> events) {
            throw new IllegalStateException("this listener refuses every event");
        }
    }

    @Test
    void loaderRunsOnceAtTheOwnerAndListenersHearRemoteWrites() throws InterruptedException {
        List<String> addresses = List.of(FreePorts.loopbackAddress(), FreePorts.loopbackAddress(), FreePorts.loopbackAddress());
        String yaml = "cluster:\n  etcd:\n    endpoints: [" + ETCD.endpoint() + "]\n    service: jcache-"
                + System.nanoTime() + "\n    leaseTtl: 2s\n" + ALLOW;
        for (String address : addresses) {
            start(KamaConfig.parse(yaml, "test").withNodeAddress(address));
        }
        awaitMembers(addresses);
        MutableConfiguration<Integer, String> configuration = new MutableConfiguration<Integer, String>()
                .setTypes(Integer.class, String.class)
                .setReadThrough(true)
                .setCacheLoaderFactory(FactoryBuilder.factoryOf(CountingLoader.class));
        Cache<Integer, String> first = managers.get(0).createCache("loaded", configuration);
        first.registerCacheEntryListener(new MutableCacheEntryListenerConfiguration<>(
                FactoryBuilder.factoryOf(Recorder.class), null, false, true));

        for (int i = 0; i < 100; i++) {
            for (KamaCacheManager manager : managers) {
                assertThat(manager.getCache("loaded", Integer.class, String.class).get(i)).isEqualTo("loaded " + i);
            }
        }
        assertThat(LOADS).hasSize(100);
        assertThat(LOADS.values()).allSatisfy(count -> assertThat(count.get()).isEqualTo(1));

        Recorder.CREATED.clear();
        for (int i = 1000; i < 1100; i++) {
            first.put(i, "x");
        }
        assertThat(Recorder.CREATED).as("synchronous listener on the calling node, for keys owned anywhere")
                .hasSize(100);

        managers.remove(2).close();
        Node node = managers.get(0).unwrap(Node.class);
        long leftBy = System.nanoTime() + 10_000_000_000L;
        while (node.ring().members().size() != 2 && System.nanoTime() < leftBy) {
            Thread.onSpinWait();
        }
        for (int i = 0; i < 100; i++) {
            assertThat(first.get(i)).isEqualTo("loaded " + i);
        }
        assertThat(LOADS.values()).as("a closing cache manager hands its entries off: nothing is loaded again")
                .allSatisfy(count -> assertThat(count.get()).isEqualTo(1));
    }

    /**
     * A node that joins answers for the keys it takes over with what their previous owners
     * hold before they have handed it over, and never loads them: here the hand-offs wait,
     * for they run on the old owners' maintenance threads, which the removal listener of a
     * group of the test's holds until the end.
     */
    @Test
    void aJoiningNodeAnswersWithWhatThePreviousOwnersHoldBeforeTheyHandItOver() throws InterruptedException {
        String yaml = "cluster:\n  etcd:\n    endpoints: [" + ETCD.endpoint() + "]\n    service: joined-"
                + System.nanoTime() + "\n    leaseTtl: 2s\n" + ALLOW;
        List<String> addresses = List.of(FreePorts.loopbackAddress(), FreePorts.loopbackAddress(), FreePorts.loopbackAddress());
        start(KamaConfig.parse(yaml, "test").withNodeAddress(addresses.get(0)));
        start(KamaConfig.parse(yaml, "test").withNodeAddress(addresses.get(1)));
        awaitMembers(addresses.subList(0, 2));
        Cache<Integer, String> first = managers.get(0).createCache("taken", new MutableConfiguration<Integer, String>()
                .setTypes(Integer.class, String.class)
                .setReadThrough(true)
                .setCacheLoaderFactory(FactoryBuilder.factoryOf(CountingLoader.class)));
        for (int i = 0; i < 300; i++) {
            first.put(i, "v" + i);
        }
        CountDownLatch held = new CountDownLatch(2);
        CountDownLatch release = new CountDownLatch(1);
        Cache<Integer, String> third;
        List<Integer> taken;
        try {
            for (KamaCacheManager manager : managers) {
                holdMaintenance(manager.unwrap(Node.class), held, release);
            }
            assertThat(held.await(10, TimeUnit.SECONDS)).as("both maintenance threads held").isTrue();

            start(KamaConfig.parse(yaml, "test").withNodeAddress(addresses.get(2)));
            awaitMembers(addresses);
            Node joined = managers.get(2).unwrap(Node.class);
            Codec codec = Codec.create(List.of(), null);
            taken = IntStream.range(0, 300).boxed()
                    .filter(i -> joined.ring().ownerOf(codec.encode(i)).equals(joined.selfAddress())).toList();
            assertThat(taken).hasSizeGreaterThan(2);

            first.put(taken.get(0), "new"); // the joined node learns the cache from this call
            third = managers.get(2).getCache("taken", Integer.class, String.class);
            assertThat(third.unwrap(Group.class).isTakingOver()).isTrue();
            assertThat(third.getAndRemove(taken.get(1))).isEqualTo("v" + taken.get(1));
            for (int key : taken.subList(2, taken.size())) {
                assertThat(first.get(key)).as("called on a node that sees the joined one own it").isEqualTo("v" + key);
                assertThat(third.get(key)).as("called on the joined node").isEqualTo("v" + key);
            }
            assertThat(LOADS).as("keys loaded though a previous owner held them").isEmpty();
        } finally {
            release.countDown();
        }
        Group group = third.unwrap(Group.class);
        long deadline = System.nanoTime() + 20_000_000_000L;
        while (group.isTakingOver() && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertThat(group.isTakingOver()).as("the take-over ends once the old owners have handed off").isFalse();
        assertThat(first.get(taken.get(0))).as("the write wins over the late hand-off").isEqualTo("new");
        assertThat(first.containsKey(taken.get(1))).as("the removal wins over the late hand-off").isFalse();
        assertThat(LOADS).isEmpty();
    }

    @Test
    void aJoiningNodeWithASmallerMessageLimitIsHandedItsEntriesInMessagesItTakesIn() throws InterruptedException {
        String etcd = "  etcd:\n    endpoints: [" + ETCD.endpoint() + "]\n    service: limits-" + System.nanoTime()
                + "\n    leaseTtl: 2s\n";
        List<String> addresses = List.of(FreePorts.loopbackAddress(), FreePorts.loopbackAddress());
        start(KamaConfig.parse("cluster:\n  maxMessageBytes: 8MiB\n" + etcd, "large").withNodeAddress(addresses.get(0)));
        awaitMembers(addresses.subList(0, 1));
        Cache<Integer, byte[]> large = managers.get(0).createCache("handed", new MutableConfiguration<Integer, byte[]>()
                .setTypes(Integer.class, byte[].class));
        for (int i = 0; i < 300; i++) {
            large.put(i, new byte[1024]);
        }
        start(KamaConfig.parse("cluster:\n  maxMessageBytes: 64KiB\n" + etcd, "small").withNodeAddress(addresses.get(1)));
        awaitMembers(addresses);
        Node small = managers.get(1).unwrap(Node.class);
        Codec codec = Codec.create(List.of(), null);
        List<Integer> taken = IntStream.range(0, 300).boxed()
                .filter(i -> small.ring().ownerOf(codec.encode(i)).equals(small.selfAddress())).toList();
        assertThat(taken.size() * 1024).as("more than one message to the joined node").isGreaterThan(128 * 1024);

        large.put(taken.get(0), new byte[1024]); // the joined node learns the cache from this call
        Group left = large.unwrap(Group.class);
        Group joined = managers.get(1).getCache("handed", Integer.class, byte[].class).unwrap(Group.class);
        long deadline = System.nanoTime() + 20_000_000_000L;
        while ((left.stats().entries() > 300 - taken.size() || joined.isTakingOver()) && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertThat(left.stats().entries()).as("what the first node still holds").isEqualTo(300 - taken.size());
        assertThat(joined.stats().entries()).as("what the joined node was handed").isEqualTo(taken.size());
        assertThat(joined.isTakingOver()).isFalse();
    }

    /** Holds a node's maintenance thread until {@code release}: a removal listener waits on it. */
    private static void holdMaintenance(Node node, CountDownLatch held, CountDownLatch release) {
        Group hold = node.newGroup("hold", key -> null, StoreOptions.builder().expireAfterWrite(Duration.ofMillis(1)).build(),
                (key, value, cause) -> {
                    held.countDown();
                    try {
                        release.await(30, TimeUnit.SECONDS);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                });
        String key = IntStream.range(0, 100).mapToObj(i -> "hold-" + i)
                .filter(k -> node.ring().ownerOf(k).equals(node.selfAddress())).findFirst().orElseThrow();
        hold.set(key, key.getBytes(StandardCharsets.UTF_8)); // expires at once: the sweep finds it
    }

    /** Waits until every node's ring is {@code addresses}: views travel through etcd's watch. */
    private void awaitMembers(List<String> addresses) throws InterruptedException {
        long deadline = System.nanoTime() + 10_000_000_000L;
        for (KamaCacheManager manager : managers) {
            Node node = manager.unwrap(Node.class);
            while (!node.ring().members().equals(Set.copyOf(addresses)) && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            assertThat(node.ring().members()).containsExactlyInAnyOrderElementsOf(addresses);
        }
    }

    @Test
    void anUnreachableEtcdIsACacheExceptionNamingItWithinTheConnectTimeout(@TempDir Path dir) throws IOException {
        String nowhere = "http://127.0.0.1:" + FreePorts.port();
        Path file = dir.resolve("cluster.yaml");
        Files.writeString(file, "node:\n  address: 127.0.0.1:0\ncluster:\n  etcd:\n    endpoints: [" + nowhere
                + "]\n    connectTimeout: 1s\n");
        CachingProvider provider = Caching.getCachingProvider(KamaCachingProvider.class.getName());
        long start = System.nanoTime();

        assertThatThrownBy(() -> provider.getCacheManager(file.toUri(), getClass().getClassLoader()))
                .isInstanceOf(CacheException.class)
                .hasMessageContaining("could not start its node")
                .hasMessageContaining(nowhere);
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(10));
    }

    private static final String ALLOW = "serialization:\n  allow:\n    - io.kamacache.jcache.**\n";

    /**
     * Starts three nodes of a static cluster, managers 0 to 2, and a client of theirs,
     * manager 3: {@code settings} are more lines under {@code cluster:}, {@code caches} the
     * lines under {@code caches:}.
     */
    private void startNodesAndClient(String settings, String caches) {
        List<String> addresses = List.of(FreePorts.loopbackAddress(), FreePorts.loopbackAddress(), FreePorts.loopbackAddress());
        String cluster = "cluster:\n" + settings + "  peers: [" + String.join(", ", addresses) + "]\n" + ALLOW
                + "caches:\n" + caches;
        for (String address : addresses) {
            start(KamaConfig.parse(cluster, "test").withNodeAddress(address));
        }
        managers.add(new KamaCacheManager(null, URI.create("kamacache:client"), getClass().getClassLoader(),
                new Properties(), KamaConfig.parse("mode: client\n" + cluster, "client"), InstantSource.system()));
    }

    private void start(KamaConfig config) {
        managers.add(new KamaCacheManager(null, URI.create("kamacache:" + config.node().address()),
                getClass().getClassLoader(), new Properties(), config, InstantSource.system()));
    }

    private Set<String> ownersOf(int keys) {
        Node node = managers.get(0).unwrap(Node.class);
        Codec codec = Codec.create(List.of(), null);
        Set<String> owners = new HashSet<>();
        for (int i = 0; i < keys; i++) {
            owners.add(node.ring().ownerOf(codec.encode(i)));
        }
        return owners;
    }

    public static final class CountingLoader implements CacheLoader<Integer, String>, Serializable {
        @Override
        public String load(Integer key) {
            LOADS.computeIfAbsent(key, k -> new AtomicInteger()).incrementAndGet();
            return "loaded " + key;
        }

        @Override
        public Map<Integer, String> loadAll(Iterable<? extends Integer> keys) {
            Map<Integer, String> loaded = new HashMap<>();
            keys.forEach(key -> loaded.put(key, load(key)));
            return loaded;
        }
    }

    /** Sets the value to "marked" and returns what cannot be serialized. */
    public static final class MarkReturningObject implements EntryProcessor<Integer, String, Object>, Serializable {
        @Override
        public Object process(MutableEntry<Integer, String> entry, Object... arguments) {
            entry.setValue("marked");
            return new Object();
        }
    }

    public static final class Append implements EntryProcessor<Integer, String, String>, Serializable {
        @Override
        public String process(MutableEntry<Integer, String> entry, Object... arguments) {
            entry.setValue(entry.getValue() + arguments[0]);
            return entry.getValue();
        }
    }

    /** Loads a value of 80 KiB, more than the test's 64 KiB messages carry, for keys named {@code loaded-}. */
    public static final class LargeLoader implements CacheLoader<String, byte[]>, Serializable {
        @Override
        public byte[] load(String key) {
            return key.startsWith("loaded-") ? new byte[80 << 10] : null;
        }

        @Override
        public Map<String, byte[]> loadAll(Iterable<? extends String> keys) {
            Map<String, byte[]> loaded = new HashMap<>();
            keys.forEach(key -> {
                byte[] value = load(key);
                if (value != null) {
                    loaded.put(key, value);
                }
            });
            return loaded;
        }
    }

    public static final class SetLarge implements EntryProcessor<String, byte[], Void>, Serializable {
        @Override
        public Void process(MutableEntry<String, byte[]> entry, Object... arguments) {
            entry.setValue(new byte[80 << 10]);
            return null;
        }
    }

    public static final class ReadValue implements EntryProcessor<String, byte[], byte[]>, Serializable {
        @Override
        public byte[] process(MutableEntry<String, byte[]> entry, Object... arguments) {
            return entry.getValue();
        }
    }

    public static final class SizeHeard implements CacheEntryCreatedListener<Integer, byte[]>, Serializable {
        static final List<Integer> CREATED = new CopyOnWriteArrayList<>();

        @Override
        public void onCreated(Iterable<CacheEntryEvent<? extends Integer, ? extends byte[]>> events) {
            events.forEach(event -> CREATED.add(event.getValue().length));
        }
    }

    /** The size of each created entry's value. */
    public static final class LargeHeard implements CacheEntryCreatedListener<String, byte[]>, Serializable {
        static final List<Integer> CREATED = new CopyOnWriteArrayList<>();

        @Override
        public void onCreated(Iterable<CacheEntryEvent<? extends String, ? extends byte[]>> events) {
            events.forEach(event -> CREATED.add(event.getValue().length));
        }
    }

    public static final class Heard implements CacheEntryCreatedListener<Integer, String>, Serializable {
        static final List<Integer> CREATED = new CopyOnWriteArrayList<>();

        @Override
        public void onCreated(Iterable<CacheEntryEvent<? extends Integer, ? extends String>> events) {
            events.forEach(event -> CREATED.add(event.getKey()));
        }
    }

    public static final class Recorder implements CacheEntryCreatedListener<Integer, String>, Serializable {
        static final List<Integer> CREATED = new CopyOnWriteArrayList<>();

        @Override
        public void onCreated(Iterable<CacheEntryEvent<? extends Integer, ? extends String>> events) {
            events.forEach(event -> CREATED.add(event.getKey()));
        }
    }
}
