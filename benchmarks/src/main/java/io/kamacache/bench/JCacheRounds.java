package io.kamacache.bench;

import org.openjdk.jmh.results.BenchmarkResult;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.VerboseMode;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;

/**
 * Runs {@link JCacheBenchmark} in rounds: each round runs one JMH fork of every provider for
 * every cell (operation, values, threads), the providers of a cell one after the other, and
 * the table reports each cell's median over the rounds. Plain JMH runs all forks of one
 * provider before the next, so on a shared host a slow spell of a minute or two lands on
 * one provider's rows only; here it is spread over the rounds, and the median drops it.
 * Each round starts the providers of a cell at the next one in turn, so that none always
 * runs first. The Markdown table goes to standard output; every fork's iterations go to
 * standard error as they are measured. Exit code 0 when every fork ran, 1 when one failed
 * (its cell shows {@code failed} unless another round filled it), 2 for bad options.
 */
@Command(name = "JCacheRounds", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Runs JCacheBenchmark in rounds of one fork per provider and cell; prints the Markdown table "
                + "of the medians.")
public final class JCacheRounds implements Callable<Integer> {

    /** The column heading of each provider of {@link JCacheBenchmark}, in the table's order. */
    static final Map<String, String> HEADINGS = orderedHeadings();
    private static final List<String> OPERATIONS = List.of("get", "put", "mixed");
    private static final List<String> VALUES = List.of("string", "bytes1k");

    @Spec
    private CommandSpec spec;

    @Option(names = "--rounds", paramLabel = "N", description = "Rounds; each cell reports the median of its rounds "
            + "(default: ${DEFAULT-VALUE}).")
    private int rounds = 3;

    @Option(names = "--providers", split = ",", paramLabel = "NAME",
            description = "Providers, in the order of the table's columns: kamacache, caffeine, ehcache, hazelcast, ri "
                    + "(default: all).")
    private List<String> providers = List.copyOf(HEADINGS.keySet());

    @Option(names = "--operations", split = ",", paramLabel = "NAME",
            description = "Benchmarks: get, put, mixed (default: all).")
    private List<String> operations = OPERATIONS;

    @Option(names = "--values", split = ",", paramLabel = "NAME", description = "Values: string, bytes1k (default: both).")
    private List<String> values = VALUES;

    @Option(names = "--threads", split = ",", paramLabel = "N", description = "Thread counts (default: 1,2).")
    private List<Integer> threads = List.of(1, 2);

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }

    /** The command line, with errors in the options reported as one line and exit code 2. */
    static CommandLine commandLine() {
        return CommandLines.withOneLineErrors(new JCacheRounds());
    }

    @Override
    public Integer call() {
        checkOptions();
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        ResultTable table = new ResultTable(List.of("operation", "values", "threads"), "---|---|---:|",
                providers.stream().map(HEADINGS::get).toList(), true, ResultTable::rate);
        List<List<String>> cells = new ArrayList<>();
        for (int n : threads) {
            for (String operation : operations) {
                for (String valueKind : values) {
                    List<String> cell = List.of(operation, valueKind, String.valueOf(n));
                    table.reserve(cell);
                    cells.add(cell);
                }
            }
        }
        boolean failed = false;
        for (int round = 0; round < rounds; round++) {
            List<String> order = new ArrayList<>(providers);
            Collections.rotate(order, -round);
            for (List<String> cell : cells) {
                for (String provider : order) {
                    String label = String.format(Locale.ROOT, "round %d/%d: %s %s, %s thread(s), %s", round + 1,
                            rounds, cell.get(0), cell.get(1), cell.get(2), provider);
                    try {
                        BenchmarkResult result = runFork(cell, provider).getAggregatedResult();
                        table.add(cell, HEADINGS.get(provider), result.getPrimaryResult().getScore());
                        err.printf(Locale.ROOT, "%s: %s (iterations %s)%n", label,
                                ResultTable.rate(result.getPrimaryResult().getScore()),
                                result.getIterationResults().stream()
                                        .map(i -> ResultTable.rate(i.getPrimaryResult().getScore()))
                                        .collect(Collectors.joining(", ")));
                    } catch (RunnerException | RuntimeException e) {
                        failed = true;
                        err.printf(Locale.ROOT, "%s: failed: %s%n", label, e);
                        e.printStackTrace(err);
                    }
                    err.flush();
                }
            }
        }
        out.printf(Locale.ROOT, "JCacheBenchmark, %d round(s) of one fork per provider and cell, each cell the median "
                + "of its rounds; operations per second, and in brackets the ratio to the fastest in the row (bold):%n%n",
                rounds);
        out.print(table.toMarkdown());
        out.flush();
        return failed ? 1 : 0;
    }

    private void checkOptions() {
        if (rounds < 1) {
            throw new IllegalArgumentException("--rounds must be at least 1, was " + rounds);
        }
        requireKnown("provider", "providers", providers, HEADINGS.keySet());
        requireKnown("operation", "operations", operations, OPERATIONS);
        requireKnown("values", "values", values, VALUES);
        for (int n : threads) {
            if (n < 1) {
                throw new IllegalArgumentException("--threads must be at least 1, was " + n);
            }
        }
    }

    private static void requireKnown(String what, String plural, List<String> names, Collection<String> known) {
        for (String name : names) {
            if (!known.contains(name)) {
                throw new IllegalArgumentException("unknown " + what + " '" + name + "'; known " + plural + " are: "
                        + String.join(", ", known));
            }
        }
    }

    /** One JMH fork of the cell's benchmark for one provider, with the benchmark's own warm-up and measurement. */
    private static RunResult runFork(List<String> cell, String provider) throws RunnerException {
        return new Runner(new OptionsBuilder()
                .include(JCacheBenchmark.class.getName().replace(".", "\\.") + "\\." + cell.get(0) + "$")
                .param("provider", provider)
                .param("values", cell.get(1))
                .threads(Integer.parseInt(cell.get(2)))
                .forks(1)
                .verbosity(VerboseMode.SILENT)
                .build()).runSingle();
    }

    private static Map<String, String> orderedHeadings() {
        Map<String, String> headings = new LinkedHashMap<>();
        headings.put("kamacache", "kamacache");
        headings.put("caffeine", "Caffeine");
        headings.put("ehcache", "Ehcache 3");
        headings.put("hazelcast", "Hazelcast 5");
        headings.put("ri", "RI");
        return Collections.unmodifiableMap(headings);
    }
}
