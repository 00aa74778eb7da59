package io.kamacache.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A program run as a process of its own, a kamacache server say; what it prints goes to a
 * log file, read whenever asked. {@link #close()} stops it with SIGTERM, and kills it if it
 * has not exited within 30 seconds.
 */
public final class ServerProcess implements AutoCloseable {

    private final Process process;
    private final Path log;

    private ServerProcess(Process process, Path log) {
        this.process = process;
        this.log = log;
    }

    /**
     * Starts {@code java} (the running JVM's) with these arguments, without the
     * {@code KAMACACHE_} variables of this environment and with {@code environment} added;
     * unless that sets {@code KAMACACHE_HTTP_PORT}, the server's HTTP API takes any free
     * port, so that several servers run side by side.
     */
    public static ServerProcess startJava(List<String> arguments, Map<String, String> environment, Path log)
            throws IOException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(arguments);
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.to(log.toFile()));
        builder.environment().keySet().removeIf(name -> name.startsWith("KAMACACHE_"));
        builder.environment().put("KAMACACHE_HTTP_PORT", "0");
        builder.environment().putAll(environment);
        return new ServerProcess(builder.start(), log);
    }

    public Process process() {
        return process;
    }

    /**
     * Waits until the output contains {@code text}.
     *
     * @throws IllegalStateException with the output, when the process exits or the wait ends first
     */
    public void awaitLine(String text, Duration patience) throws InterruptedException {
        long deadline = System.nanoTime() + patience.toNanos();
        while (!output().contains(text)) {
            if (!process.isAlive() || System.nanoTime() > deadline) {
                throw new IllegalStateException("no '" + text + "' from " + process.info().command().orElse("process")
                        + (process.isAlive() ? " within " + patience : ", which exited with " + process.exitValue())
                        + "; its output (" + log + "):\n" + output());
            }
            Thread.sleep(20);
        }
    }

    public String output() {
        try {
            return Files.readString(log, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Kills the process at once (SIGKILL), as a crash would. */
    public void kill() throws InterruptedException {
        process.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }
}
