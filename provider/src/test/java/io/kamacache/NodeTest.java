package io.kamacache;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Set;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class NodeTest {

    private static Set<String> nodeThreads() {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(Thread::isAlive)
                .map(Thread::getName)
                .filter(name -> name.startsWith("kamacache-"))
                .collect(Collectors.toSet());
    }

    @Test
    void aNodeIsOnItsOwnRingAndOwnsEveryKeyAlone() {
        try (Node node = Node.builder().selfAddress("10.1.2.3:9000").serviceName("scores-svc").build()) {
            assertThat(node.ring().members()).containsExactly("10.1.2.3:9000");
            assertThat(node.ring().ownerOf("any key")).isEqualTo("10.1.2.3:9000");
            assertThat(node.serviceName()).isEqualTo("scores-svc");
        }
    }

    @Test
    void closeStopsEveryThreadAndRefusesFurtherUse() throws Exception {
        Set<String> before = nodeThreads();
        Node node = Node.builder().sweepInterval(Duration.ofMillis(10)).build();
        Group group = node.newGroup("g", key -> key.getBytes());
        assertThat(group.get("k")).hasToString("k");
        Thread.sleep(30); // let the sweep run at least once
        node.close();
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (!before.containsAll(nodeThreads()) && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertThat(nodeThreads()).isSubsetOf(before);
        assertThatThrownBy(() -> group.get("k")).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("is closed");
        assertThatThrownBy(() -> node.newGroup("h", key -> null)).isInstanceOf(IllegalStateException.class);
        node.close(); // idempotent
    }

    @Test
    void badBuilderValuesAreRefused() {
        assertThatThrownBy(() -> Node.builder().selfAddress(" ")).hasMessageContaining("self address");
        assertThatThrownBy(() -> Node.builder().virtualNodes(0)).hasMessageContaining("virtual nodes");
        assertThatThrownBy(() -> Node.builder().sweepInterval(Duration.ZERO)).hasMessageContaining("sweep interval");
        assertThatThrownBy(() -> Node.builder().maxConcurrentLoads(0)).hasMessageContaining("max concurrent loads");
    }

    @Test
    void loadsBeyondTheConcurrencyLimitFailClearly() throws Exception {
        try (Node node = Node.builder().maxConcurrentLoads(1).build()) {
            java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
            Group group = node.newGroup("g", key -> {
                release.await();
                return key.getBytes();
            });
            var first = group.getAsync("a");
            assertThatThrownBy(() -> group.get("b")).isInstanceOf(LoadException.class)
                    .hasCauseInstanceOf(java.util.concurrent.RejectedExecutionException.class)
                    .hasMessageContaining("too many concurrent loads: all 1 load threads");
            release.countDown();
            assertThat(first.get(5, java.util.concurrent.TimeUnit.SECONDS)).hasToString("a");
        }
    }
}
