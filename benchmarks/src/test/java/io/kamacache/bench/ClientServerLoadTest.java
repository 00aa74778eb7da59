package io.kamacache.bench;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** The parts of the load harness that need no server: the tables, the workload, the options. */
class ClientServerLoadTest {

    @Test
    void throughputCellsCarryTheRatioToTheHighestOfTheRowWhichIsBold() {
        LoadReport report = new LoadReport(List.of("a", "b", "c"));
        report.throughputRow("get", 100, 1);
        report.throughputRow("get", 1024, 1);
        report.throughput("get", 100, 1, "a", 412_000, 20);
        report.throughput("get", 100, 1, "b", 1_650_000, 80);
        report.throughput("get", 100, 1, "c", 900, 40);
        report.throughput("get", 1024, 1, "a", 5_000, 250);

        assertThat(report.throughputTable()).isEqualTo("""
                | operation | value | callers | a | b | c |
                |---|---|---:|---:|---:|---:|
                | get | 100 B | 1 | 412 K/s (0.25×) | **1.65 M/s (1.00×)** | 900 /s (0.00×) |
                | get | 1 KiB | 1 | **5.0 K/s (1.00×)** | failed | failed |
                """);
        assertThat(report.cpuTable()).isEqualTo("""
                | operation | value | callers | a | b | c |
                |---|---|---:|---:|---:|---:|
                | get | 100 B | 1 | **20.0 µs (1.00×)** | 80.0 µs (4.00×) | 40.0 µs (2.00×) |
                | get | 1 KiB | 1 | **250 µs (1.00×)** | failed | failed |
                """);
    }

    @Test
    void theCpuOfACellCountsTheProcessesTheHarnessStarted() throws Exception {
        long before = CallerLoop.cpuNanos();
        Process busy = new ProcessBuilder("sh", "-c",
                "i=0; while [ $i -lt 300000 ]; do i=$((i+1)); done; echo done; sleep 60").start();
        try {
            assertThat(new String(busy.getInputStream().readNBytes(4), StandardCharsets.US_ASCII)).isEqualTo("done");
            long childCpu = busy.info().totalCpuDuration().orElseThrow().toNanos();
            assertThat(childCpu).isGreaterThan(TimeUnit.MILLISECONDS.toNanos(100));
            assertThat(CallerLoop.cpuNanos() - before).isGreaterThanOrEqualTo(childCpu);
        } finally {
            busy.destroyForcibly().waitFor();
        }
    }

    @Test
    void latencyCellsCarryTheRatioToTheLowestOfTheRow() {
        LoadReport report = new LoadReport(List.of("a", "b"));
        report.latency(100, "a", 120.4, 980);
        report.latency(100, "b", 60.2, 1960);

        assertThat(report.latencyTable()).isEqualTo("""
                | get latency | value | a | b |
                |---|---|---:|---:|
                | p50 | 100 B | 120 µs (2.00×) | **60.2 µs (1.00×)** |
                | p99 | 100 B | **980 µs (1.00×)** | 1960 µs (2.00×) |
                """);
    }

    @Test
    void aCellMeasuredInSeveralRoundsShowsTheirMedian() {
        LoadReport report = new LoadReport(List.of("a", "b"));
        report.throughputRow("put", 100, 8);
        for (double rate : new double[] {30_000, 10_000, 20_000}) {
            report.throughput("put", 100, 8, "a", rate, 1e6 / rate);
        }
        for (double rate : new double[] {40_000, 10_000}) { // a round short: a failed round leaves no cell
            report.throughput("put", 100, 8, "b", rate, 1e6 / rate);
        }
        report.latency(100, "a", 100, 900);
        report.latency(100, "a", 300, 100);
        report.latency(100, "a", 200, 500);

        assertThat(report.throughputTable()).isEqualTo("""
                | operation | value | callers | a | b |
                |---|---|---:|---:|---:|
                | put | 100 B | 8 | 20 K/s (0.80×) | **25 K/s (1.00×)** |
                """);
        assertThat(report.cpuTable()).contains("| put | 100 B | 8 | **50.0 µs (1.00×)** | 62.5 µs (1.25×) |");
        assertThat(report.latencyTable()).contains("| p50 | 100 B | **200 µs (1.00×)** | failed |")
                .contains("| p99 | 100 B | **500 µs (1.00×)** | failed |");
    }

    @Test
    void everyBatchHoldsDistinctKeysOfTheWorkload() {
        LoadWorkload workload = LoadWorkload.create(1000, 100, 100, 1);

        assertThat(workload.keys()).hasSize(1000).startsWith("key-0", "key-1").endsWith("key-999");
        assertThat(workload.value()).hasSize(100);
        assertThat(workload.batches()).hasSize(LoadWorkload.BATCHES).allSatisfy(batch -> {
            assertThat(batch.array()).hasSize(100).doesNotHaveDuplicates();
            assertThat(batch.set()).containsExactlyInAnyOrder(batch.array());
            assertThat(new HashSet<>(Arrays.asList(workload.keys()))).containsAll(batch.set());
        });
    }

    @Test
    void anUnknownSystemOrAMissingServerProgramIsAnErrorInTheOptions() {
        assertThat(run("--systems", "memcached")).startsWith("2:")
                .contains("unknown system 'memcached'; known systems are: kamacache, hazelcast, redis");
        assertThat(run("--operations", "get,scan")).startsWith("2:")
                .contains("unknown operation 'scan'; known operations are: get, put, getAll");
        assertThat(run("--systems", "redis", "--rounds", "0")).startsWith("2:").contains("--rounds must be at least 1");
        assertThat(run("--systems", "redis", "--servers", "0")).startsWith("2:").contains("--servers must be at least 1");
        assertThat(run("--systems", "kamacache", "--server-jar", "no/such/server.jar"))
                .startsWith("2:").contains("no kamacache server program at").contains("--server-jar");
    }

    private static String run(String... args) {
        return CommandLineRuns.exitCodeAndErrors(ClientServerLoad.commandLine(), args);
    }
}
