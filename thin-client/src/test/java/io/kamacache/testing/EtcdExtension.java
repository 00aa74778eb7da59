package io.kamacache.testing;

import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.TestWatcher;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A real etcd for the tests of one class:
 * {@code @RegisterExtension static final EtcdExtension ETCD = new EtcdExtension();}
 * starts it before the class's first test and stops it after its last.
 *
 * <p>Where etcd comes from, in order: the environment variable {@code KAMACACHE_TEST_ETCD}
 * (comma-separated client URLs of an etcd someone runs; it is used as it is and cannot be
 * stopped or reconfigured), else the {@code etcd} binary on the PATH, started on free
 * loopback ports with a temporary data directory and its output in
 * {@code target/etcd-*.log}, else a container ({@link DockerEtcd}) when a Docker engine
 * answers. Without any of them the tests fail, saying how to install etcd.
 */
public final class EtcdExtension implements BeforeAllCallback, AfterAllCallback, TestWatcher {

    /** Comma-separated client URLs of an etcd to use instead of starting one. */
    public static final String ENDPOINTS_VARIABLE = "KAMACACHE_TEST_ETCD";

    private static final Duration START_DEADLINE = Duration.ofSeconds(20);
    private static final String INSTALL_HINT = "the tests need etcd: install it (Debian/Ubuntu: apt-get install etcd-server,"
            + " which provides /usr/bin/etcd), set " + ENDPOINTS_VARIABLE + " to the client URLs of a running etcd,"
            + " such as http://127.0.0.1:2379, or run a Docker engine for a container of " + DockerEtcd.IMAGE;

    private boolean ownProcess;
    private Tls tls = Tls.NONE;

    private List<String> endpoints;
    private Path dataDir;
    private Path certDir;
    private Path log;
    private int clientPort;
    private int peerPort;
    private int metricsPort;
    private Process process;
    private DockerEtcd docker;

    private enum Tls { NONE, SERVER, MUTUAL }

    /** An etcd from {@code KAMACACHE_TEST_ETCD} if set, else a process of its own. */
    public EtcdExtension() {
    }

    /**
     * Always starts an etcd process of its own, ignoring {@code KAMACACHE_TEST_ETCD}: for tests
     * that reconfigure etcd (enable auth) and must not touch a shared one.
     */
    public EtcdExtension ownProcess() {
        this.ownProcess = true;
        return this;
    }

    /**
     * Serves {@code https://} with a certificate for 127.0.0.1 signed by a fresh test CA
     * ({@link #caCert()}); needs {@code openssl}. Implies {@link #ownProcess()}.
     */
    public EtcdExtension withTls() {
        this.tls = Tls.SERVER;
        return ownProcess();
    }

    /** Like {@link #withTls()}, and requires clients to present a certificate signed by the same CA. */
    public EtcdExtension withMutualTls() {
        this.tls = Tls.MUTUAL;
        return ownProcess();
    }

    @Override
    public void beforeAll(ExtensionContext context) throws IOException {
        open(context.getRequiredTestClass().getSimpleName());
    }

    /**
     * Starts (or, with {@code KAMACACHE_TEST_ETCD}, finds) etcd outside a JUnit class, as
     * {@link #beforeAll} does; {@code name} names its log file. {@link #close()} ends it.
     */
    public void open(String name) throws IOException {
        String given = System.getenv(ENDPOINTS_VARIABLE);
        if (given != null && !given.isBlank() && !ownProcess) {
            endpoints = Arrays.stream(given.split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList();
            return;
        }
        Path binary = findOnPath("etcd");
        if (binary == null && tls == Tls.NONE && DockerEtcd.available()) {
            docker = new DockerEtcd();
            endpoints = List.of(docker.endpoint());
            return;
        }
        if (binary == null) {
            throw new IllegalStateException((ownProcess ? "this test class starts its own etcd, and " : "") + INSTALL_HINT
                    + " (no etcd on PATH " + System.getenv("PATH") + ")");
        }
        clientPort = FreePorts.port();
        peerPort = FreePorts.port();
        metricsPort = FreePorts.port();
        dataDir = Files.createTempDirectory("kamacache-etcd-");
        Path target = Path.of(System.getProperty("basedir", "."), "target");
        Files.createDirectories(target);
        log = target.resolve("etcd-" + name + "-" + clientPort + ".log");
        if (tls != Tls.NONE) {
            certDir = Files.createTempDirectory("kamacache-etcd-certs-");
            TestCertificates.generate(certDir);
        }
        String scheme = tls == Tls.NONE ? "http" : "https";
        endpoints = List.of(scheme + "://127.0.0.1:" + clientPort);
        startProcess(binary);
    }

    @Override
    public void afterAll(ExtensionContext context) throws IOException {
        close();
    }

    /** Stops etcd if this extension started it, and deletes its data. */
    public void close() throws IOException {
        if (docker != null) {
            docker.close();
            docker = null;
        }
        if (process != null) {
            stop();
        }
        deleteTree(dataDir);
        deleteTree(certDir);
    }

    @Override
    public void testFailed(ExtensionContext context, Throwable cause) {
        if (log != null && Files.exists(log)) {
            System.err.println("---- etcd output (" + log + "), last lines ----");
            System.err.println(tail(log, 40));
        }
    }

    /** The first client URL, such as {@code http://127.0.0.1:40123}. */
    public String endpoint() {
        return endpoints().get(0);
    }

    /** Every client URL. */
    public List<String> endpoints() {
        if (endpoints == null) {
            throw new IllegalStateException("etcd is not started: register with @RegisterExtension on a static field");
        }
        return endpoints;
    }

    /** The test CA's certificate (PEM), with {@link #withTls()} or {@link #withMutualTls()}. */
    public Path caCert() {
        return certFile("ca.pem");
    }

    /** A client certificate (PEM) signed by the test CA. */
    public Path clientCert() {
        return certFile("client.pem");
    }

    /** The client certificate's key (PKCS#8 PEM). */
    public Path clientKey() {
        return certFile("client.key");
    }

    /** Kills etcd (SIGKILL, as a crash would), keeping its data directory for {@link #start()}; a container is paused. */
    public void stop() {
        if (docker != null) {
            docker.pause();
            return;
        }
        requireOwnProcess("stop");
        if (process == null) {
            return;
        }
        process.destroyForcibly();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                throw new IllegalStateException("etcd (pid " + process.pid() + ") did not exit within 10 s of SIGKILL");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while stopping etcd", e);
        }
        process = null;
    }

    /** Starts etcd again on the same ports with the same data; waits until it is healthy. */
    public void start() {
        if (docker != null) {
            docker.resume();
            return;
        }
        requireOwnProcess("start");
        if (process != null) {
            return;
        }
        try {
            startProcess(findOnPath("etcd"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void startProcess(Path binary) throws IOException {
        String client = endpoint();
        String peer = "http://127.0.0.1:" + peerPort;
        List<String> command = new ArrayList<>(List.of(binary.toString(),
                "--name", "test",
                "--data-dir", dataDir.toString(),
                "--listen-client-urls", client,
                "--advertise-client-urls", client,
                "--listen-peer-urls", peer,
                "--initial-advertise-peer-urls", peer,
                "--initial-cluster", "test=" + peer,
                // plain-HTTP /health even when the client URL is https
                "--listen-metrics-urls", "http://127.0.0.1:" + metricsPort));
        if (tls != Tls.NONE) {
            command.addAll(List.of("--cert-file", certFile("server.pem").toString(),
                    "--key-file", certFile("server.key").toString()));
        }
        if (tls == Tls.MUTUAL) {
            command.addAll(List.of("--client-cert-auth", "--trusted-ca-file", caCert().toString()));
        }
        // started directly, not through a shell, so that the Process is etcd itself
        process = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
        awaitHealthy();
    }

    private void awaitHealthy() {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
        HttpRequest health = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + metricsPort + "/health"))
                .timeout(Duration.ofSeconds(2)).build();
        long deadline = System.nanoTime() + START_DEADLINE.toNanos();
        String last = "no answer";
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("etcd exited with status " + process.exitValue() + " while starting; its output ("
                        + log + "):\n" + tail(log, 40));
            }
            try {
                HttpResponse<String> response = http.send(health, HttpResponse.BodyHandlers.ofString());
                if (response.statusCode() == 200 && response.body().contains("\"true\"")) {
                    return;
                }
                last = response.statusCode() + " " + response.body();
            } catch (IOException e) {
                last = e.toString();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for etcd", e);
            }
            pause(100);
        }
        process.destroyForcibly();
        throw new IllegalStateException("etcd (pid " + process.pid() + ") was not healthy within " + START_DEADLINE.toSeconds()
                + " s (last answer: " + last + "); its output (" + log + "):\n" + tail(log, 40));
    }

    private void requireOwnProcess(String what) {
        if (dataDir == null) {
            throw new UnsupportedOperationException("cannot " + what + " the etcd at " + endpoints + " given by "
                    + ENDPOINTS_VARIABLE + ": this test needs an etcd it starts itself; unset " + ENDPOINTS_VARIABLE
                    + " and put the etcd binary on the PATH (or run a Docker engine)");
        }
    }

    private Path certFile(String name) {
        if (certDir == null) {
            throw new IllegalStateException("this etcd serves no TLS: create the extension with withTls() or withMutualTls()");
        }
        return certDir.resolve(name);
    }

    static Path findOnPath(String name) {
        String path = System.getenv("PATH");
        if (path == null) {
            return null;
        }
        for (String dir : path.split(java.io.File.pathSeparator)) {
            Path candidate = Path.of(dir.isEmpty() ? "." : dir, name);
            if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
                return candidate;
            }
        }
        return null;
    }

    private static String tail(Path file, int lines) {
        try {
            List<String> all = Files.readAllLines(file, StandardCharsets.UTF_8);
            return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
        } catch (IOException e) {
            return "(cannot read " + file + ": " + e + ")";
        }
    }

    private static void pause(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void deleteTree(Path root) throws IOException {
        if (root == null || !Files.exists(root)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(root)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
