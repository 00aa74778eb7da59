package io.kamacache;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.options.GetOption;
import io.kamacache.discovery.EtcdMembership;
import io.kamacache.discovery.EtcdRegistration;
import io.kamacache.testing.EtcdExtension;
import io.kamacache.testing.FreePorts;
import io.kamacache.testing.NodeProcess;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;

/** Nodes that find each other through a real etcd: the ring, joins, leaves, a crash, an etcd outage. */
class ClusterEtcdTest {

    @RegisterExtension
    static final EtcdExtension ETCD = new EtcdExtension();

    private static final AtomicInteger SERVICES = new AtomicInteger();
    private static final Duration LEASE_TTL = Duration.ofSeconds(2);

    private final String service = "cluster-etcd-test-" + SERVICES.incrementAndGet();
    private final List<Node> nodes = new ArrayList<>();
    private final ConcurrentHashMap<String, AtomicInteger> loads = new ConcurrentHashMap<>();
    private final ExecutorService pool = Executors.newFixedThreadPool(8);
    private Process otherJvm;

    @BeforeEach
    void startThreeNodes() {
        for (int i = 0; i < 3; i++) {
            startNode();
        }
        awaitRings(addresses());
    }

    @AfterEach
    void stopEverything() {
        pool.shutdownNow();
        if (otherJvm != null) {
            otherJvm.destroyForcibly();
        }
        nodes.forEach(Node::close);
    }

    private Node startNode() {
        String address = FreePorts.loopbackAddress();
        EtcdRegistration membership = EtcdRegistration.of(EtcdMembership.builder().endpoints(ETCD.endpoints()).serviceName(service)
                .leaseTtl(LEASE_TTL).connectTimeout(Duration.ofSeconds(2)));
        Node node = Node.builder().selfAddress(address).serviceName(service).membership(membership)
                .rpcTimeout(Duration.ofSeconds(3)).build();
        node.newGroup("scores", key -> {
            loads.computeIfAbsent(key, k -> new AtomicInteger()).incrementAndGet();
            if (key.startsWith("slow-")) {
                sleep(50); // long enough for concurrent misses to pile up
            }
            return NodeProcess.valueOf(key);
        });
        nodes.add(node);
        return node;
    }

    @Test
    void threeNodesFormARingAndAgreeOnTheOwnerOfEveryKey() {
        for (Node node : nodes) {
            assertThat(node.ring().members()).containsExactlyInAnyOrderElementsOf(addresses());
        }
        for (int i = 0; i < 10_000; i++) {
            String key = "key-" + i;
            String owner = nodes.get(0).ring().ownerOf(key);
            for (Node node : nodes) {
                assertThat(node.ring().ownerOf(key)).isEqualTo(owner);
            }
        }
    }

    @Test
    void aKeysGetterRunsOnceClusterWideUnderConcurrentGets() throws Exception {
        CountDownLatch start = new CountDownLatch(1);
        List<CompletableFuture<String>> results = new ArrayList<>();
        ExecutorService callers = Executors.newFixedThreadPool(50);
        try {
            for (int i = 0; i < 50; i++) {
                Node node = nodes.get(i % 3);
                results.add(CompletableFuture.supplyAsync(() -> {
                    await(start);
                    return node.getGroup("scores").get("slow-tom").toString();
                }, callers));
            }
            start.countDown();
            for (CompletableFuture<String> result : results) {
                assertThat(result.get(10, TimeUnit.SECONDS)).isEqualTo("value of slow-tom");
            }
        } finally {
            callers.shutdownNow();
        }
        assertThat(loads.get("slow-tom")).hasValue(1);
    }

    @Test
    void aSetOnOneNodeIsReadOnAnotherAndADeleteIsSeenEverywhere() {
        for (int i = 0; i < 100; i++) {
            nodes.get(i % 3).getGroup("scores").set("k" + i, ("v" + i).getBytes(StandardCharsets.UTF_8));
        }
        for (int i = 0; i < 100; i++) {
            for (Node node : nodes) {
                assertThat(node.getGroup("scores").get("k" + i)).hasToString("v" + i);
            }
        }
        assertThat(loads).isEmpty();
        for (int i = 0; i < 100; i++) {
            assertThat(nodes.get((i + 1) % 3).getGroup("scores").delete("k" + i)).isTrue();
        }
        for (int i = 0; i < 100; i++) {
            for (Node node : nodes) {
                assertThat(node.getGroup("scores").get("k" + i)).hasToString("value of k" + i);
            }
        }
        assertThat(loads).hasSize(100).allSatisfy((key, count) -> assertThat(count).hasValue(1));
    }

    @Test
    void aJoinAndAGracefulLeaveLoseNoEntry() {
        List<String> keys = IntStream.range(0, 10_000).mapToObj(i -> "entry-" + i).toList();
        forAll(keys, (key, i) -> nodes.get(i % 3).getGroup("scores").get(key));
        assertThat(totalLoads()).isEqualTo(10_000);

        startNode();
        awaitRings(addresses());
        awaitEntriesAtTheirOwners(keys);

        Node leaving = nodes.remove(1);
        leaving.close();
        awaitRings(addresses());
        awaitEntriesAtTheirOwners(keys);

        forAll(keys, (key, i) -> {
            for (Node node : nodes) {
                assertThat(node.getGroup("scores").get(key)).hasToString("value of " + key);
            }
        });
        assertThat(totalLoads()).as("getter calls after the join and the leave").isEqualTo(10_000);
    }

    @Test
    void aKilledNodeIsDroppedWithinTheLeaseTtlAndItsKeysAreServedByTheOthers() throws Exception {
        String address = FreePorts.loopbackAddress();
        otherJvm = startOtherJvm(address);
        Set<String> withOther = new HashSet<>(addresses());
        withOther.add(address);
        awaitRings(withOther);

        List<String> itsKeys = IntStream.range(0, 5_000).mapToObj(i -> "crash-" + i)
                .filter(key -> nodes.get(0).ring().ownerOf(key).equals(address)).limit(20).toList();
        assertThat(itsKeys).hasSize(20);
        for (String key : itsKeys) {
            assertThat(nodes.get(0).getGroup("scores").get(key)).hasToString("value of " + key);
        }
        assertThat(loads).as("loads in this JVM: the other JVM owns these keys").isEmpty();

        long killed = System.nanoTime();
        otherJvm.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        awaitRings(addresses());
        Duration dropped = Duration.ofNanos(System.nanoTime() - killed);
        assertThat(dropped).isLessThan(LEASE_TTL.plusSeconds(5));

        for (String key : itsKeys) {
            for (Node node : nodes) {
                assertThat(node.getGroup("scores").get(key)).hasToString("value of " + key);
            }
            assertThat(loads.get(key)).as("reloads of " + key).hasValue(1);
        }
    }

    @Test
    void anEtcdOutageKeepsTheNodesServingAndTheyRegisterAgainAfterIt() {
        List<String> keys = IntStream.range(0, 300).mapToObj(i -> "outage-" + i).toList();
        ETCD.stop();
        try {
            long until = System.nanoTime() + LEASE_TTL.multipliedBy(2).toNanos();
            int round = 0;
            while (System.nanoTime() < until) { // gets through two lease TTLs without etcd
                for (String key : keys.subList(round * 10 % 300, round * 10 % 300 + 10)) {
                    for (Node node : nodes) {
                        assertThat(node.getGroup("scores").get(key)).hasToString("value of " + key);
                    }
                }
                round++;
            }
            for (Node node : nodes) {
                assertThat(node.ring().members()).containsExactlyInAnyOrderElementsOf(addresses());
            }
        } finally {
            ETCD.start();
        }
        Set<String> expectedKeys = addresses().stream().map(a -> "/kamacache/" + service + "/nodes/" + a)
                .collect(Collectors.toSet());
        awaitTrue("every node registered in etcd again", () -> registeredKeys().equals(expectedKeys));
        for (Node node : nodes) {
            assertThat(node.ring().members()).containsExactlyInAnyOrderElementsOf(addresses());
        }
        assertThat(loads).allSatisfy((key, count) -> assertThat(count).as(key).hasValue(1));
    }

    private Process startOtherJvm(String address) throws Exception {
        Path log = Path.of(System.getProperty("basedir", "."), "target", "node-process-" + address.replace(':', '-') + ".log");
        Process process = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), NodeProcess.class.getName(),
                address, ETCD.endpoint(), service, Long.toString(LEASE_TTL.toSeconds()))
                .redirectError(log.toFile()).start();
        BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
        String line = CompletableFuture.supplyAsync(() -> {
            try {
                return out.readLine();
            } catch (java.io.IOException e) {
                return e.toString();
            }
        }, pool).get(30, TimeUnit.SECONDS);
        assertThat(line).as("first line of the node in another JVM; its errors are in " + log).isEqualTo("ready");
        return process;
    }

    private Set<String> addresses() {
        return nodes.stream().map(Node::selfAddress).collect(Collectors.toSet());
    }

    private long totalLoads() {
        return loads.values().stream().mapToLong(AtomicInteger::get).sum();
    }

    private void awaitRings(Set<String> members) {
        awaitTrue("every node's ring to be " + members,
                () -> nodes.stream().allMatch(n -> n.ring().members().equals(members)));
    }

    /** Waits until each node holds exactly the entries it owns: hand-offs done. */
    private void awaitEntriesAtTheirOwners(List<String> keys) {
        awaitTrue("every entry at its owner", () -> nodes.stream().allMatch(node -> {
            long owned = keys.stream().filter(k -> node.ring().ownerOf(k).equals(node.selfAddress())).count();
            return node.getGroup("scores").stats().entries() == owned;
        }));
    }

    private Set<String> registeredKeys() {
        try (Client client = Client.builder().endpoints(ETCD.endpoint()).build()) {
            ByteSequence prefix = ByteSequence.from("/kamacache/" + service + "/nodes/", StandardCharsets.UTF_8);
            return client.getKVClient().get(prefix, GetOption.builder().isPrefix(true).build()).get(5, TimeUnit.SECONDS)
                    .getKvs().stream().map(kv -> kv.getKey().toString(StandardCharsets.UTF_8)).collect(Collectors.toSet());
        } catch (Exception e) {
            return Set.of(); // not answering yet
        }
    }

    private interface KeyAction {
        void accept(String key, int index);
    }

    /** Runs {@code action} for every key on eight threads. */
    private void forAll(List<String> keys, KeyAction action) {
        List<CompletableFuture<Void>> parts = new ArrayList<>();
        for (int t = 0; t < 8; t++) {
            int first = t;
            parts.add(CompletableFuture.runAsync(() -> {
                for (int i = first; i < keys.size(); i += 8) {
                    action.accept(keys.get(i), i);
                }
            }, pool));
        }
        CompletableFuture.allOf(parts.toArray(CompletableFuture[]::new)).orTimeout(60, TimeUnit.SECONDS).join();
    }

    private static void awaitTrue(String what, BooleanSupplier condition) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("waited 20 s for " + what);
            }
            sleep(20);
        }
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await();
        } catch (InterruptedException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
