package io.kamacache.reliability;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A scenario's measured row, written to {@code target/reliability/<scenario>.md} (and to
 * the test's output) before its targets are asserted, so that a failing run still tells
 * what it measured.
 */
final class Report {

    private final String scenario;
    private final String title;
    private final Class<?> test;
    private String load = "";
    private String faults = "";
    private String failed = "";
    private String lost = "";
    private String stall = "";
    private final Map<String, String> notes = new LinkedHashMap<>();

    Report(String scenario, String title, Class<?> test) {
        this.scenario = scenario;
        this.title = title;
        this.test = test;
    }

    Report load(String load) {
        this.load = load;
        return this;
    }

    Report faults(String faults) {
        this.faults = faults;
        return this;
    }

    Report failed(String failed) {
        this.failed = failed;
        return this;
    }

    Report lost(String lost) {
        this.lost = lost;
        return this;
    }

    Report stall(String stall) {
        this.stall = stall;
        return this;
    }

    Report note(String what, Object measured) {
        notes.put(what, String.valueOf(measured));
        return this;
    }

    /** The load generator's numbers: load held, calls failed, longest stall. */
    Report result(LoadGenerator.Result result) {
        return load(result.callers() + " callers, " + result.calls() + " calls in " + result.held().toSeconds() + " s")
                .failed(result.failed() + (result.hung() > 0 ? " (" + result.hung() + " callers hung)" : ""))
                .stall(result.longestCall().toMillis() + " ms");
    }

    void write() {
        StringBuilder text = new StringBuilder()
                .append("### ").append(title).append("\n\n")
                .append("`mvn -B verify -pl reliability -am -Dtest=").append(test.getSimpleName())
                .append(" -Dsurefire.failIfNoSpecifiedTests=false`\n\n")
                .append("| load held | faults injected | calls failed | entries lost | longest stall |\n")
                .append("|---|---|---|---|---|\n")
                .append("| ").append(load).append(" | ").append(faults).append(" | ").append(failed).append(" | ")
                .append(lost).append(" | ").append(stall).append(" |\n\n");
        notes.forEach((what, measured) -> text.append("- ").append(what).append(": ").append(measured).append('\n'));
        System.out.println(text);
        Path file = Path.of(System.getProperty("kamacache.reliability.reports", "target/reliability")).resolve(scenario + ".md");
        try {
            Files.createDirectories(file.getParent());
            Files.writeString(file, text);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
