package io.kamacache.bench;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

import java.io.File;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.Stream;

/**
 * A client/server load test of three distributed caches in one run, each a cluster on
 * loopback reached by a client in this JVM: kamacache (three server processes, the JCache
 * client in client mode), Hazelcast 5 (three member JVMs, the Hazelcast client on an
 * {@code IMap}) and Redis (one {@code redis-server}, Lettuce); {@code --servers} sets how
 * many servers and members the first two have. For every system and value
 * size it prefills the keys, so every get hits, then measures the throughput of get, put
 * and getAll at each number of concurrent callers, and the latency of a get from one
 * caller. With {@code --rounds} it does all of that again, system after system, and
 * reports the median of each cell, since one run on a shared host can be off by a sixth
 * either way. The Markdown tables go to standard output, progress to standard error. Exit
 * code 0 when every system ran, 1 when one failed (its error and stack trace are printed,
 * the other systems still run), 2 for bad options.
 *
 * <p>A plain harness rather than JMH: 32 blocking callers and servers in other processes
 * are a load test, not a microbenchmark. Run it from the repository root, where it finds
 * the server program at {@code server/target/kamacache-server.jar}.
 */
@Command(name = "ClientServerLoad", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Load test of kamacache, Hazelcast and Redis clusters on loopback, each through a client "
                + "in this JVM; prints Markdown tables of throughput and get latency.")
public final class ClientServerLoad implements Callable<Integer> {

    /** The systems the harness knows, in the order of the table's columns. */
    enum SystemUnderTest {
        KAMACACHE("kamacache"), HAZELCAST("Hazelcast 5"), REDIS("Redis");

        final String heading;

        SystemUnderTest(String heading) {
            this.heading = heading;
        }

        LoadTarget start(LoadSetup setup) throws IOException, InterruptedException {
            return switch (this) {
                case KAMACACHE -> KamacacheTarget.start(setup);
                case HAZELCAST -> HazelcastTarget.start(setup);
                case REDIS -> RedisTarget.start(setup);
            };
        }
    }

    @Spec
    private CommandSpec spec;

    @Option(names = "--systems", split = ",", paramLabel = "NAME",
            description = "Systems to load, in this order: kamacache, hazelcast, redis (default: all).")
    private List<String> systemNames = List.of("kamacache", "hazelcast", "redis");

    @Option(names = "--operations", split = ",", paramLabel = "NAME",
            description = "Operations of the throughput cells: get, put, getAll (default: all).")
    private List<String> operationNames = Stream.of(LoadWorkload.Operation.values()).map(o -> o.label).toList();

    @Option(names = "--warmup", paramLabel = "SECONDS", description = "Warm-up of every cell (default: ${DEFAULT-VALUE}).")
    private double warmupSeconds = 3;

    // On two cores, three server JVMs and the client compile their hot paths for about 40 s of
    // load (JFR's compilation events), and the cells measured meanwhile measure the compilers.
    @Option(names = "--system-warmup", paramLabel = "SECONDS", description = "Warm-up of each system before its "
            + "first cell, every operation in turn at the most callers, so that its JVMs have compiled their "
            + "hot paths (default: ${DEFAULT-VALUE}).")
    private double systemWarmupSeconds = 60;

    @Option(names = "--measure", paramLabel = "SECONDS", description = "Measurement of every cell (default: ${DEFAULT-VALUE}).")
    private double measureSeconds = 5;

    @Option(names = "--rounds", paramLabel = "N", description = "Rounds of every system, in turn; each cell "
            + "reports the median of its rounds (default: ${DEFAULT-VALUE}).")
    private int rounds = 1;

    @Option(names = "--callers", split = ",", paramLabel = "N",
            description = "Concurrent caller threads of the throughput cells (default: 1,8,32).")
    private List<Integer> callers = List.of(1, 8, 32);

    @Option(names = "--sizes", split = ",", paramLabel = "BYTES",
            description = "Value sizes in bytes (default: 100,1024).")
    private List<Integer> sizes = List.of(100, 1024);

    @Option(names = "--keys", paramLabel = "N", description = "Keys prefilled, key-0 to key-<N-1> (default: ${DEFAULT-VALUE}).")
    private int keys = 10_000;

    @Option(names = "--batch", paramLabel = "N", description = "Distinct random keys in one getAll (default: ${DEFAULT-VALUE}).")
    private int batch = 100;

    @Option(names = "--server-jar", paramLabel = "FILE",
            description = "The kamacache server program (default: ${DEFAULT-VALUE}, from the working directory).")
    private Path serverJar = Path.of("server", "target", "kamacache-server.jar");

    @Option(names = "--redis-server", paramLabel = "COMMAND",
            description = "The redis-server program, a path or a name on the PATH (default: ${DEFAULT-VALUE}).")
    private String redisServer = "redis-server";

    @Option(names = "--servers", paramLabel = "N",
            description = "kamacache servers and Hazelcast members of each cluster; Redis is always one server "
                    + "(default: ${DEFAULT-VALUE}).")
    private int servers = 3;

    @Option(names = "--server-heap", paramLabel = "SIZE",
            description = "-Xms and -Xmx of every kamacache server and Hazelcast member JVM, whose heap is touched "
                    + "at start (-XX:+AlwaysPreTouch) (default: ${DEFAULT-VALUE}).")
    private String serverHeap = "2g";

    @Option(names = "--logs", paramLabel = "DIR",
            description = "Keep the servers' configuration files and logs here (default: a temporary directory, "
                    + "deleted after a run in which every system ran).")
    private Path logs;

    @Option(names = "--timeout", paramLabel = "SECONDS", description = "Deadline of every client call (default: ${DEFAULT-VALUE}).")
    private int timeoutSeconds = 5;

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }

    /** The command line, with errors in the options reported as one line and exit code 2. */
    static CommandLine commandLine() {
        return CommandLines.withOneLineErrors(new ClientServerLoad());
    }

    @Override
    public Integer call() throws IOException, InterruptedException {
        List<SystemUnderTest> systems = systems();
        List<LoadWorkload.Operation> operations = operations();
        checkOptions(systems);
        Duration timeout = Duration.ofSeconds(timeoutSeconds);
        Path workDir = logs == null ? Files.createTempDirectory("kamacache-load-") : Files.createDirectories(logs);
        LoadSetup setup = new LoadSetup(workDir, serverJar, redisServer, servers, serverHeap, timeout, Duration.ofSeconds(120));
        LoadReport report = new LoadReport(systems.stream().map(system -> system.heading).toList());
        for (LoadWorkload.Operation operation : operations) {
            for (int size : sizes) {
                callers.forEach(n -> report.throughputRow(operation.label, size, n));
            }
        }
        sizes.forEach(report::latencyRows);
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        err.printf(Locale.ROOT, "logs and configuration in %s%n", workDir);
        out.printf(Locale.ROOT, "%d keys, getAll of %d keys, warm-up %s s and measurement %s s per cell, "
                        + "server heap %s, call timeout %d s, %d cores%s%n%n", keys, batch, seconds(warmupSeconds),
                seconds(measureSeconds), serverHeap, timeoutSeconds, Runtime.getRuntime().availableProcessors(),
                rounds == 1 ? "" : ", " + rounds + " rounds of every system in turn, each cell the median of its rounds");
        boolean allRan = true;
        for (int round = 1; round <= rounds; round++) {
            for (SystemUnderTest system : systems) {
                err.printf(Locale.ROOT, "%s: starting%s%n", system.heading,
                        rounds == 1 ? "" : " round " + round + " of " + rounds);
                err.flush();
                try (LoadTarget target = system.start(setup)) {
                    if (round == 1) {
                        out.printf(Locale.ROOT, "- %s%n", target.describe());
                        out.flush();
                    }
                    for (int size : sizes) {
                        load(system, target, operations, size, report, err);
                    }
                } catch (IOException | RuntimeException e) {
                    allRan = false;
                    err.printf(Locale.ROOT, "%s failed; its remaining cells of this round are left out:%n",
                            system.heading);
                    e.printStackTrace(err);
                }
                err.flush();
            }
        }
        String median = rounds == 1 ? "" : " (medians of " + rounds + " rounds)";
        out.printf(Locale.ROOT, "%nThroughput, operations per second%s (getAll: one call of %d keys is one operation), "
                + "and in brackets the ratio to the best in the row (bold):%n%n", median, batch);
        out.print(report.throughputTable());
        out.printf(Locale.ROOT, "%nCPU time per operation, client and servers together, microseconds%s, and in "
                + "brackets the ratio to the lowest in the row (bold):%n%n", median);
        out.print(report.cpuTable());
        out.printf(Locale.ROOT, "%nGet latency from one caller, microseconds%s, and in brackets the ratio to the lowest "
                + "in the row (bold):%n%n", median);
        out.print(report.latencyTable());
        out.flush();
        if (allRan && logs == null) {
            deleteTree(workDir);
        } else if (!allRan) {
            err.printf(Locale.ROOT, "server logs kept in %s%n", workDir);
        }
        err.flush();
        return allRan ? 0 : 1;
    }

    /** Every cell of one value size on one system, between two checks that every key is there. */
    private void load(SystemUnderTest system, LoadTarget target, List<LoadWorkload.Operation> operations, int size,
                      LoadReport report, PrintWriter err) throws InterruptedException {
        LoadWorkload workload = LoadWorkload.create(keys, size, batch, 0x5EEDL + size);
        IntStream.range(0, keys).parallel().forEach(i -> target.put(workload.keys()[i], workload.value()));
        checkEveryKey(system, target, workload, "after prefilling");
        Duration warmup = Duration.ofMillis(Math.round(warmupSeconds * 1000));
        Duration measure = Duration.ofMillis(Math.round(measureSeconds * 1000));
        Duration timeout = Duration.ofSeconds(timeoutSeconds);
        if (size == sizes.get(0) && systemWarmupSeconds > 0) { // the first size of each system
            Duration each = Duration.ofMillis(Math.round(systemWarmupSeconds * 1000 / operations.size()));
            int most = callers.stream().mapToInt(Integer::intValue).max().orElse(1);
            for (LoadWorkload.Operation operation : operations) {
                CallerLoop.run(target, workload, operation, most, Duration.ZERO, each, timeout, false);
            }
        }
        for (LoadWorkload.Operation operation : operations) {
            for (int n : callers) {
                CallerLoop.Result result = CallerLoop.run(target, workload, operation, n, warmup, measure, timeout, false);
                checkHits(system, operation, result);
                report.throughput(operation.label, size, n, system.heading, result.opsPerSecond(),
                        result.cpuMicrosPerOperation());
                err.printf(Locale.ROOT, "%s %s %s %d callers: %s, %s CPU per operation%n", system.heading,
                        operation.label, ResultTable.size(size), n, ResultTable.rate(result.opsPerSecond()),
                        ResultTable.micros(result.cpuMicrosPerOperation()));
                err.flush();
            }
        }
        CallerLoop.Result result = CallerLoop.run(target, workload, LoadWorkload.Operation.GET, 1, warmup, measure,
                timeout, true);
        checkHits(system, LoadWorkload.Operation.GET, result);
        double p50 = result.latency().getValueAtPercentile(50) / 1e3;
        double p99 = result.latency().getValueAtPercentile(99) / 1e3;
        report.latency(size, system.heading, p50, p99);
        err.printf(Locale.ROOT, "%s get latency %s: p50 %s, p99 %s (%d calls)%n", system.heading, ResultTable.size(size),
                ResultTable.micros(p50), ResultTable.micros(p99), result.operations());
        err.flush();
        checkEveryKey(system, target, workload, "after the load");
    }

    private static void checkHits(SystemUnderTest system, LoadWorkload.Operation operation, CallerLoop.Result result) {
        if (result.misses() > 0) {
            throw new IllegalStateException(system.heading + ": " + result.misses() + " of " + result.operations() + " "
                    + operation.label + " calls missed a key that was put, so not every get hit");
        }
    }

    /** Fails unless every key holds the workload's value. */
    private static void checkEveryKey(SystemUnderTest system, LoadTarget target, LoadWorkload workload, String when) {
        long wrong = Arrays.stream(workload.keys()).parallel()
                .filter(key -> !Arrays.equals(target.get(key), workload.value()))
                .count();
        if (wrong > 0) {
            throw new IllegalStateException(system.heading + ": " + wrong + " of " + workload.keys().length
                    + " keys missing or holding a wrong value " + when);
        }
    }

    private List<SystemUnderTest> systems() {
        return named("system", systemNames, SystemUnderTest.values(), system -> system.name().toLowerCase(Locale.ROOT));
    }

    private List<LoadWorkload.Operation> operations() {
        return named("operation", operationNames, LoadWorkload.Operation.values(), operation -> operation.label);
    }

    /** The values {@code names} name, in their order, once each; an unknown or no name is an option error. */
    private <T> List<T> named(String what, List<String> names, T[] values, Function<T, String> nameOf) {
        List<T> named = names.stream().map(name -> Stream.of(values)
                        .filter(value -> nameOf.apply(value).equalsIgnoreCase(name.trim()))
                        .findFirst()
                        .orElseThrow(() -> new ParameterException(spec.commandLine(), "unknown " + what + " '" + name
                                + "'; known " + what + "s are: "
                                + Stream.of(values).map(nameOf).collect(Collectors.joining(", ")))))
                .distinct().toList();
        if (named.isEmpty()) {
            throw new ParameterException(spec.commandLine(), "--" + what + "s names no " + what);
        }
        return named;
    }

    private void checkOptions(List<SystemUnderTest> systems) {
        if (rounds < 1) {
            throw new ParameterException(spec.commandLine(), "--rounds must be at least 1");
        }
        if (servers < 1) {
            throw new ParameterException(spec.commandLine(), "--servers must be at least 1");
        }
        if (systemWarmupSeconds < 0) {
            throw new ParameterException(spec.commandLine(), "--system-warmup must be at least 0");
        }
        if (warmupSeconds < 0 || measureSeconds <= 0) {
            throw new ParameterException(spec.commandLine(), "--warmup must be at least 0 and --measure above 0");
        }
        if (callers.isEmpty() || callers.stream().anyMatch(n -> n < 1)
                || sizes.isEmpty() || sizes.stream().anyMatch(n -> n < 1)) {
            throw new ParameterException(spec.commandLine(), "--callers and --sizes take positive numbers");
        }
        if (keys < 1 || batch < 1 || batch > keys) {
            throw new ParameterException(spec.commandLine(), "--keys must be positive and --batch between 1 and --keys");
        }
        if (timeoutSeconds < 1) {
            throw new ParameterException(spec.commandLine(), "--timeout must be at least 1 second");
        }
        if (systems.contains(SystemUnderTest.KAMACACHE) && !Files.isRegularFile(serverJar)) {
            throw new ParameterException(spec.commandLine(), "no kamacache server program at "
                    + serverJar.toAbsolutePath() + ": build it with 'mvn -B -q -DskipTests package' in the repository "
                    + "root and run from there, or name it with --server-jar");
        }
        if (systems.contains(SystemUnderTest.REDIS) && !onPath(redisServer)) {
            throw new ParameterException(spec.commandLine(), "no redis-server program '" + redisServer + "': install it "
                    + "(Debian: apt-get install -y redis-server), name it with --redis-server, or leave redis out of --systems");
        }
    }

    /** Whether {@code command} is an executable file, as given or on the PATH. */
    static boolean onPath(String command) {
        if (command.contains(File.separator)) {
            return Files.isExecutable(Path.of(command));
        }
        String path = System.getenv("PATH");
        return path != null && Stream.of(path.split(File.pathSeparator))
                .anyMatch(dir -> !dir.isEmpty() && Files.isExecutable(Path.of(dir, command)));
    }

    private static String seconds(double seconds) {
        return seconds == Math.rint(seconds) ? String.valueOf((long) seconds) : String.valueOf(seconds);
    }

    private static void deleteTree(Path root) throws IOException {
        try (Stream<Path> paths = Files.walk(root)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(path);
            }
        }
    }
}
