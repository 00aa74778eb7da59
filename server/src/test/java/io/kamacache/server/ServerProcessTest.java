package io.kamacache.server;

import io.kamacache.Node;
import io.kamacache.codec.Codec;
import io.kamacache.config.KamaConfig;
import io.kamacache.jcache.KamaCacheManager;
import io.kamacache.testing.EtcdExtension;
import io.kamacache.testing.FreePorts;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import javax.cache.Cache;
import javax.cache.configuration.FactoryBuilder;
import javax.cache.configuration.MutableConfiguration;
import javax.cache.integration.CacheLoader;
import java.io.IOException;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/** The server as a real process on loopback, found through a real etcd. */
class ServerProcessTest {

    @RegisterExtension
    static final EtcdExtension ETCD = new EtcdExtension();

    /** Loads in this JVM: after the server left, a lost entry would be loaded here again. */
    static final AtomicInteger LOADS = new AtomicInteger();

    private final List<Process> processes = new ArrayList<>();
    private final List<KamaCacheManager> managers = new ArrayList<>();

    @AfterEach
    void stop() {
        processes.forEach(Process::destroyForcibly);
        managers.forEach(KamaCacheManager::close);
    }

    @Test
    void servesItsKeysAndHandsThemOffOnSigterm(@TempDir Path dir) throws Exception {
        String service = "server-" + System.nanoTime();
        String address = "127.0.0.1:" + FreePorts.port();
        Path config = dir.resolve("server.yaml");
        Files.writeString(config, clusterYaml(address, service));
        Server server = startServer(List.of("server", "--config", config.toString()), Map.of());
        server.awaitLine("serving");

        KamaCacheManager embedded = embedded(service);
        Cache<Integer, String> users = embedded.createCache("users", new MutableConfiguration<Integer, String>()
                .setTypes(Integer.class, String.class)
                .setReadThrough(true)
                .setCacheLoaderFactory(FactoryBuilder.factoryOf(CountingLoader.class)));
        Node node = embedded.unwrap(Node.class);
        awaitMembers(node, 2);
        Codec codec = Codec.create(List.of(), null);
        int ownedByServer = 0;
        for (int i = 0; i < 200; i++) {
            users.put(i, "user " + i);
            if (node.ring().ownerOf(codec.encode(i)).equals(address)) {
                ownedByServer++;
            }
        }
        assertThat(ownedByServer).as("the server owns some keys").isPositive();
        for (int i = 0; i < 200; i++) {
            assertThat(users.get(i)).isEqualTo("user " + i);
        }

        server.process.destroy(); // SIGTERM
        assertThat(server.process.waitFor(30, TimeUnit.SECONDS)).as("exits after SIGTERM").isTrue();
        assertThat(server.process.exitValue()).as("exit status; output:%n%s", server.output()).isZero();
        assertThat(server.output()).contains("received SIGTERM");
        awaitMembers(node, 1);
        for (int i = 0; i < 200; i++) {
            assertThat(users.get(i)).isEqualTo("user " + i);
        }
        assertThat(LOADS).as("every entry was handed off: none loaded again").hasValue(0);
    }

    @Test
    void aBadConfigurationStopsItWithFileLineAndKey(@TempDir Path dir) throws Exception {
        Path config = dir.resolve("bad.yaml");
        Files.writeString(config, "node:\n  adress: 127.0.0.1:9000\n");
        Server server = startServer(List.of("server", "--config", config.toString()), Map.of());

        assertThat(server.process.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(server.process.exitValue()).isEqualTo(2);
        assertThat(server.output()).contains(config.toUri().toString() + ":2: node.adress: unknown key 'adress'");
    }

    @Test
    void environmentVariablesConfigureItWithoutAFile() throws Exception {
        String address = "127.0.0.1:" + FreePorts.port();
        Server server = startServer(List.of("server"), Map.of("KAMACACHE_NODE_ADDRESS", address));

        server.awaitLine("serving");
        assertThat(server.output()).contains("kamacache node " + address + " serving");
        server.process.destroy();
        assertThat(server.process.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(server.process.exitValue()).isZero();
    }

    private static String clusterYaml(String address, String service) {
        return "node:\n  address: " + address + "\n"
                + "cluster:\n  etcd:\n    endpoints: [" + ETCD.endpoint() + "]\n    service: " + service
                + "\n    leaseTtl: 2s\n"
                + "serialization:\n  allow:\n    - io.kamacache.server.**\n";
    }

    private KamaCacheManager embedded(String service) {
        KamaConfig config = KamaConfig.parse(clusterYaml("127.0.0.1:0", service), "embedded");
        KamaCacheManager manager = new KamaCacheManager(null, URI.create("kamacache:embedded"),
                getClass().getClassLoader(), new Properties(), config, InstantSource.system());
        managers.add(manager);
        return manager;
    }

    private Server startServer(List<String> arguments, Map<String, String> environment) throws IOException {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), KamacacheCommand.class.getName()));
        command.addAll(arguments);
        Path log = Files.createTempFile("kamacache-server-", ".log");
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.to(log.toFile()));
        builder.environment().keySet().removeIf(name -> name.startsWith("KAMACACHE_"));
        builder.environment().putAll(environment);
        Server server = new Server(builder.start(), log);
        processes.add(server.process);
        return server;
    }

    private static void awaitMembers(Node node, int count) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (node.ring().members().size() != count && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertThat(node.ring().members()).hasSize(count);
    }

    /** A server process; what it prints goes to a file, read whenever asked. */
    private static final class Server {
        final Process process;
        final Path log;

        Server(Process process, Path log) {
            this.process = process;
            this.log = log;
        }

        void awaitLine(String text) throws InterruptedException {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (!output().contains(text) && process.isAlive() && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            assertThat(output()).as("server output").contains(text);
        }

        String output() {
            try {
                return Files.readString(log, StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    public static final class CountingLoader implements CacheLoader<Integer, String>, Serializable {
        @Override
        public String load(Integer key) {
            LOADS.incrementAndGet();
            return "loaded " + key;
        }

        @Override
        public Map<Integer, String> loadAll(Iterable<? extends Integer> keys) {
            Map<Integer, String> loaded = new HashMap<>();
            keys.forEach(key -> loaded.put(key, load(key)));
            return loaded;
        }
    }
}
