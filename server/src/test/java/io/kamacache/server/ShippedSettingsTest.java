package io.kamacache.server;

import io.kamacache.Group;
import io.kamacache.config.KamaConfig;
import io.kamacache.config.PolicyKind;
import io.kamacache.jcache.KamaCacheManager;
import io.kamacache.testing.FreePorts;
import org.junit.jupiter.api.Test;

import javax.cache.Cache;
import java.net.URI;
import java.time.InstantSource;
import java.util.Properties;

import static org.assertj.core.api.Assertions.assertThat;

/** What a client's configuration file says of a cache reaches the servers that hold it. */
class ShippedSettingsTest {

    @Test
    void aCacheNamedInAClientsFileIsCreatedOnTheServersWithItsPolicyAndBounds() {
        String address = FreePorts.loopbackAddress();
        try (CacheServer server = CacheServer.start(KamaConfig.parse("node:\n  address: " + address
                + "\nhttp:\n  port: 0\n", "server"));
             KamaCacheManager client = new KamaCacheManager(null, URI.create("kamacache:shipped"),
                     getClass().getClassLoader(), new Properties(), KamaConfig.parse("mode: client\ncluster:\n  peers: ["
                     + address + "]\ncaches:\n  flood:\n    policy: clock\n    maxBytes: 1MiB\n    maxEntries: 500\n",
                     "client"), InstantSource.system())) {
            Cache<Object, Object> flood = client.getCache("flood");
            for (int i = 0; i < 2_000; i++) {
                flood.put("k" + i, new byte[1024]);
            }
            Group group = server.manager().getCache("flood").unwrap(Group.class);
            assertThat(group.options().policy()).isEqualTo(PolicyKind.CLOCK);
            assertThat(server.manager().settings("flood").maxBytes()).isEqualTo(1 << 20);
            assertThat(group.stats().entries()).as("the bound holds on the server").isLessThanOrEqualTo(500);
            assertThat(group.stats().bytes()).isLessThanOrEqualTo(1 << 20);
            assertThat(group.stats().evictions()).isPositive();
        }
    }
}
