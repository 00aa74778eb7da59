package io.kamacache.bench;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.io.StringReader;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPOutputStream;

import static org.assertj.core.api.Assertions.assertThat;

class HitRatioTest {

    @TempDir
    Path dir;

    private static Path traces() {
        Path traces = Path.of(System.getProperty("kamacache.traces", "../../shared/traces"));
        if (!Files.isDirectory(traces)) {
            throw new IllegalStateException("the public traces are expected in " + traces.toAbsolutePath().normalize()
                    + " (the shared/traces folder beside the repository)");
        }
        return traces;
    }

    private static List<Long> keys(TraceFormat format, String text) throws IOException {
        List<Long> keys = new ArrayList<>();
        format.forEachKey(new BufferedReader(new StringReader(text)), keys::add);
        return keys;
    }

    /** Runs the tool; returns {exit code, stdout, stderr}. */
    private static String[] run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cl = HitRatio.commandLine();
        cl.setOut(new PrintWriter(out));
        cl.setErr(new PrintWriter(err));
        int code = cl.execute(args);
        return new String[] {String.valueOf(code), out.toString(), err.toString()};
    }

    private static String lastLine(String output) {
        String[] lines = output.strip().split("\\R");
        return lines[lines.length - 1];
    }

    @Test
    void lirsFormatSkipsStarAndBlankLines() throws IOException {
        assertThat(keys(TraceFormat.LIRS, "1\n*\n2\n\n  3 \n1\n")).containsExactly(1L, 2L, 3L, 1L);
    }

    @Test
    void arcFormatExpandsRuns() throws IOException {
        assertThat(keys(TraceFormat.ARC, "10 3 0 1\n7 1 0 2\n")).containsExactly(10L, 11L, 12L, 7L);
    }

    @Test
    void malformedLinesNameTheirLineNumber() {
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> keys(TraceFormat.LIRS, "1\nabc\n"))
                .hasMessageContaining("line 2").hasMessageContaining("'abc'");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> keys(TraceFormat.ARC, "5\n"))
                .hasMessageContaining("line 1");
    }

    @Test
    void readsPlainAndGzippedFilesAlike() throws IOException {
        String trace = "1\n2\n1\n3\n1\n2\n";
        Path plain = dir.resolve("t.trace");
        Files.writeString(plain, trace);
        Path gz = dir.resolve("t.trace.gz");
        try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(gz))) {
            out.write(trace.getBytes(StandardCharsets.US_ASCII));
        }
        // capacity 2, LRU: 1 m, 2 m, 1 h, 3 m (evicts 2), 1 h, 2 m  -> 2 hits of 6
        for (Path file : List.of(plain, gz)) {
            String[] result = run("--trace", file.toString(), "--format", "lirs", "--policy", "lru", "--capacity", "2");
            assertThat(result[0]).isEqualTo("0");
            assertThat(lastLine(result[1])).isEqualTo("hitRatio=33.33");
        }
    }

    @Test
    void lruReproducesThePublishedFigures() {
        Path traces = traces();
        assertThat(lastLine(run("--trace", traces.resolve("gli.trace.gz").toString(), "--format", "lirs",
                "--policy", "lru", "--capacity", "1000")[1])).isEqualTo("hitRatio=11.21");
        assertThat(lastLine(run("--trace", traces.resolve("multi2.trace.gz").toString(), "--format", "lirs",
                "--policy", "lru", "--capacity", "512")[1])).isEqualTo("hitRatio=36.37");
    }

    @Test
    void everyPolicyRunsOnARealTrace() {
        Path gli = traces().resolve("gli.trace.gz");
        for (String policy : List.of("2q", "clock", "caffeine")) {
            String[] result = run("--trace", gli.toString(), "--format", "lirs", "--policy", policy, "--capacity", "1000");
            assertThat(result[0]).as(policy).isEqualTo("0");
            assertThat(lastLine(result[1])).as(policy).matches("hitRatio=\\d{1,3}\\.\\d\\d");
        }
    }

    @Test
    void badArgumentsExitWithTwoAndAMessage() throws IOException {
        Path file = dir.resolve("t.trace");
        Files.writeString(file, "1\n");
        String[] badPolicy = run("--trace", file.toString(), "--format", "lirs", "--policy", "lfu", "--capacity", "2");
        assertThat(badPolicy[0]).isEqualTo("2");
        assertThat(badPolicy[2]).contains("unknown policy 'lfu'");
        String[] badCapacity = run("--trace", file.toString(), "--format", "lirs", "--policy", "lru", "--capacity", "0");
        assertThat(badCapacity[0]).isEqualTo("2");
        assertThat(badCapacity[2]).contains("--capacity must be positive");
        String[] missing = run("--trace", dir.resolve("nope").toString(), "--format", "lirs", "--policy", "lru",
                "--capacity", "2");
        assertThat(missing[0]).isEqualTo("2");
        assertThat(missing[2]).contains("trace file not found");
        String[] badFormat = run("--trace", file.toString(), "--format", "csv", "--policy", "lru", "--capacity", "2");
        assertThat(badFormat[0]).isEqualTo("2");
        assertThat(badFormat[2]).contains("unknown format 'csv'");
        assertThat(run("--format", "lirs")[0]).isEqualTo("2");
    }
}
