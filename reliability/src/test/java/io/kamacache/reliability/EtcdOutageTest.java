package io.kamacache.reliability;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * etcd killed for 30 seconds and started again while callers write and read back: the
 * servers and the client keep serving with the membership they last saw, and the servers
 * are registered again afterwards, as a client that starts then finds.
 */
class EtcdOutageTest {

    private static final int KEYS = 600;
    private static final int CALLERS = 4;
    private static final Duration RPC_TIMEOUT = Duration.ofSeconds(5);
    private static final Duration OUTAGE = Duration.ofSeconds(30);

    @Test
    void noCallFailsWhileEtcdIsDownAndTheServersRegisterAgain() throws Exception {
        try (Cluster cluster = Cluster.start("etcd-outage", 3, RPC_TIMEOUT, "")) {
            Workloads.OwnedWrites writes = Workloads.OwnedWrites.create(cluster.client(), "writes", KEYS, CALLERS);

            LoadGenerator load = LoadGenerator.start("etcd-outage", CALLERS, writes.call());
            Thread.sleep(3_000);
            long callsBefore = load.calls();
            cluster.etcd().stop();
            Thread.sleep(OUTAGE.toMillis());
            List<String> membersDuringOutage = cluster.clientMembers();
            long callsDuringOutage = load.calls() - callsBefore;
            cluster.etcd().start();
            long restarted = System.nanoTime();
            int registered = cluster.registeredServers(3, Duration.ofSeconds(60));
            Duration registeredAfter = Duration.ofNanos(System.nanoTime() - restarted);
            Thread.sleep(3_000);
            LoadGenerator.Result result = load.stop();
            List<String> lost = writes.lost();

            new Report("etcd-outage", "etcd down for 30 s and restarted, writes and reads", EtcdOutageTest.class)
                    .result(result)
                    .faults("SIGKILL of etcd after " + callsBefore + " calls, restarted on its data " + OUTAGE.toSeconds() + " s later")
                    .lost(lost.size() + " of " + KEYS + " keys at the end; " + result.wrong() + " wrong reads during the load")
                    .note("calls while etcd was down", callsDuringOutage)
                    .note("members the client routed among while etcd was down", membersDuringOutage.size())
                    .note("servers a new client found registered after the restart", registered + " of 3, within "
                            + registeredAfter.toMillis() + " ms")
                    .note("summary", result.summary())
                    .write();

            assertThat(result.failures()).as("calls that failed").isEmpty();
            assertThat(result.failed()).isZero();
            assertThat(result.wrongAnswers()).as("reads that did not return the last write").isEmpty();
            assertThat(lost).as("keys whose last acknowledged write is gone").isEmpty();
            assertThat(result.hung()).as("callers still in a call long after the load stopped").isZero();
            assertThat(callsDuringOutage).as("calls served while etcd was down").isPositive();
            assertThat(membersDuringOutage).as("the client keeps the last membership it saw").hasSize(3);
            assertThat(registered).as("servers registered again in etcd").isEqualTo(3);
        }
    }
}
