package io.kamacache.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * A server process started by the load harness. Its standard output and error go to a log
 * file, and {@link #awaitReady} returns once the log has a line containing the text that
 * says the server is ready. Its standard input stays open until it ends. {@link #close()}
 * sends SIGTERM and waits for the exit (SIGKILL after {@link #STOP_GRACE}). Every process
 * still running when the JVM exits is stopped by a shutdown hook, so a failed or
 * interrupted run leaves none behind.
 */
final class ChildProcess implements AutoCloseable {

    static final Duration STOP_GRACE = Duration.ofSeconds(30);
    private static final int TAIL_LINES = 20;
    private static final Set<Process> RUNNING = ConcurrentHashMap.newKeySet();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> RUNNING.forEach(ChildProcess::stop),
                "load-child-processes-stop"));
    }

    private final String name;
    private final String command;
    private final Process process;
    private final Path log;
    private final String readyText;

    private ChildProcess(String name, String command, Process process, Path log, String readyText) {
        this.name = name;
        this.command = command;
        this.process = process;
        this.log = log;
        this.readyText = readyText;
    }

    /**
     * Starts {@code command} with its output going to {@code log}; {@link #awaitReady} then
     * waits for a line containing {@code readyText}. Variables of the harness's environment
     * that start with one of {@code dropEnvironment} are not passed on, so the child sees
     * only its command line.
     */
    static ChildProcess start(String name, List<String> command, Path log, String readyText,
                              String... dropEnvironment) throws IOException {
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
        builder.environment().keySet().removeIf(key -> Arrays.stream(dropEnvironment).anyMatch(key::startsWith));
        Process process = builder.start();
        RUNNING.add(process);
        return new ChildProcess(name, String.join(" ", command), process, log, readyText);
    }

    /**
     * Returns once the child printed its ready line; stops it and fails, quoting its last
     * lines, if it exits first or stays silent for {@code timeout}.
     */
    void awaitReady(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (logLines().stream().noneMatch(line -> line.contains(readyText))) {
            if (!process.isAlive() || System.nanoTime() > deadline) {
                String why = process.isAlive() ? "did not say it was ready within " + timeout.toSeconds() + " s"
                        : "exited with code " + process.exitValue() + " before it was ready";
                close();
                List<String> lines = logLines();
                throw new IllegalStateException(name + " " + why + " (" + command + "); its last lines (all in "
                        + log + "):\n  " + String.join("\n  ", lines.subList(Math.max(0, lines.size() - TAIL_LINES),
                        lines.size())));
            }
            TimeUnit.MILLISECONDS.sleep(100);
        }
    }

    /** Waits for every one of {@code children} to be ready; on failure stops them all. */
    static void awaitAllReady(List<ChildProcess> children, Duration timeout) throws InterruptedException {
        try {
            for (ChildProcess child : children) {
                child.awaitReady(timeout);
            }
        } catch (RuntimeException | InterruptedException e) {
            closeAll(children);
            throw e;
        }
    }

    /** Stops every one of {@code children}, each as {@link #close()} does. */
    static void closeAll(List<ChildProcess> children) {
        children.forEach(ChildProcess::close);
    }

    private List<String> logLines() {
        try {
            return Arrays.asList(new String(Files.readAllBytes(log), StandardCharsets.UTF_8).split("\\R"));
        } catch (IOException e) {
            throw new UncheckedIOException(name + ": its log " + log + " could not be read", e);
        }
    }

    /** SIGTERM, then waits for the exit; SIGKILL if it is not gone after {@link #STOP_GRACE}. */
    @Override
    public void close() {
        stop(process);
        RUNNING.remove(process);
    }

    private static void stop(Process process) {
        process.destroy();
        try {
            if (!process.waitFor(STOP_GRACE.toSeconds(), TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(STOP_GRACE.toSeconds(), TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }

    /** The exit code once it has exited, for instance after {@link #close()}; -1 while it runs. */
    int exitCode() {
        return process.isAlive() ? -1 : process.exitValue();
    }

    @Override
    public String toString() {
        return name + " (pid " + process.pid() + ")";
    }
}
