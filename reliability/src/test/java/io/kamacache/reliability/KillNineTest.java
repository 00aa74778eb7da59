package io.kamacache.reliability;

import io.kamacache.reliability.lib.RecordingLoader;
import org.junit.jupiter.api.Test;

import javax.cache.Cache;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import static io.kamacache.reliability.Workloads.loadsPerKey;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * kill -9 of one of three servers while callers read through a loader: the calls that
 * were at the dead server wait until etcd drops it and then run at the keys' new owners,
 * where the dead server's entries are loaded again, once each.
 */
class KillNineTest {

    private static final int KEYS = 600;
    private static final int CALLERS = 4;
    private static final Duration RPC_TIMEOUT = Duration.ofSeconds(5);

    @Test
    void noCallFailsAndTheDeadServersEntriesAreLoadedOnceEachAtTheirNewOwners() throws Exception {
        try (Cluster cluster = Cluster.start("kill-9", 3, RPC_TIMEOUT, "")) {
            Path loads = cluster.dir().resolve("loads.log");
            Files.deleteIfExists(loads);
            Cache<Integer, String> cache = Workloads.readThroughCache(cluster.client(), "reads", loads);
            LoadGenerator.Call read = Workloads.reads(cache, KEYS);
            for (int key = 0; key < KEYS; key++) {
                assertThat(cache.get(key)).isNotNull();
            }
            Cluster.Server victim = cluster.servers().get(0);
            Set<Integer> victimKeys = IntStream.range(0, KEYS).filter(key -> cluster.ownerOf(key) == victim)
                    .boxed().collect(Collectors.toSet());

            LoadGenerator load = LoadGenerator.start("kill-9", CALLERS, read);
            Thread.sleep(3_000);
            long callsBefore = load.calls();
            cluster.kill(victim);
            Duration dropped = cluster.awaitClientMembers(2, Duration.ofSeconds(60));
            Thread.sleep(5_000);
            LoadGenerator.Result result = load.stop();
            // every key read once more, so that each of the dead server's keys has been asked for since
            for (int key = 0; key < KEYS; key++) {
                assertThat(cache.get(key)).isEqualTo(RecordingLoader.valueOf(key));
            }

            Map<Integer, Long> loadsOfKey = loadsPerKey(loads);
            long survivorsReloaded = IntStream.range(0, KEYS)
                    .filter(key -> !victimKeys.contains(key) && loadsOfKey.getOrDefault(key, 0L) != 1).count();
            long victimOnceEach = victimKeys.stream().filter(key -> loadsOfKey.getOrDefault(key, 0L) == 2).count();
            long victimLoadsAfter = victimKeys.stream().mapToLong(key -> loadsOfKey.getOrDefault(key, 0L) - 1).sum();
            new Report("kill-9", "kill -9 of one of three servers, read-through", KillNineTest.class)
                    .result(result)
                    .faults("SIGKILL of 1 of 3 servers after " + callsBefore + " calls (lease TTL "
                            + Cluster.LEASE_TTL.toSeconds() + " s, rpcTimeout " + RPC_TIMEOUT.toSeconds() + " s)")
                    .lost("none by design (read-through reloads); " + result.wrong() + " wrong answers")
                    .note("keys", KEYS + ", " + victimKeys.size() + " of them at the killed server")
                    .note("the client dropped the killed server after", dropped.toMillis() + " ms")
                    .note("loads of the killed server's keys after the kill", victimLoadsAfter + " for "
                            + victimKeys.size() + " keys (" + victimOnceEach + " keys loaded exactly once more)")
                    .note("keys of the survivors loaded again", survivorsReloaded)
                    .note("summary", result.summary())
                    .write();

            assertThat(result.failures()).as("calls that failed").isEmpty();
            assertThat(result.failed()).isZero();
            assertThat(result.wrong()).as("wrong answers: " + result.wrongAnswers()).isZero();
            assertThat(result.hung()).as("callers still in a call long after the load stopped").isZero();
            assertThat(result.longestCall()).as("the longest stall: the lease and a call deadline, with room for a slow machine")
                    .isLessThan(Cluster.LEASE_TTL.plus(RPC_TIMEOUT).plus(Duration.ofSeconds(15)));
            assertThat(victimOnceEach).as("each of the killed server's keys loaded again exactly once, not once per caller")
                    .isEqualTo(victimKeys.size());
            assertThat(victimKeys).as("the killed server owned keys").isNotEmpty();
            assertThat(survivorsReloaded).as("keys of the surviving servers loaded more than once").isZero();
        }
    }
}
