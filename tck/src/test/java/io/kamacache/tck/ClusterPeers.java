package io.kamacache.tck;

import io.kamacache.config.KamaConfig;
import io.kamacache.jcache.KamaCacheManager;
import io.kamacache.jcache.spi.KamaCachingProvider;
import io.kamacache.testing.EtcdExtension;
import org.junit.platform.launcher.LauncherSession;
import org.junit.platform.launcher.LauncherSessionListener;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;

/**
 * Makes the clustered TCK run's default cache manager one node of a cluster: when the
 * system property {@value #PEERS_PROPERTY} gives a count, it starts a real etcd, writes a
 * configuration in which every node takes a free port and registers in that etcd, names it
 * as the default manager's configuration ({@link KamaCachingProvider#CONFIG_PROPERTY}), and
 * starts that many other nodes in this JVM. So most keys the TCK touches live on another
 * node. Everything is stopped when the test run ends, whatever its outcome. Does nothing
 * when the property is not set (the embedded run).
 */
public final class ClusterPeers implements LauncherSessionListener {

    static final String PEERS_PROPERTY = "kamacache.tck.peers";

    private final EtcdExtension etcd = new EtcdExtension();
    private final List<KamaCacheManager> peers = new ArrayList<>();
    private Path config;

    @Override
    public void launcherSessionOpened(LauncherSession session) {
        String count = System.getProperty(PEERS_PROPERTY);
        if (count == null || count.isBlank()) {
            return;
        }
        try {
            etcd.open("tck-clustered");
            config = Files.createTempFile("kamacache-tck-", ".yaml");
            Files.writeString(config, """
                    node:
                      address: 127.0.0.1:0
                    cluster:
                      etcd:
                        endpoints: [%s]
                        service: tck-%d
                        leaseTtl: 5s
                      rpcTimeout: 10s
                    serialization:
                      allow:
                        - org.jsr107.tck.**
                        - domain.**
                        - java.net.InetAddress
                        - java.net.Inet4Address
                        - java.net.Inet6Address
                    """.formatted(etcd.endpoint(), ProcessHandle.current().pid()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        System.setProperty(KamaCachingProvider.CONFIG_PROPERTY, config.toUri().toString());
        ClassLoader loader = ClusterPeers.class.getClassLoader();
        KamaConfig parsed = KamaConfig.load(config.toUri(), loader);
        for (int i = 1; i <= Integer.parseInt(count.trim()); i++) {
            peers.add(new KamaCacheManager(null, URI.create("kamacache:tck-peer-" + i), loader, new Properties(),
                    parsed, InstantSource.system()));
        }
    }

    @Override
    public void launcherSessionClosed(LauncherSession session) {
        peers.forEach(KamaCacheManager::close);
        peers.clear();
        try {
            etcd.close();
            if (config != null) {
                Files.deleteIfExists(config);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
