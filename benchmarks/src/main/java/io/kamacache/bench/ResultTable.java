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
 * Measurements of several systems side by side, as a Markdown table: one row per
 * measurement, keyed by its description (operation, value size, threads...), one column per
 * system. Each cell shows the median of the rounds measured and, in brackets, its ratio to
 * the best cell of the row, which is in bold; the best is the highest or the lowest value,
 * as the table says. A system with no value in a row shows {@code failed}. Rows keep the
 * order in which they were first reserved or filled.
 */
final class ResultTable {

    private final List<String> keyHeadings;
    private final String keyAlignment;
    private final List<String> systems;
    private final boolean higherIsBetter;
    private final DoubleFunction<String> format;
    private final Map<List<String>, Map<String, List<Double>>> rows = new LinkedHashMap<>();

    /**
     * @param keyHeadings    the headings of the columns that describe a row
     * @param keyAlignment   their Markdown alignment row, such as {@code "---|---:|"}
     * @param systems        the headings of the systems' columns, in order
     * @param higherIsBetter whether the best cell of a row is its highest or its lowest
     * @param format         how a value is written
     */
    ResultTable(List<String> keyHeadings, String keyAlignment, List<String> systems, boolean higherIsBetter,
                DoubleFunction<String> format) {
        this.keyHeadings = List.copyOf(keyHeadings);
        this.keyAlignment = keyAlignment;
        this.systems = List.copyOf(systems);
        this.higherIsBetter = higherIsBetter;
        this.format = format;
    }

    /** Adds the row if it is new, so that it keeps its place even if no system fills it. */
    void reserve(List<String> row) {
        rows.putIfAbsent(List.copyOf(row), new HashMap<>());
    }

    /** Adds one round's value of {@code system} to the row. */
    void add(List<String> row, String system, double value) {
        reserve(row);
        rows.get(row).computeIfAbsent(system, s -> new ArrayList<>()).add(value);
    }

    String toMarkdown() {
        StringBuilder out = new StringBuilder("| ").append(String.join(" | ", keyHeadings));
        systems.forEach(system -> out.append(" | ").append(system));
        out.append(" |\n|").append(keyAlignment).append("---:|".repeat(systems.size())).append('\n');
        rows.forEach((key, rounds) -> {
            Map<String, Double> values = new HashMap<>();
            rounds.forEach((system, measured) -> values.put(system, median(measured)));
            out.append("| ").append(String.join(" | ", key));
            DoubleUnaryOperator ratio = ratioToBest(values);
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
    private DoubleUnaryOperator ratioToBest(Map<String, Double> values) {
        double best = values.values().stream().mapToDouble(Double::doubleValue)
                .reduce(higherIsBetter ? Math::max : Math::min).orElse(1);
        return value -> best == 0 ? 1 : value / best;
    }

    /** 100 B, 1 KiB. */
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
