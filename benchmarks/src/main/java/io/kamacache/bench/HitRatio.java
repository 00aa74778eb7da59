package io.kamacache.bench;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

import java.io.BufferedInputStream;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.zip.GZIPInputStream;

/**
 * Replays a cache trace through one eviction policy and prints the hit ratio; the last
 * line of its output is always {@code hitRatio=NN.NN} (percent). Exit code 2 with a message
 * on bad arguments or an unreadable trace.
 */
@Command(name = "HitRatio", mixinStandardHelpOptions = true,
        description = "Replays a cache trace through an eviction policy and prints the hit ratio.")
public final class HitRatio implements Callable<Integer> {

    private static final Set<String> POLICIES = Set.of("lru", "2q", "clock", "caffeine");

    @Spec
    private CommandSpec spec;

    @Option(names = "--trace", required = true, paramLabel = "FILE", description = "The trace file, plain or gzip.")
    private Path trace;

    @Option(names = "--format", required = true, paramLabel = "lirs|arc",
            description = "lirs: one key per line; arc: 'start count' runs of blocks.")
    private String format;

    @Option(names = "--policy", required = true, paramLabel = "lru|2q|clock|caffeine",
            description = "Our LRU, 2Q or Clock store, or Caffeine for reference.")
    private String policy;

    @Option(names = "--capacity", required = true, paramLabel = "N", description = "Cache capacity in entries.")
    private int capacity;

    /** The outcome of one replay. */
    record Result(long accesses, long hits) {
        double hitRatioPercent() {
            return accesses == 0 ? 0 : 100.0 * hits / accesses;
        }
    }

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }

    /** The command line, with user errors reported as one line and exit code 2. */
    static CommandLine commandLine() {
        return CommandLines.withOneLineErrors(new HitRatio());
    }

    @Override
    public Integer call() throws IOException {
        TraceFormat traceFormat = parseFormat();
        String policyName = policy.toLowerCase(Locale.ROOT);
        if (!POLICIES.contains(policyName)) {
            throw new ParameterException(spec.commandLine(),
                    "unknown policy '" + policy + "'; valid policies are: lru, 2q, clock, caffeine");
        }
        if (capacity <= 0) {
            throw new ParameterException(spec.commandLine(), "--capacity must be positive, was " + capacity);
        }
        Result result = replay(trace, traceFormat, CacheSimulator.create(policyName, capacity));
        PrintWriter out = spec.commandLine().getOut();
        out.printf(Locale.ROOT, "trace=%s format=%s policy=%s capacity=%d%n",
                trace.getFileName(), traceFormat.name().toLowerCase(Locale.ROOT), policyName, capacity);
        out.printf(Locale.ROOT, "accesses=%d hits=%d%n", result.accesses(), result.hits());
        out.printf(Locale.ROOT, "hitRatio=%.2f%n", result.hitRatioPercent());
        out.flush();
        return 0;
    }

    private TraceFormat parseFormat() {
        try {
            return TraceFormat.valueOf(format.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), "unknown format '" + format + "'; valid formats are: lirs, arc");
        }
    }

    /** Replays every access of the trace through {@code cache}. */
    static Result replay(Path file, TraceFormat format, CacheSimulator cache) throws IOException {
        long[] counts = new long[2];
        try (BufferedReader reader = open(file)) {
            format.forEachKey(reader, key -> {
                counts[0]++;
                if (cache.access(key)) {
                    counts[1]++;
                }
            });
        } catch (TraceFormat.TraceException e) {
            throw new IOException(file + ": " + e.getMessage(), e);
        }
        return new Result(counts[0], counts[1]);
    }

    private static BufferedReader open(Path file) throws IOException {
        InputStream in;
        try {
            in = new BufferedInputStream(Files.newInputStream(file));
        } catch (NoSuchFileException e) {
            throw new IOException("trace file not found: " + file, e);
        }
        in.mark(2);
        int b1 = in.read();
        int b2 = in.read();
        in.reset();
        if (b1 == 0x1f && b2 == 0x8b) { // gzip magic
            in = new GZIPInputStream(in, 1 << 16);
        }
        return new BufferedReader(new InputStreamReader(in, StandardCharsets.US_ASCII), 1 << 16);
    }
}
