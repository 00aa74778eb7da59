package io.kamacache.reliability;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A server stopped gracefully (SIGTERM) and started again while callers write and read
 * back: it hands its entries to their new owners when it leaves and receives its ranges
 * back when it returns, fetching a key from its previous owner while that has not handed
 * it back yet, so no write is lost, no read misses one and no call fails.
 */
class GracefulRestartTest {

    private static final int KEYS = 600;
    private static final int CALLERS = 4;
    private static final Duration RPC_TIMEOUT = Duration.ofSeconds(5);

    @Test
    void noEntryIsLostAndNoCallFails() throws Exception {
        try (Cluster cluster = Cluster.start("graceful-restart", 3, RPC_TIMEOUT, "")) {
            Workloads.OwnedWrites writes = Workloads.OwnedWrites.create(cluster.client(), "writes", KEYS, CALLERS);
            Cluster.Server restarted = cluster.servers().get(0);

            LoadGenerator load = LoadGenerator.start("graceful-restart", CALLERS, writes.call());
            Thread.sleep(3_000);
            long callsBefore = load.calls();
            long stopAt = System.nanoTime();
            Duration stopping = cluster.stop(restarted);
            Duration left = cluster.awaitClientMembers(2, Duration.ofSeconds(60));
            Thread.sleep(2_000);
            long restartAt = System.nanoTime();
            cluster.restart(restarted);
            Duration serving = Duration.ofNanos(System.nanoTime() - restartAt);
            Duration rejoined = cluster.awaitClientMembers(3, Duration.ofSeconds(60));
            Thread.sleep(3_000);
            LoadGenerator.Result result = load.stop();
            Duration restartedAfter = Duration.ofNanos(restartAt - load.startedAt());
            List<LoadGenerator.Wrong> whileJoining = result.wrongAnswers().stream()
                    .filter(wrong -> wrong.at().compareTo(restartedAfter) >= 0).toList();
            List<String> lost = writes.lost();

            new Report("graceful-restart", "graceful stop and start of one of three servers, writes and reads", GracefulRestartTest.class)
                    .result(result)
                    .faults("SIGTERM of 1 of 3 servers after " + callsBefore + " calls, started again 2 s after it exited")
                    .lost(lost.size() + " of " + KEYS + " keys at the end; " + (result.wrong() - whileJoining.size())
                            + " wrong reads while it left, " + whileJoining.size() + " reads of null while it joined again")
                    .note("the server took to stop (handing its entries over)", stopping.toMillis() + " ms")
                    .note("then the client dropped it after", left.toMillis() + " ms")
                    .note("the server was stopped at", "+" + Duration.ofNanos(stopAt - load.startedAt()).toMillis() + " ms of the load")
                    .note("it was started again at", "+" + Duration.ofNanos(restartAt - load.startedAt()).toMillis() + " ms, served after "
                            + serving.toMillis() + " ms; the client saw it back after another " + rejoined.toMillis() + " ms")
                    .note("reads of null while it joined again (its entries not yet handed back)", whileJoining.size()
                            + (whileJoining.isEmpty() ? "" : ", first " + whileJoining.get(0) + ", last " + whileJoining.get(whileJoining.size() - 1)))
                    .note("summary", result.summary())
                    .note("lost", lost.isEmpty() ? "none" : lost.subList(0, Math.min(10, lost.size())))
                    .write();

            assertThat(result.failures()).as("calls that failed").isEmpty();
            assertThat(result.failed()).isZero();
            assertThat(result.wrongAnswers()).as("reads that did not return the last write, while the server left or joined again")
                    .isEmpty();
            assertThat(result.wrong()).isZero();
            assertThat(lost).as("keys whose last acknowledged write is gone").isEmpty();
            assertThat(result.hung()).as("callers still in a call long after the load stopped").isZero();
        }
    }
}
