package io.kamacache.reliability;

import org.junit.jupiter.api.Test;

import javax.cache.Cache;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * One of three servers frozen (SIGSTOP) for longer than its lease while callers read
 * through a loader: a call to it ends with a deadline error or, once etcd has dropped it,
 * runs at the key's new owner; no call hangs. After SIGCONT it registers again.
 */
class FrozenServerTest {

    private static final int KEYS = 600;
    private static final int CALLERS = 4;
    /** Shorter than the lease, so that calls to the frozen server meet their deadline before etcd drops it. */
    private static final Duration RPC_TIMEOUT = Duration.ofSeconds(2);
    private static final Duration FREEZE = Cluster.LEASE_TTL.plusSeconds(5);

    @Test
    void callersGetAnAnswerOrADeadlineErrorAndTheServerComesBackAfterSigcont() throws Exception {
        try (Cluster cluster = Cluster.start("frozen-server", 3, RPC_TIMEOUT, "")) {
            Path loads = cluster.dir().resolve("loads.log");
            Files.deleteIfExists(loads);
            Cache<Integer, String> cache = Workloads.readThroughCache(cluster.client(), "reads", loads);
            Cluster.Server frozen = cluster.servers().get(0);

            LoadGenerator load = LoadGenerator.start("frozen-server", CALLERS, Workloads.reads(cache, KEYS));
            Thread.sleep(3_000);
            long callsBefore = load.calls();
            long frozenAt = System.nanoTime();
            cluster.freeze(frozen);
            Duration dropped = cluster.awaitClientMembers(2, FREEZE.plusSeconds(30));
            Thread.sleep(Math.max(0, FREEZE.toMillis() - Duration.ofNanos(System.nanoTime() - frozenAt).toMillis()));
            cluster.thaw(frozen);
            Duration back = cluster.awaitClientMembers(3, Duration.ofSeconds(60));
            Thread.sleep(3_000);
            LoadGenerator.Result result = load.stop();

            long deadlineErrors = result.failures().stream()
                    .filter(failure -> String.valueOf(failure.getMessage()).contains("DEADLINE_EXCEEDED")).count();
            Duration bound = RPC_TIMEOUT.plus(Cluster.LEASE_TTL).plus(RPC_TIMEOUT).plus(Duration.ofSeconds(15));
            new Report("frozen-server", "one of three servers frozen (SIGSTOP) for " + FREEZE.toSeconds() + " s, read-through",
                    FrozenServerTest.class)
                    .result(result)
                    .faults("SIGSTOP of 1 of 3 servers after " + callsBefore + " calls, SIGCONT " + FREEZE.toSeconds()
                            + " s later (lease TTL " + Cluster.LEASE_TTL.toSeconds() + " s, rpcTimeout " + RPC_TIMEOUT.toSeconds() + " s)")
                    .lost("none by design (read-through reloads); " + result.wrong() + " wrong answers")
                    .note("calls that ended with a deadline error", deadlineErrors + " of " + result.failed() + " failed")
                    .note("the client dropped the frozen server after", dropped.toMillis() + " ms")
                    .note("the client saw it back after SIGCONT within", back.toMillis() + " ms")
                    .note("summary", result.summary())
                    .write();

            assertThat(result.hung()).as("callers still in a call long after the load stopped").isZero();
            assertThat(result.longestCall()).as("the longest call: a deadline, the lease and a deadline again, with room for a slow machine")
                    .isLessThan(bound);
            assertThat(result.failures()).as("failures other than a deadline error")
                    .allSatisfy(failure -> assertThat(failure).hasMessageContaining("DEADLINE_EXCEEDED")
                            .hasMessageContaining(frozen.address));
            assertThat(result.wrong()).as("wrong answers: " + result.wrongAnswers()).isZero();
            assertThat(cluster.clientMembers()).as("the thawed server is a member again").contains(frozen.address);
        }
    }
}
