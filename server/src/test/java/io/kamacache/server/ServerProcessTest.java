package io.kamacache.server;

import io.kamacache.codec.Codec;
import io.kamacache.config.KamaConfig;
import io.kamacache.jcache.KamaCacheManager;
import io.kamacache.testing.EtcdExtension;
import io.kamacache.testing.FreePorts;
import io.kamacache.testing.Rings;
import io.kamacache.testing.ServerProcess;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

import javax.cache.Cache;
import javax.cache.CacheException;
import javax.cache.configuration.FactoryBuilder;
import javax.cache.configuration.MutableConfiguration;
import javax.cache.integration.CacheLoader;
import java.io.IOException;
import java.io.Serializable;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The server as a real process on loopback, found through a real etcd. */
class ServerProcessTest {

    @RegisterExtension
    static final EtcdExtension ETCD = new EtcdExtension();

    /** Loads in this JVM: after the server left, a lost entry would be loaded here again. */
    static final AtomicInteger LOADS = new AtomicInteger();

    private static final Duration SERVING_PATIENCE = Duration.ofSeconds(30);

    private final List<Process> processes = new ArrayList<>();
    private final List<KamaCacheManager> managers = new ArrayList<>();

    /** The servers' output: kept when a test fails, whose message names the file. */
    @TempDir(cleanup = CleanupMode.ON_SUCCESS)
    Path logs;

    @AfterEach
    void stop() {
        processes.forEach(Process::destroyForcibly);
        managers.forEach(KamaCacheManager::close);
        LOADS.set(0);
    }

    @Test
    void servesItsKeysAndHandsThemOffOnSigterm(@TempDir Path dir) throws Exception {
        String service = "server-" + System.nanoTime();
        String address = "127.0.0.1:" + FreePorts.port();
        Path config = dir.resolve("server.yaml");
        Files.writeString(config, clusterYaml(address, service));
        ServerProcess server = startServer(List.of("server", "--config", config.toString()), Map.of());
        server.awaitLine("serving", SERVING_PATIENCE);

        KamaCacheManager embedded = embedded(service);
        Cache<Integer, String> users = embedded.createCache("users", new MutableConfiguration<Integer, String>()
                .setTypes(Integer.class, String.class)
                .setReadThrough(true)
                .setCacheLoaderFactory(FactoryBuilder.factoryOf(CountingLoader.class)));
        KamaCacheManager node = embedded;
        Rings.awaitMembers(node, 2);
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

        server.process().destroy(); // SIGTERM
        assertThat(server.process().waitFor(30, TimeUnit.SECONDS)).as("exits after SIGTERM").isTrue();
        assertThat(server.process().exitValue()).as("exit status; output:%n%s", server.output()).isZero();
        assertThat(server.output()).contains("received SIGTERM");
        Rings.awaitMembers(node, 1);
        for (int i = 0; i < 200; i++) {
            assertThat(users.get(i)).isEqualTo("user " + i);
        }
        assertThat(LOADS).as("every entry was handed off: none loaded again").hasValue(0);
    }

    @Test
    void aClientOwnsNothingAndKeepsWorkingWhenAServerDies(@TempDir Path dir) throws Exception {
        String service = "client-" + System.nanoTime();
        List<ServerProcess> servers = new ArrayList<>();
        List<String> addresses = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            Path config = dir.resolve("server" + i + ".yaml");
            addresses.add(FreePorts.loopbackAddress());
            Files.writeString(config, clusterYaml(addresses.get(i), service));
            servers.add(startServer(List.of("server", "--config", config.toString()), Map.of()));
        }
        for (ServerProcess server : servers) {
            server.awaitLine("serving", SERVING_PATIENCE);
        }
        KamaCacheManager client = new KamaCacheManager(null, URI.create("kamacache:client"), getClass().getClassLoader(),
                new Properties(), KamaConfig.parse("mode: client\n" + clusterYaml("127.0.0.1:0", service), "client"),
                InstantSource.system());
        managers.add(client);
        KamaCacheManager node = client;
        Rings.awaitMembers(node, 2);
        assertThat(node.ring().members()).as("only the servers are members").containsExactlyInAnyOrderElementsOf(addresses);

        Cache<Integer, String> users = client.createCache("users", new MutableConfiguration<Integer, String>()
                .setTypes(Integer.class, String.class)
                .setReadThrough(true)
                .setCacheLoaderFactory(FactoryBuilder.factoryOf(ServerLoader.class)));
        for (int i = 0; i < 100; i++) {
            assertThat(users.get(i)).isEqualTo("loaded by a server " + i);
        }
        users.put(1000, "written");
        assertThat(users.get(1000)).isEqualTo("written");
        int iterated = 0;
        for (Cache.Entry<Integer, String> ignored : users) {
            iterated++;
        }
        assertThat(iterated).isEqualTo(101);
        assertThatThrownBy(() -> users.unwrap(io.kamacache.Group.class)).as("the client holds no group of entries")
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(LOADS).as("no load ran in the client").hasValue(0);

        servers.get(0).process().destroyForcibly();
        // No waiting here: a call to the dead server waits until etcd drops it, then goes to the survivor.
        for (int i = 0; i < 100; i++) {
            assertThat(users.get(i)).as("read through again on the survivor").isEqualTo("loaded by a server " + i);
        }
        assertThat(node.ring().members()).hasSize(1);

        String joining = FreePorts.loopbackAddress();
        Path config = dir.resolve("joining.yaml");
        Files.writeString(config, clusterYaml(joining, service));
        startServer(List.of("server", "--config", config.toString()), Map.of()).awaitLine("serving", SERVING_PATIENCE);
        Rings.awaitMembers(node, 2);
        Codec codec = Codec.create(List.of(), null);
        List<Integer> moved = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            if (node.ring().ownerOf(codec.encode(i)).equals(joining)) {
                moved.add(i);
            }
        }
        assertThat(moved).as("the joining server owns some keys now").isNotEmpty();
        for (int i : moved) {
            assertThat(users.get(i)).isEqualTo("loaded by a server " + i);
        }

        MutableConfiguration<Integer, String> missing = new MutableConfiguration<Integer, String>()
                .setReadThrough(true)
                .setCacheLoaderFactory(new FactoryBuilder.ClassFactory<>("com.example.NotOnTheServers"));
        assertThatThrownBy(() -> client.createCache("missing", missing))
                .isInstanceOf(CacheException.class).hasMessageContaining("com.example.NotOnTheServers");
        assertThat(client.getCache("missing")).as("nothing half-made is left").isNull();
    }

    @Test
    void aBadConfigurationStopsItWithFileLineAndKey(@TempDir Path dir) throws Exception {
        Path config = dir.resolve("bad.yaml");
        Files.writeString(config, "node:\n  adress: 127.0.0.1:9000\n");
        ServerProcess server = startServer(List.of("server", "--config", config.toString()), Map.of());

        assertThat(server.process().waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(server.process().exitValue()).isEqualTo(2);
        assertThat(server.output()).contains(config.toUri().toString() + ":2: node.adress: unknown key 'adress'");
    }

    @Test
    void aTypeItsFileNamesThatItCannotLoadStopsItWithFileLineAndKey(@TempDir Path dir) throws Exception {
        Path config = dir.resolve("typed.yaml");
        Files.writeString(config, "node:\n  address: 127.0.0.1:" + FreePorts.port() + "\nhttp:\n  port: 0\ncaches:\n"
                + "  orders:\n    valueType: com.example.Missing\n");
        ServerProcess server = startServer(List.of("server", "--config", config.toString()), Map.of());

        assertThat(server.process().waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(server.process().exitValue()).isEqualTo(2);
        assertThat(server.output()).contains("kamacache: bad configuration: " + config.toUri() + ":7: "
                + "caches.orders.valueType: no class com.example.Missing on the cache manager's class path");
    }

    @Test
    void environmentVariablesConfigureItWithoutAFile() throws Exception {
        String address = "127.0.0.1:" + FreePorts.port();
        ServerProcess server = startServer(List.of("server"), Map.of("KAMACACHE_NODE_ADDRESS", address));

        server.awaitLine("serving", SERVING_PATIENCE);
        assertThat(server.output()).contains("kamacache node " + address + " serving");
        server.process().destroy();
        assertThat(server.process().waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(server.process().exitValue()).isZero();
    }

    @Test
    void aTakenHttpPortOrAnUnusableCertificateStopsItWithStatusOne(@TempDir Path dir) throws Exception {
        try (java.net.ServerSocket taken = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            ServerProcess server = startServer(List.of("server"), Map.of(
                    "KAMACACHE_NODE_ADDRESS", "127.0.0.1:" + FreePorts.port(),
                    "KAMACACHE_HTTP_PORT", String.valueOf(taken.getLocalPort())));
            assertThat(server.process().waitFor(30, TimeUnit.SECONDS)).isTrue();
            assertThat(server.process().exitValue()).as("output:%n%s", server.output()).isEqualTo(1);
            assertThat(server.output()).contains("kamacache: the node could not start")
                    .contains(String.valueOf(taken.getLocalPort()));
        }
        Path notACertificate = Files.writeString(dir.resolve("node.pem"), "not a certificate\n");
        ServerProcess server = startServer(List.of("server"), Map.of(
                "KAMACACHE_NODE_ADDRESS", "127.0.0.1:" + FreePorts.port(),
                "KAMACACHE_HTTP_TLS_CERT", notACertificate.toString(),
                "KAMACACHE_HTTP_TLS_KEY", notACertificate.toString()));
        assertThat(server.process().waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(server.process().exitValue()).as("output:%n%s", server.output()).isEqualTo(1);
        assertThat(server.output()).contains("kamacache: the node could not start").contains(notACertificate.toString());
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

    private ServerProcess startServer(List<String> arguments, Map<String, String> environment) throws IOException {
        List<String> command = new ArrayList<>(List.of("-cp", System.getProperty("java.class.path"),
                KamacacheCommand.class.getName()));
        command.addAll(arguments);
        ServerProcess server = ServerProcess.startJava(command, environment,
                Files.createTempFile(logs, "kamacache-server-", ".log"));
        processes.add(server.process());
        return server;
    }

    /** A loader that only ever runs on the servers. */
    public static final class ServerLoader implements CacheLoader<Integer, String>, Serializable {
        @Override
        public String load(Integer key) {
            LOADS.incrementAndGet(); // counts only if it ran in this JVM
            return "loaded by a server " + key;
        }

        @Override
        public Map<Integer, String> loadAll(Iterable<? extends Integer> keys) {
            Map<Integer, String> loaded = new HashMap<>();
            keys.forEach(key -> loaded.put(key, load(key)));
            return loaded;
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
