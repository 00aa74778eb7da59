package io.kamacache.bench;

import java.util.List;

/**
 * The results of {@link ClientServerLoad} as Markdown {@link ResultTable}s: one row per
 * measurement (operation, value size, callers, or percentile and value size), one column per
 * system. Higher is better for throughput, lower for latency and CPU. A system that failed
 * shows {@code failed} in the rows it did not reach in any round.
 */
final class LoadReport {

    private final ResultTable throughput;
    private final ResultTable cpu;
    private final ResultTable latency;

    /** @param systems the column headings, in order */
    LoadReport(List<String> systems) {
        List<String> cell = List.of("operation", "value", "callers");
        throughput = new ResultTable(cell, "---|---|---:|", systems, true, ResultTable::rate);
        cpu = new ResultTable(cell, "---|---|---:|", systems, false, ResultTable::micros);
        latency = new ResultTable(List.of("get latency", "value"), "---|---|", systems, false, ResultTable::micros);
    }

    /**
     * Reserves a throughput row and its CPU row, so that rows keep the order of the plan
     * even when a system fails.
     */
    void throughputRow(String operation, int valueBytes, int callers) {
        List<String> row = row(operation, valueBytes, callers);
        throughput.reserve(row);
        cpu.reserve(row);
    }

    /** A throughput cell, and the CPU microseconds the system spent per operation in it. */
    void throughput(String operation, int valueBytes, int callers, String system, double opsPerSecond,
                    double cpuMicros) {
        List<String> row = row(operation, valueBytes, callers);
        throughput.add(row, system, opsPerSecond);
        cpu.add(row, system, cpuMicros);
    }

    private static List<String> row(String operation, int valueBytes, int callers) {
        return List.of(operation, ResultTable.size(valueBytes), String.valueOf(callers));
    }

    /** Reserves the latency rows of one value size. */
    void latencyRows(int valueBytes) {
        for (String percentile : List.of("p50", "p99")) {
            latency.reserve(List.of(percentile, ResultTable.size(valueBytes)));
        }
    }

    void latency(int valueBytes, String system, double p50Micros, double p99Micros) {
        latency.add(List.of("p50", ResultTable.size(valueBytes)), system, p50Micros);
        latency.add(List.of("p99", ResultTable.size(valueBytes)), system, p99Micros);
    }

    /** The throughput table: operations per second, ratio to the highest. */
    String throughputTable() {
        return throughput.toMarkdown();
    }

    /** The CPU table: microseconds of CPU, client and servers together, per operation; ratio to the lowest. */
    String cpuTable() {
        return cpu.toMarkdown();
    }

    /** The latency table: microseconds, ratio to the lowest. */
    String latencyTable() {
        return latency.toMarkdown();
    }
}
