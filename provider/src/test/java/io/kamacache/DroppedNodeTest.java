package io.kamacache;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.KeyValue;
import io.kamacache.discovery.EtcdMembership;
import io.kamacache.discovery.EtcdRegistration;
import io.kamacache.testing.EtcdExtension;
import io.kamacache.testing.FreePorts;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A node the membership drops while it runs (its etcd lease ends, as when it is frozen
 * past the lease) comes back without serving what it held: the others owned its keys
 * meanwhile, and what they wrote or removed then is what it serves when it is back.
 */
class DroppedNodeTest {

    @RegisterExtension
    static final EtcdExtension ETCD = new EtcdExtension();

    /** Renewed every third of it: the dropped node notices within 5 s, time enough to change keys before. */
    private static final Duration LEASE_TTL = Duration.ofSeconds(15);

    private final String service = "dropped-node-test-" + System.nanoTime();
    private final List<Node> nodes = new ArrayList<>();

    @AfterEach
    void close() {
        nodes.forEach(Node::close);
    }

    private Node start() {
        EtcdRegistration membership = EtcdRegistration.of(EtcdMembership.builder().endpoints(ETCD.endpoints())
                .serviceName(service).leaseTtl(LEASE_TTL).connectTimeout(Duration.ofSeconds(2)));
        Node node = Node.builder().selfAddress(FreePorts.loopbackAddress()).serviceName(service)
                .membership(membership).rpcTimeout(Duration.ofSeconds(3)).build();
        node.newGroup("scores", key -> ("loaded " + key).getBytes(StandardCharsets.UTF_8));
        nodes.add(node);
        return node;
    }

    @Test
    void aDroppedNodeServesWhatTheOthersWroteAndRemovedMeanwhile() throws Exception {
        Node dropped = start();
        Node other = start();
        Set<String> both = Set.of(dropped.selfAddress(), other.selfAddress());
        awaitTrue("both rings to hold both", () -> dropped.ring().members().equals(both)
                && other.ring().members().equals(both));
        List<String> keys = IntStream.range(0, 1_000).mapToObj(i -> "key-" + i)
                .filter(key -> dropped.ring().ownerOf(key).equals(dropped.selfAddress())).limit(20).toList();
        for (String key : keys) {
            other.getGroup("scores").set(key, ("old " + key).getBytes(StandardCharsets.UTF_8));
        }
        assertThat(dropped.getGroup("scores").stats().entries()).isEqualTo(keys.size());

        // what etcd does when a frozen node misses its renewals: the lease ends, its key goes
        try (Client client = Client.builder().endpoints(ETCD.endpoint()).build()) {
            ByteSequence key = ByteSequence.from("/kamacache/" + service + "/nodes/" + dropped.selfAddress(),
                    StandardCharsets.UTF_8);
            KeyValue kv = client.getKVClient().get(key).get(5, TimeUnit.SECONDS).getKvs().get(0);
            client.getLeaseClient().revoke(kv.getLease()).get(5, TimeUnit.SECONDS);
        }
        awaitTrue("the other node to drop it", () -> other.ring().members().equals(Set.of(other.selfAddress())));
        List<String> rewritten = keys.subList(0, 10);
        List<String> removed = keys.subList(10, 20);
        for (String key : rewritten) {
            other.getGroup("scores").set(key, ("new " + key).getBytes(StandardCharsets.UTF_8));
        }
        removed.forEach(other.getGroup("scores")::delete);
        assertThat(other.ring().members()).as("changed while the node was out").containsExactly(other.selfAddress());

        awaitTrue("the dropped node to be back", () -> other.ring().members().equals(both));
        for (Node node : nodes) {
            for (String key : rewritten) {
                assertThat(node.getGroup("scores").get(key)).as("%s through %s", key, node.selfAddress())
                        .hasToString("new " + key);
            }
            for (String key : removed) {
                assertThat(node.getGroup("scores").get(key)).as("%s through %s", key, node.selfAddress())
                        .hasToString("loaded " + key);
            }
        }
    }

    private static void awaitTrue(String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("waited 30 s for " + what);
            }
            Thread.sleep(20);
        }
    }
}
