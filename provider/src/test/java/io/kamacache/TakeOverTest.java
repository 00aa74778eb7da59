package io.kamacache;

import io.kamacache.testing.FreePorts;
import io.kamacache.testing.ManualMembership;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A node that joins takes over ranges whose entries are still with their previous owners.
 * The views are reported by hand, so the window is held open for as long as the test
 * needs: one previous owner sees the join at once, the other only once the test says so,
 * as a member whose etcd watch lags behind would.
 */
class TakeOverTest {

    private static final int KEYS = 300;

    private final List<Node> nodes = new ArrayList<>();
    private final Map<String, AtomicInteger> loads = new ConcurrentHashMap<>();

    @AfterEach
    void closeNodes() {
        nodes.forEach(Node::close);
    }

    @Test
    void aJoiningNodeServesWhatThePreviousOwnersHoldAndItsOwnWritesWinOverALateHandOff() throws InterruptedException {
        String a = FreePorts.loopbackAddress();
        String b = FreePorts.loopbackAddress();
        String c = FreePorts.loopbackAddress();
        ManualMembership aViews = new ManualMembership(Set.of(b));
        ManualMembership bViews = new ManualMembership(Set.of(a));
        Node nodeA = start(a, aViews);
        Node nodeB = start(b, bViews);
        List<String> keys = IntStream.range(0, KEYS).mapToObj(i -> "key-" + i).toList();
        keys.forEach(key -> nodeA.getGroup("scores").set(key, bytes("v " + key)));

        Node nodeC = start(c, new ManualMembership(Set.of(a, b)));
        bViews.report(Set.of(a, c)); // b hands off to c; a has not seen c join
        List<String> taken = keys.stream().filter(key -> nodeC.ring().ownerOf(key).equals(c)).toList();
        List<String> fromA = taken.stream().filter(key -> nodeA.ring().ownerOf(key).equals(a)).toList();
        assertThat(fromA).as("keys c takes over from a").hasSizeGreaterThan(2);
        assertThat(taken).as("keys c takes over from b too").hasSizeGreaterThan(fromA.size());
        Group atB = nodeB.getGroup("scores");
        Group atC = nodeC.getGroup("scores");
        assertThat(atC.isTakingOver()).as("c waits for a's hand-off").isTrue();

        String rewritten = fromA.get(0);
        String removed = fromA.get(1);
        atC.set(rewritten, bytes("new"));
        assertThat(atC.delete(removed)).as("a held a value for it").isTrue();
        for (String key : taken) {
            if (!key.equals(rewritten) && !key.equals(removed)) {
                assertThat(atC.get(key)).as("read at c").hasToString("v " + key);
                assertThat(atB.get(key)).as("read through b, which sees c own it").hasToString("v " + key);
            }
        }
        assertThat(loads).as("keys loaded though a previous owner held them").isEmpty();
        assertThat(atC.isTakingOver()).isTrue();

        aViews.report(Set.of(b, c)); // a sees c at last, hands off and says so
        awaitTrue("c to end its take-over once a and b have handed off", () -> !atC.isTakingOver());
        assertThat(atC.get(rewritten)).as("the write at c wins over a's late hand-off").hasToString("new");
        assertThat(atC.store().get(bytes(removed))).as("the removal at c wins over a's late hand-off").isNull();
        for (String key : taken) {
            assertThat(nodeA.getGroup("scores").store().get(bytes(key))).as("a handed " + key + " off").isNull();
            assertThat(atB.store().get(bytes(key))).as("b handed " + key + " off").isNull();
        }
        assertThat(atC.stats().entries()).isEqualTo(taken.size() - 1);
        assertThat(loads).isEmpty();
    }

    private Node start(String address, ManualMembership membership) {
        Node node = Node.builder().selfAddress(address).membership(membership).rpcTimeout(Duration.ofSeconds(3)).build();
        nodes.add(node);
        node.newGroup("scores", key -> {
            loads.computeIfAbsent(key, k -> new AtomicInteger()).incrementAndGet();
            return bytes("loaded " + key);
        });
        return node;
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    private static void awaitTrue(String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("waited 20 s for " + what);
            }
            Thread.sleep(20);
        }
    }
}
