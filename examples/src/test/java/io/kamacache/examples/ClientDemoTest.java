package io.kamacache.examples;

import io.kamacache.config.KamaConfig;
import io.kamacache.jcache.KamaCacheManager;
import io.kamacache.testing.EtcdExtension;
import io.kamacache.testing.Rings;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Properties;

import static org.assertj.core.api.Assertions.assertThat;

class ClientDemoTest {

    @RegisterExtension
    static final EtcdExtension ETCD = new EtcdExtension();

    @Test
    void theClientCountsVisitsOnTheServersRoundAfterRound() throws Exception {
        String service = "demo-" + System.nanoTime();
        List<KamaCacheManager> servers = new ArrayList<>();
        try {
            for (int i = 0; i < 2; i++) {
                KamaConfig config = KamaConfig.parse("node:\n  address: 127.0.0.1:0\ncluster:\n  etcd:\n    endpoints: ["
                        + ETCD.endpoint() + "]\n    service: " + service + "\n", "server " + i);
                servers.add(new KamaCacheManager(null, URI.create("kamacache:demo-server-" + i),
                        getClass().getClassLoader(), new Properties(), config, InstantSource.system()));
            }
            for (KamaCacheManager server : servers) {
                Rings.awaitMembers(server, servers.size());
            }
            ByteArrayOutputStream buffer = new ByteArrayOutputStream();
            ClientDemo.run(ETCD.endpoint(), service, 3, 10, new PrintStream(buffer, true, StandardCharsets.UTF_8));
            List<String> lines = Arrays.asList(buffer.toString(StandardCharsets.UTF_8).split("\\R"));

            assertThat(lines).containsExactly(
                    "client of the servers of service '" + service + "' in etcd at " + ETCD.endpoint(),
                    "round 1: {user-1=1, user-2=1, user-3=1, user-4=1, user-5=1}",
                    "round 2: {user-1=2, user-2=2, user-3=2, user-4=2, user-5=2}",
                    "round 3: {user-1=3, user-2=3, user-3=3, user-4=3, user-5=3}");
            long held = servers.stream().mapToLong(server -> server.getCache("visits") == null ? 0
                    : server.getCache("visits").unwrap(io.kamacache.Group.class).stats().entries()).sum();
            assertThat(held).as("the servers hold the counts").isEqualTo(5);
        } finally {
            servers.forEach(KamaCacheManager::close);
        }
    }
}
