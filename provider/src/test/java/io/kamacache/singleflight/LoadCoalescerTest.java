package io.kamacache.singleflight;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class LoadCoalescerTest {

    private final ExecutorService executor = Executors.newCachedThreadPool();
    private final LoadCoalescer<String, String> coalescer = new LoadCoalescer<>(executor);

    @AfterEach
    void stop() {
        executor.shutdownNow();
    }

    @Test
    void concurrentLoadsOfOneKeyShareOneCall() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        AtomicInteger calls = new AtomicInteger();
        List<CompletableFuture<String>> futures = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            futures.add(coalescer.load("k", () -> {
                calls.incrementAndGet();
                release.await();
                return "v";
            }));
        }
        release.countDown();
        for (CompletableFuture<String> f : futures) {
            assertThat(f.get(5, TimeUnit.SECONDS)).isEqualTo("v");
        }
        assertThat(calls).hasValue(1);
        assertThat(coalescer.joinedCount()).isEqualTo(19);
        assertThat(coalescer.inFlightCount()).isZero();
    }

    @Test
    void aLoadThatAsksForItsOwnKeyFailsInsteadOfWaitingForItself() throws Exception {
        CompletableFuture<String> outer = coalescer.load("k", () -> coalescer.load("k", () -> "inner").get());
        assertThatThrownBy(() -> outer.get(5, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
                .cause().isInstanceOf(IllegalStateException.class).hasMessageContaining("key k");
        assertThat(coalescer.load("k", () -> coalescer.load("other", () -> "v").get()).get(5, TimeUnit.SECONDS))
                .as("another key, loaded inside").isEqualTo("v");
        assertThat(coalescer.inFlightCount()).isZero();
    }

    @Test
    void cancellingOneCallerLeavesTheLoadAndOtherCallersAlone() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        CompletableFuture<String> first = coalescer.load("k", () -> {
            release.await();
            return "v";
        });
        CompletableFuture<String> second = coalescer.load("k", () -> "never called");
        first.cancel(true);
        release.countDown();
        assertThat(second.get(5, TimeUnit.SECONDS)).isEqualTo("v");
    }

    @Test
    void aFailureReachesEveryWaiterAndIsNotRemembered() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        CompletableFuture<String> a = coalescer.load("k", () -> {
            release.await();
            throw new IllegalStateException("backend down");
        });
        CompletableFuture<String> b = coalescer.load("k", () -> "unused");
        release.countDown();
        for (CompletableFuture<String> f : List.of(a, b)) {
            assertThatThrownBy(() -> f.get(5, TimeUnit.SECONDS))
                    .isInstanceOf(ExecutionException.class)
                    .hasCauseInstanceOf(IllegalStateException.class)
                    .hasRootCauseMessage("backend down");
        }
        assertThat(coalescer.load("k", () -> "fresh").get(5, TimeUnit.SECONDS)).isEqualTo("fresh");
    }

    @Test
    void differentKeysLoadIndependently() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        CompletableFuture<String> slow = coalescer.load("slow", () -> {
            release.await();
            return "s";
        });
        assertThat(coalescer.load("fast", () -> "f").get(5, TimeUnit.SECONDS)).isEqualTo("f");
        assertThat(slow).isNotDone();
        release.countDown();
        assertThat(slow.get(5, TimeUnit.SECONDS)).isEqualTo("s");
    }

    @Test
    void aRejectedLoadFailsItsCallerAndFreesTheKey() throws Exception {
        ExecutorService closed = Executors.newSingleThreadExecutor();
        closed.shutdown();
        LoadCoalescer<String, String> rejecting = new LoadCoalescer<>(closed);
        assertThat(rejecting.load("k", () -> "v")).isCompletedExceptionally();
        assertThat(rejecting.inFlightCount()).isZero();
    }
}
