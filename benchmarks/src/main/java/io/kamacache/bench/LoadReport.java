package io.kamacache.bench;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.DoubleFunction;
import java.util.function.DoubleUnaryOperator;

/**
 * The results of {@link ClientServerLoad} as Markdown tables: one row per measurement
 * (operation, value size, callers, or percentile and value size), one column per system,
 * each cell the system's figure and in brackets its ratio to the best of the row, which is
 * in bold. Higher is better for throughput, lower for latency and CPU. A cell measured in several
 * rounds shows the median of its rounds. A system that failed shows {@code failed} in the
 * rows it did not reach in any round.
 */
final class LoadReport {

    private final List<String> systems;
    private final Map<List<String>, Map<String, List<Double>>> throughput = new LinkedHashMap<>();
    private final Map<List<String>, Map<String, List<Double>>> cpu = new LinkedHashMap<>();
    private final Map<List<String>, Map<String, List<Double>>> latency = new LinkedHashMap<>();

    /** @param systems the column headings, in order */
    LoadReport(List<String> systems) {
        this.systems = List.copyOf(systems);
    }

    /**
     * Reserves a throughput row and its CPU row, so that rows keep the order of the plan
     * even when a system fails; returns the rows' key.
     */
    List<String> throughputRow(String operation, int valueBytes, int callers) {
        List<String> row = List.of(operation, size(valueBytes), String.valueOf(callers));
        throughput.putIfAbsent(row, new HashMap<>());
        cpu.putIfAbsent(row, new HashMap<>());
        return row;
    }

    /** A throughput cell, and the CPU microseconds the system spent per operation in it. */
    void throughput(String operation, int valueBytes, int callers, String system, double opsPerSecond,
                    double cpuMicros) {
        List<String> row = throughputRow(operation, valueBytes, callers);
        add(throughput, row, system, opsPerSecond);
        add(cpu, row, system, cpuMicros);
    }

    /** Reserves the latency rows of one value size. */
    void latencyRows(int valueBytes) {
        for (String percentile : List.of("p50", "p99")) {
            latency.putIfAbsent(List.of(percentile, size(valueBytes)), new HashMap<>());
        }
    }

    void latency(int valueBytes, String system, double p50Micros, double p99Micros) {
        latencyRows(valueBytes);
        add(latency, List.of("p50", size(valueBytes)), system, p50Micros);
        add(latency, List.of("p99", size(valueBytes)), system, p99Micros);
    }

    private static void add(Map<List<String>, Map<String, List<Double>>> rows, List<String> row, String system,
                            double value) {
        rows.get(row).computeIfAbsent(system, s -> new ArrayList<>()).add(value);
    }

    /** The throughput table: operations per second, ratio to the highest. */
    String throughputTable() {
        return table(List.of("operation", "value", "callers"), "---|---|---:|", throughput,
                true, LoadReport::rate);
    }

    /** The CPU table: microseconds of CPU, client and servers together, per operation; ratio to the lowest. */
    String cpuTable() {
        return table(List.of("operation", "value", "callers"), "---|---|---:|", cpu, false, LoadReport::micros);
    }

    /** The latency table: microseconds, ratio to the lowest. */
    String latencyTable() {
        return table(List.of("get latency", "value"), "---|---|", latency, false, LoadReport::micros);
    }

    private String table(List<String> keyHeadings, String keyAlignment, Map<List<String>, Map<String, List<Double>>> rows,
                         boolean higherIsBetter, DoubleFunction<String> format) {
        StringBuilder out = new StringBuilder("| ").append(String.join(" | ", keyHeadings));
        systems.forEach(system -> out.append(" | ").append(system));
        out.append(" |\n|").append(keyAlignment).append("---:|".repeat(systems.size())).append('\n');
        rows.forEach((key, rounds) -> {
            Map<String, Double> values = new HashMap<>();
            rounds.forEach((system, measured) -> values.put(system, median(measured)));
            out.append("| ").append(String.join(" | ", key));
            DoubleUnaryOperator ratio = best(values, higherIsBetter);
            for (String system : systems) {
                Double value = values.get(system);
                out.append(" | ");
                if (value == null) {
                    out.append("failed");
                } else {
                    double r = ratio.applyAsDouble(value);
                    String cell = format.apply(value) + String.format(Locale.ROOT, " (%.2f×)", r);
                    out.append(Math.abs(r - 1) < 1e-9 ? "**" + cell + "**" : cell);
                }
            }
            out.append(" |\n");
        });
        return out.toString();
    }

    /** The middle value, or the mean of the two middle ones. */
    static double median(List<Double> values) {
        List<Double> sorted = values.stream().sorted().toList();
        int n = sorted.size();
        return (sorted.get((n - 1) / 2) + sorted.get(n / 2)) / 2;
    }

    /** value → value / best, the best being the highest or the lowest of the row. */
    private static DoubleUnaryOperator best(Map<String, Double> values, boolean higherIsBetter) {
        double best = values.values().stream().mapToDouble(Double::doubleValue)
                .reduce(higherIsBetter ? Math::max : Math::min).orElse(1);
        return value -> best == 0 ? 1 : value / best;
    }

    static String size(int bytes) {
        return bytes % 1024 == 0 ? bytes / 1024 + " KiB" : bytes + " B";
    }

    /** 412 K/s, 1.23 M/s. */
    static String rate(double perSecond) {
        if (perSecond >= 1e6) {
            return String.format(Locale.ROOT, "%.2f M/s", perSecond / 1e6);
        }
        if (perSecond >= 1e4) {
            return String.format(Locale.ROOT, "%.0f K/s", perSecond / 1e3);
        }
        if (perSecond >= 1e3) {
            return String.format(Locale.ROOT, "%.1f K/s", perSecond / 1e3);
        }
        return String.format(Locale.ROOT, "%.0f /s", perSecond);
    }

    /** 87.3 µs, 412 µs. */
    static String micros(double micros) {
        return String.format(Locale.ROOT, micros >= 100 ? "%.0f µs" : "%.1f µs", micros);
    }
}
