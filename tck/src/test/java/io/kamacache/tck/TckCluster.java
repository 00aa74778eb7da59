package io.kamacache.tck;

import io.kamacache.config.KamaConfig;
import io.kamacache.jcache.KamaCacheManager;
import io.kamacache.jcache.spi.KamaCachingProvider;
import io.kamacache.testing.EtcdExtension;
import io.kamacache.testing.FreePorts;
import io.kamacache.testing.ServerProcess;
import org.junit.platform.launcher.LauncherSession;
import org.junit.platform.launcher.LauncherSessionListener;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;

/**
 * The cluster around a TCK run, started before its first test and stopped after its last,
 * whatever their outcome; nothing for the embedded run. Both other runs start a real etcd
 * and make the default cache manager's configuration ({@link KamaCachingProvider#CONFIG_PROPERTY})
 * point at it:
 * <ul>
 *   <li>{@value #PEERS_PROPERTY}{@code =N} (clustered): the TCK's cache manager is a node,
 *       with N more nodes in this JVM, each on a free port;</li>
 *   <li>{@value #SERVERS_PROPERTY}{@code =N} (client): the TCK's cache manager is a client
 *       (the default with only the thin client on the class path, as here) of N server
 *       processes started from the server jar ({@value #SERVER_JAR_PROPERTY}), whose
 *       {@code lib} ({@value #SERVER_LIB_PROPERTY}) holds the TCK's jars.</li>
 * </ul>
 */
public final class TckCluster implements LauncherSessionListener {

    static final String PEERS_PROPERTY = "kamacache.tck.peers";
    static final String SERVERS_PROPERTY = "kamacache.tck.servers";
    static final String SERVER_JAR_PROPERTY = "kamacache.tck.server.jar";
    static final String SERVER_LIB_PROPERTY = "kamacache.tck.server.lib";

    private static final String ALLOW = """
            serialization:
              allow:
                - org.jsr107.tck.**
                - domain.**
                - java.net.InetAddress
                - java.net.Inet4Address
                - java.net.Inet6Address
            """;

    private final EtcdExtension etcd = new EtcdExtension();
    private final List<KamaCacheManager> peers = new ArrayList<>();
    private final List<ServerProcess> servers = new ArrayList<>();
    private final List<Path> files = new ArrayList<>();

    @Override
    public void launcherSessionOpened(LauncherSession session) {
        String peerCount = System.getProperty(PEERS_PROPERTY);
        String serverCount = System.getProperty(SERVERS_PROPERTY);
        if (peerCount == null && serverCount == null) {
            return;
        }
        try {
            etcd.open("tck");
            String service = "tck-" + ProcessHandle.current().pid();
            if (peerCount != null) {
                Path config = write("node:\n  address: 127.0.0.1:0\n" + cluster(service) + ALLOW);
                startPeers(config, Integer.parseInt(peerCount.trim()));
                useAsDefault(config);
            } else {
                requireThinClientOnly();
                startServers(service, Integer.parseInt(serverCount.trim()));
                useAsDefault(write(cluster(service) + ALLOW)); // no mode: the thin client alone is a client
            }
        } catch (IOException | InterruptedException | RuntimeException e) {
            launcherSessionClosed(session); // nothing started is left running
            throw e instanceof RuntimeException runtime ? runtime : new IllegalStateException("the TCK cluster did not start", e);
        }
    }

    /** The client run proves what an application with only the thin client gets: no provider module here. */
    private static void requireThinClientOnly() {
        try {
            Class.forName("io.kamacache.Node", false, TckCluster.class.getClassLoader());
            throw new IllegalStateException("the client run must not have kamacache-provider on its class path");
        } catch (ClassNotFoundException expected) {
            // the thin client alone
        }
    }

    private String cluster(String service) {
        return "cluster:\n  etcd:\n    endpoints: [" + etcd.endpoint() + "]\n    service: " + service
                + "\n    leaseTtl: 5s\n    connectTimeout: 15s\n  rpcTimeout: 10s\n";
    }

    private void startPeers(Path config, int count) {
        ClassLoader loader = TckCluster.class.getClassLoader();
        KamaConfig parsed = KamaConfig.load(config.toUri(), loader);
        for (int i = 1; i <= count; i++) {
            peers.add(new KamaCacheManager(null, URI.create("kamacache:tck-peer-" + i), loader, new Properties(),
                    parsed, InstantSource.system()));
        }
    }

    private void startServers(String service, int count) throws IOException, InterruptedException {
        Path jar = Path.of(System.getProperty(SERVER_JAR_PROPERTY));
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException("no server jar at " + jar + ": build the server module first");
        }
        for (int i = 1; i <= count; i++) {
            Path config = write("node:\n  address: " + FreePorts.loopbackAddress() + "\n" + cluster(service)
                    + "server:\n  lib: " + System.getProperty(SERVER_LIB_PROPERTY) + "\n" + ALLOW);
            servers.add(ServerProcess.startJava(List.of("-jar", jar.toString(), "server", "--config", config.toString()),
                    Map.of(), Path.of("target", "tck-server-" + i + ".log")));
        }
        for (ServerProcess server : servers) {
            server.awaitLine(" serving", Duration.ofSeconds(60));
        }
    }

    private Path write(String yaml) throws IOException {
        Path file = Files.createTempFile("kamacache-tck-", ".yaml");
        Files.writeString(file, yaml);
        files.add(file);
        return file;
    }

    private static void useAsDefault(Path config) {
        System.setProperty(KamaCachingProvider.CONFIG_PROPERTY, config.toUri().toString());
    }

    @Override
    public void launcherSessionClosed(LauncherSession session) {
        peers.forEach(KamaCacheManager::close);
        peers.clear();
        servers.forEach(ServerProcess::close);
        servers.clear();
        try {
            etcd.close();
            for (Path file : files) {
                Files.deleteIfExists(file);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
