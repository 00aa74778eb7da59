package io.kamacache.jcache;

import io.kamacache.Getter;
import io.kamacache.Group;
import io.kamacache.Node;
import io.kamacache.metrics.NodeMetrics;
import io.kamacache.codec.Codec;
import io.kamacache.config.CacheSettings;
import io.kamacache.config.ClusterSettings;
import io.kamacache.config.KamaConfig;
import io.kamacache.discovery.EtcdRegistration;
import io.kamacache.remote.PeerChannels;
import io.kamacache.ring.HashRing;
import io.kamacache.store.RemovalCause;
import io.kamacache.store.StoreOptions;

import javax.cache.configuration.CompleteConfiguration;
import java.time.InstantSource;
import java.util.Set;
import java.util.function.BiConsumer;
import java.util.function.Consumer;

/**
 * A cache manager's JVM as a full {@link Node}: every cache is a group of it, whose
 * {@link OwnedEntries} run the operations on the keys this node owns; a clustered node
 * serves the other nodes' calls through a {@link CacheEndpoint}.
 */
final class EmbeddedNode implements CacheNode {

    /** Read-through in a JCache cache goes through its {@link OwnedEntries}; the group loads nothing itself. */
    private static final Getter NO_GETTER = key -> null;

    private final Node node;
    private final InstantSource clock;

    private EmbeddedNode(Node node, InstantSource clock) {
        this.node = node;
        this.clock = clock;
    }

    /** Found by name by {@link KamaCacheManager}: its presence makes the provider embedded by default. */
    static final class Starter implements CacheNode.Starter {

        @Override
        public CacheNode start(KamaCacheManager manager, Codec control) {
            KamaConfig config = manager.config();
            ClusterSettings cluster = config.cluster();
            Node.Builder builder = Node.builder()
                    .selfAddress(config.node().address())
                    .hashFunction(config.node().hashFunction())
                    .virtualNodes(config.node().virtualNodes())
                    .clock(manager.clock());
            if (cluster.isClustered()) {
                NodeMetrics metrics = new NodeMetrics();
                builder.metrics(metrics)
                        .membership(EtcdRegistration.of(cluster))
                        .rpcTimeout(cluster.rpcTimeout())
                        .maxMessageBytes(cluster.maxMessageBytes())
                        .replySpin(cluster.replySpin())
                        .token(cluster.token())
                        .tls(cluster.tls())
                        .service(new CacheEndpoint(manager, control, metrics), CacheEndpoint.INLINE, CacheEndpoint.LASTING);
            }
            return new EmbeddedNode(builder.build(), manager.clock());
        }
    }

    @Override
    public String selfAddress() {
        return node.selfAddress();
    }

    @Override
    public HashRing ring() {
        return node.ring();
    }

    @Override
    public PeerChannels channels() {
        return node.peerChannels();
    }

    @Override
    public void watchMembers(Consumer<Set<String>> watcher) {
        node.watchMembers(watcher);
    }

    @Override
    public <K, V> LocalEntries<K, V> open(String name, CompleteConfiguration<K, V> configuration,
                                          CacheSettings settings, Codec codec, BiConsumer<byte[], byte[]> expired) {
        StoreOptions options = StoreOptions.builder()
                .policy(settings.policy())
                .maxBytes(settings.maxBytes())
                .maxEntries(settings.maxEntries())
                .build();
        Group group = node.newGroup(name, NO_GETTER, options, (k, value, cause) -> {
            if (cause == RemovalCause.EXPIRED) {
                expired.accept(k, value.value());
            }
        });
        try {
            return new OwnedEntries<>(name, group, configuration, codec, clock);
        } catch (RuntimeException e) {
            node.removeGroup(name);
            throw e;
        }
    }

    @Override
    public void reconfigure(String name, CacheSettings settings) {
        Group group = node.getGroup(name);
        if (group != null) { // null: dropped meanwhile
            group.reconfigure(settings.policy(), settings.maxBytes(), settings.maxEntries());
        }
    }

    @Override
    public void drop(String name) {
        node.removeGroup(name);
    }

    @Override
    public Object unwrapTarget() {
        return node;
    }

    @Override
    public void close() {
        node.close();
    }

    @Override
    public String toString() {
        return "node " + node.selfAddress();
    }
}
