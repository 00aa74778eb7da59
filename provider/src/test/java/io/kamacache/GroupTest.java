package io.kamacache;

import io.kamacache.store.ByteStore;
import io.kamacache.store.StoreOptions;
import io.kamacache.testing.ManualClock;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class GroupTest {

    private final ManualClock clock = new ManualClock();
    private final Node node = Node.builder().clock(clock).build();
    private final ExecutorService callers = Executors.newCachedThreadPool();

    @AfterEach
    void close() {
        callers.shutdownNow();
        node.close();
    }

    private static void awaitCondition(String what, java.util.function.BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting until " + what);
            }
            Thread.sleep(2);
        }
    }

    @Test
    void readThroughLoadsOnceThenHits() {
        AtomicInteger calls = new AtomicInteger();
        Group scores = node.newGroup("scores", key -> {
            calls.incrementAndGet();
            return Map.of("Tom", "630").get(key) == null ? null : "630".getBytes();
        });
        assertThat(scores.get("Tom")).hasToString("630");
        assertThat(scores.get("Tom")).hasToString("630");
        assertThat(calls).hasValue(1);
        GroupStats stats = scores.stats();
        assertThat(stats.gets()).isEqualTo(2);
        assertThat(stats.hits()).isEqualTo(1);
        assertThat(stats.misses()).isEqualTo(1);
        assertThat(stats.loads()).isEqualTo(1);
        assertThat(stats.entries()).isEqualTo(1);
        assertThat(stats.bytes()).isEqualTo(ByteStore.weightOf("Tom".getBytes(), "630".getBytes()));
        assertThat(stats.hitRatio()).isEqualTo(0.5);
    }

    @Test
    void aNullFromTheGetterMeansNoValueAndCachesNothing() {
        AtomicInteger calls = new AtomicInteger();
        Group group = node.newGroup("g", key -> {
            calls.incrementAndGet();
            return null;
        });
        assertThat(group.get("missing")).isNull();
        assertThat(group.get("missing")).isNull();
        assertThat(calls).hasValue(2);
        assertThat(group.stats().entries()).isZero();
    }

    @Test
    void manyConcurrentMissesOfOneKeyCallTheGetterOnce() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        AtomicInteger calls = new AtomicInteger();
        Group group = node.newGroup("g", key -> {
            calls.incrementAndGet();
            release.await();
            return ("value-of-" + key).getBytes();
        });
        int callerCount = 50;
        List<Future<ByteView>> results = new ArrayList<>();
        for (int i = 0; i < callerCount; i++) {
            results.add(callers.submit(() -> group.get("hot")));
        }
        awaitCondition("every caller waits on the one load",
                () -> group.stats().loadsCoalesced() + group.stats().loads() == callerCount);
        release.countDown();
        for (Future<ByteView> result : results) {
            assertThat(result.get(10, TimeUnit.SECONDS)).hasToString("value-of-hot");
        }
        assertThat(calls).hasValue(1);
        assertThat(group.stats().loads()).isEqualTo(1);
        assertThat(group.stats().loadsCoalesced()).isEqualTo(callerCount - 1);
    }

    @Test
    void aCallerThatGivesUpDoesNotFailTheOthers() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        Group group = node.newGroup("g", key -> {
            release.await();
            return "v".getBytes();
        });
        Future<ByteView> patient = callers.submit(() -> group.get("k"));
        awaitCondition("the first load runs", () -> group.stats().loads() == 1);
        // The impatient caller times out, and another is interrupted, while the load still runs.
        assertThatThrownBy(() -> group.get("k", Duration.ofMillis(50)))
                .isInstanceOf(LoadException.class)
                .hasCauseInstanceOf(TimeoutException.class)
                .hasMessageContaining("gave up waiting for key 'k'");
        CountDownLatch waiting = new CountDownLatch(1);
        Future<Throwable> interrupted = callers.submit(() -> {
            waiting.countDown();
            try {
                group.get("k");
                return null;
            } catch (LoadException e) {
                return e.getCause();
            }
        });
        waiting.await();
        awaitCondition("the third caller waits", () -> group.stats().loadsCoalesced() == 2);
        interrupted.cancel(true);
        release.countDown();
        assertThat(patient.get(10, TimeUnit.SECONDS)).hasToString("v");
        assertThat(group.stats().loads()).isEqualTo(1);
        assertThat(group.get("k")).hasToString("v");
    }

    @Test
    void aGetterErrorReachesEveryWaiterAndCachesNothing() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        AtomicInteger calls = new AtomicInteger();
        Group group = node.newGroup("g", key -> {
            if (calls.incrementAndGet() == 1) {
                release.await();
                throw new java.io.IOException("database unreachable");
            }
            return "recovered".getBytes();
        });
        List<Future<ByteView>> results = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            results.add(callers.submit(() -> group.get("k")));
        }
        awaitCondition("all five wait", () -> group.stats().loadsCoalesced() + group.stats().loads() == 5);
        release.countDown();
        for (Future<ByteView> result : results) {
            assertThatThrownBy(() -> result.get(10, TimeUnit.SECONDS))
                    .hasCauseInstanceOf(LoadException.class)
                    .hasRootCauseMessage("database unreachable")
                    .hasMessageContaining("group 'g': loading key 'k' failed");
        }
        assertThat(group.stats().loadErrors()).isEqualTo(1);
        assertThat(group.stats().entries()).isZero();
        assertThat(group.get("k")).hasToString("recovered");
        assertThat(calls).hasValue(2);
    }

    @Test
    void setAndDelete() {
        Group group = node.newGroup("g", key -> {
            throw new AssertionError("no load expected for " + key);
        });
        byte[] value = "v1".getBytes();
        group.set("k", value);
        value[0] = 'X'; // the group kept its own copy
        assertThat(group.get("k")).hasToString("v1");
        group.set("k", ByteView.of("v2"));
        assertThat(group.get("k")).hasToString("v2");
        assertThat(group.delete("k")).isTrue();
        assertThat(group.delete("k")).isFalse();
    }

    @Test
    void aValueLargerThanTheGroupIsServedButNotCached() {
        AtomicInteger calls = new AtomicInteger();
        Group group = node.newGroup("small", key -> {
            calls.incrementAndGet();
            return new byte[4096];
        }, StoreOptions.builder().maxBytes(1024).build());
        assertThat(group.get("big").length()).isEqualTo(4096);
        assertThat(group.get("big").length()).isEqualTo(4096);
        assertThat(calls).hasValue(2);
        assertThat(group.stats().entries()).isZero();
        assertThat(group.stats().evictions()).isEqualTo(2);
    }

    @Test
    void entriesExpireAfterTheGroupsTimeToLive() {
        AtomicInteger calls = new AtomicInteger();
        Group group = node.newGroup("ttl", key -> ("v" + calls.incrementAndGet()).getBytes(),
                StoreOptions.builder().expireAfterWrite(Duration.ofSeconds(30)).build());
        assertThat(group.get("k")).hasToString("v1");
        clock.advance(Duration.ofSeconds(29));
        assertThat(group.get("k")).hasToString("v1");
        clock.advance(Duration.ofSeconds(1));
        assertThat(group.get("k")).hasToString("v2");
        assertThat(group.stats().expirations()).isEqualTo(1);
    }

    @Test
    void evictionsAreCounted() {
        Group group = node.newGroup("lru", key -> key.getBytes(), StoreOptions.builder().maxEntries(2).build());
        group.get("a");
        group.get("b");
        group.get("c");
        assertThat(group.stats().evictions()).isEqualTo(1);
        assertThat(group.stats().entries()).isEqualTo(2);
    }

    @Test
    void badNamesAndKeysGetClearErrors() {
        Getter getter = key -> null;
        assertThatThrownBy(() -> node.newGroup(null, getter)).isInstanceOf(NullPointerException.class)
                .hasMessageContaining("group name");
        assertThatThrownBy(() -> node.newGroup(" ", getter)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("group name must not be empty");
        assertThatThrownBy(() -> node.newGroup("g", null)).hasMessageContaining("getter");
        node.newGroup("g", getter);
        assertThatThrownBy(() -> node.newGroup("g", getter)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("group 'g' already exists");
        Group group = node.getGroup("g");
        assertThatThrownBy(() -> group.get(null)).isInstanceOf(NullPointerException.class)
                .hasMessageContaining("key must not be null");
        assertThatThrownBy(() -> group.get("")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("key must not be empty");
        assertThatThrownBy(() -> group.set("k", (byte[]) null)).hasMessageContaining("value must not be null");
        assertThatThrownBy(() -> StoreOptions.builder().maxBytes(-1)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("maxBytes must be 0 (unbounded) or positive, was -1");
        assertThatThrownBy(() -> StoreOptions.builder().maxEntries(-2)).hasMessageContaining("maxEntries");
        assertThatThrownBy(() -> StoreOptions.builder().a1inFraction(2).build()).hasMessageContaining("a1in");
        assertThat(node.getGroup("unknown")).isNull();
    }
}
