package io.kamacache.reliability;

import io.kamacache.codec.Codec;
import io.kamacache.jcache.KamaCacheManager;
import io.kamacache.testing.EtcdExtension;
import io.kamacache.testing.FreePorts;
import io.kamacache.testing.ServerProcess;

import javax.cache.CacheManager;
import javax.cache.Caching;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Server processes started from the server jar, found through an etcd of their own on
 * loopback, and a thin client of them: what each scenario breaks. {@link #close()} stops
 * everything it started, the frozen and the killed included, whatever the scenario's outcome.
 *
 * <p>Logs and files go to {@code target/reliability/<scenario>/}.
 */
final class Cluster implements AutoCloseable {

    /**
     * How long a crashed or frozen server stays registered: short, so that scenarios stay
     * short, yet long enough that a live server on a loaded machine keeps its lease.
     */
    static final Duration LEASE_TTL = Duration.ofSeconds(5);
    /** A server's start on a loaded machine: JVM, etcd registration, ring. */
    private static final Duration START_PATIENCE = Duration.ofSeconds(90);
    private static final Duration COMMAND_PATIENCE = Duration.ofSeconds(30);
    private static final Pattern HTTP_PORT = Pattern.compile("HTTP on port (\\d+)");
    private static final Pattern G1_HEAP_USED = Pattern.compile("garbage-first heap\\s+total \\d+K, used (\\d+)K");
    private static final Pattern THREADS = Pattern.compile("(?m)^Threads:\\s+(\\d+)");
    private static final Pattern GROUP_BYTES = Pattern.compile("\"bytes\"\\s*:\\s*(\\d+)");

    private final String scenario;
    private final Path dir;
    private final Duration rpcTimeout;
    private final String caches;
    private final EtcdExtension etcd = new EtcdExtension().ownProcess();
    private final String service;
    private final List<Server> servers = new ArrayList<>();
    private final List<CacheManager> clients = new ArrayList<>();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final Codec keys = Codec.create(List.of(), null);
    private CacheManager client;

    /** A server process, at the same address across restarts. */
    static final class Server {
        final int index;
        final String address;
        final Path config;
        private ServerProcess process;
        private int httpPort;
        private int starts;

        private Server(int index, String address, Path config) {
            this.index = index;
            this.address = address;
            this.config = config;
        }

        long pid() {
            return process.process().pid();
        }

        @Override
        public String toString() {
            return "server " + index + " (" + address + ")";
        }
    }

    private Cluster(String scenario, Duration rpcTimeout, String caches) throws IOException {
        this.scenario = scenario;
        this.rpcTimeout = rpcTimeout;
        this.caches = caches;
        this.dir = Path.of(System.getProperty("kamacache.reliability.reports", "target/reliability")).resolve(scenario);
        Files.createDirectories(dir);
        this.service = scenario + "-" + ProcessHandle.current().pid();
    }

    /**
     * Starts etcd, {@code count} servers and a thin client that sees them all.
     *
     * @param caches the client configuration's {@code caches:} section, or empty
     */
    static Cluster start(String scenario, int count, Duration rpcTimeout, String caches) throws Exception {
        Cluster cluster = new Cluster(scenario, rpcTimeout, caches);
        try {
            cluster.etcd.open(scenario);
            for (int i = 0; i < count; i++) {
                String address = FreePorts.loopbackAddress();
                Path config = cluster.dir.resolve("server-" + i + ".yaml");
                Files.writeString(config, "node:\n  address: " + address + "\n" + cluster.clusterYaml()
                        + "server:\n  lib: " + System.getProperty("kamacache.reliability.server.lib") + "\n");
                Server server = new Server(i, address, config);
                cluster.servers.add(server);
                cluster.launch(server);
            }
            for (Server server : cluster.servers) {
                cluster.awaitServing(server);
            }
            cluster.client = cluster.openClient("client");
            cluster.awaitMembers(cluster.clientRing(), count, Duration.ofSeconds(60));
            return cluster;
        } catch (Exception | Error e) {
            cluster.close();
            throw e;
        }
    }

    private String clusterYaml() {
        return "cluster:\n  etcd:\n    endpoints: [" + etcd.endpoint() + "]\n    service: " + service
                + "\n    leaseTtl: " + LEASE_TTL.toSeconds() + "s\n    connectTimeout: 15s\n"
                + "  rpcTimeout: " + rpcTimeout.toMillis() + "ms\n"
                + "serialization:\n  allow:\n    - io.kamacache.reliability.**\n";
    }

    private void launch(Server server) throws IOException {
        Path jar = Path.of(System.getProperty("kamacache.reliability.server.jar", "../server/target/kamacache-server.jar"));
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException("no server jar at " + jar + ": build the server module first (mvn -B verify -pl reliability -am)");
        }
        server.starts++;
        Path log = dir.resolve("server-" + server.index + (server.starts > 1 ? "-start" + server.starts : "") + ".log");
        server.process = ServerProcess.startJava(List.of("-Xmx256m", "-XX:+UseG1GC",
                "-Dorg.slf4j.simpleLogger.showDateTime=true", "-Dorg.slf4j.simpleLogger.dateTimeFormat=HH:mm:ss.SSS", "-jar", jar.toString(),
                "server", "--config", server.config.toString()), Map.of(), log);
    }

    private void awaitServing(Server server) throws InterruptedException {
        server.process.awaitLine(" serving", START_PATIENCE);
        Matcher port = HTTP_PORT.matcher(server.process.output());
        if (!port.find()) {
            throw new IllegalStateException(server + " logged no HTTP port:\n" + server.process.output());
        }
        server.httpPort = Integer.parseInt(port.group(1));
    }

    private CacheManager openClient(String name) throws IOException {
        Path config = dir.resolve(name + ".yaml");
        Files.writeString(config, "mode: client\n" + clusterYaml() + caches);
        CacheManager manager = Caching.getCachingProvider().getCacheManager(config.toUri(), Cluster.class.getClassLoader());
        clients.add(manager);
        return manager;
    }

    /** The thin client the load runs through. */
    CacheManager client() {
        return client;
    }

    /** The members the client routes among. */
    List<String> clientMembers() {
        return clientRing().ring().members().stream().toList();
    }

    private KamaCacheManager clientRing() {
        return client.unwrap(KamaCacheManager.class);
    }

    List<Server> servers() {
        return servers;
    }

    /** The server that owns {@code key} in the client's view now. */
    Server ownerOf(Object key) {
        String owner = clientRing().ring().ownerOf(keys.encode(key));
        return servers.stream().filter(s -> s.address.equals(owner)).findFirst()
                .orElseThrow(() -> new IllegalStateException("no server at " + owner));
    }

    EtcdExtension etcd() {
        return etcd;
    }

    /** Where the scenario's files go. */
    Path dir() {
        return dir;
    }

    /** Kills a server at once (SIGKILL), as a crash would. */
    void kill(Server server) throws InterruptedException {
        server.process.kill();
    }

    /** Stops a server gracefully (SIGTERM: it hands its entries over before it exits); how long it took. */
    Duration stop(Server server) {
        long start = System.nanoTime();
        server.process.close();
        return Duration.ofNanos(System.nanoTime() - start);
    }

    /** Starts a stopped or killed server again at its address, and waits until it serves. */
    void restart(Server server) throws Exception {
        launch(server);
        awaitServing(server);
    }

    /** Freezes a server (SIGSTOP): its sockets stay open, nothing answers, its lease is not renewed. */
    void freeze(Server server) throws Exception {
        signal(server, "-STOP");
    }

    /** Lets a frozen server run again (SIGCONT). */
    void thaw(Server server) throws Exception {
        signal(server, "-CONT");
    }

    private static void signal(Server server, String signal) throws Exception {
        run(List.of("kill", signal, Long.toString(server.pid())));
    }

    /** Waits until the client routes among {@code count} members; how long that took. */
    Duration awaitClientMembers(int count, Duration patience) throws InterruptedException {
        return awaitMembers(clientRing(), count, patience);
    }

    /**
     * How many servers a client that starts now finds registered in etcd, waiting up to
     * {@code patience} for {@code expected} of them.
     */
    int registeredServers(int expected, Duration patience) throws Exception {
        CacheManager fresh = openClient("fresh-client-" + clients.size());
        try {
            KamaCacheManager manager = fresh.unwrap(KamaCacheManager.class);
            await(() -> manager.ring().members().size() == expected, patience);
            return manager.ring().members().size();
        } finally {
            fresh.close();
            clients.remove(fresh);
        }
    }

    private static Duration awaitMembers(KamaCacheManager manager, int count, Duration patience) throws InterruptedException {
        long start = System.nanoTime();
        if (!await(() -> manager.ring().members().size() == count, patience)) {
            throw new AssertionError("expected " + count + " members within " + patience + ", the client sees "
                    + manager.ring().members());
        }
        return Duration.ofNanos(System.nanoTime() - start);
    }

    /** Polls {@code condition} until it holds or {@code patience} has passed; whether it held. */
    static boolean await(BooleanSupplier condition, Duration patience) throws InterruptedException {
        long deadline = System.nanoTime() + patience.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                return false;
            }
            Thread.sleep(20);
        }
        return true;
    }

    /** The server's heap in use, in bytes, right after a full collection ({@code jcmd}). */
    long heapAfterGc(Server server) throws Exception {
        Path jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd");
        String pid = Long.toString(server.pid());
        run(List.of(jcmd.toString(), pid, "GC.run"));
        String info = run(List.of(jcmd.toString(), pid, "GC.heap_info"));
        Matcher used = G1_HEAP_USED.matcher(info);
        if (!used.find()) {
            throw new IllegalStateException("no G1 heap in the heap info of " + server + ":\n" + info);
        }
        return Long.parseLong(used.group(1)) * 1024;
    }

    /** The server's live threads ({@code /proc/<pid>/status}). */
    int threads(Server server) throws IOException {
        String status = Files.readString(Path.of("/proc", Long.toString(server.pid()), "status"));
        Matcher threads = THREADS.matcher(status);
        if (!threads.find()) {
            throw new IllegalStateException("no thread count in the status of " + server + ":\n" + status);
        }
        return Integer.parseInt(threads.group(1));
    }

    /** A group as a server's HTTP API describes it (JSON): its bounds, and what the server holds of it. */
    String group(Server server, String group) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.httpPort + "/api/v1/groups/" + group))
                .timeout(Duration.ofSeconds(10)).build();
        HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200) {
            throw new IllegalStateException(server + " answered " + response.statusCode() + " " + response.body());
        }
        return response.body();
    }

    /** The bytes a server holds of a group, as its HTTP API tells. */
    long groupBytes(Server server, String group) throws Exception {
        String json = group(server, group);
        Matcher bytes = GROUP_BYTES.matcher(json);
        if (!bytes.find()) {
            throw new IllegalStateException(server + " tells no bytes of group " + group + ": " + json);
        }
        return Long.parseLong(bytes.group(1));
    }

    /** Runs a command, within {@link #COMMAND_PATIENCE}; its output. */
    private static String run(List<String> command) throws Exception {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        if (!process.waitFor(COMMAND_PATIENCE.toSeconds(), TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new IllegalStateException(command + " did not finish within " + COMMAND_PATIENCE);
        }
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (process.exitValue() != 0) {
            throw new IllegalStateException(command + " exited with " + process.exitValue() + ": " + output);
        }
        return output;
    }

    @Override
    public void close() throws IOException {
        clients.forEach(CacheManager::close);
        clients.clear();
        for (Server server : servers) {
            if (server.process == null) {
                continue;
            }
            try {
                server.process.kill(); // SIGKILL ends a frozen process too, and hands nothing over: the scenario is done
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        etcd.close();
    }

    @Override
    public String toString() {
        return "cluster of " + scenario;
    }
}
