package io.kamacache.jcache;

import io.kamacache.codec.Codec;
import io.kamacache.config.CacheSettings;
import io.kamacache.config.ClusterSettings;
import io.kamacache.config.KamaConfig;
import io.kamacache.discovery.Membership;
import io.kamacache.remote.PeerChannels;
import io.kamacache.ring.HashRing;

import javax.cache.configuration.CompleteConfiguration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BiConsumer;
import java.util.function.Consumer;

/**
 * A JVM in client mode: it watches the members (static peers, or etcd without
 * registering), keeps the same ring as they do and owns nothing, so every key goes to a
 * server. It opens no port.
 */
final class ClientNode implements CacheNode {

    private final KamaConfig config;
    private final Membership membership;
    private final PeerChannels channels;
    private final List<Consumer<Set<String>>> watchers = new CopyOnWriteArrayList<>();
    private volatile HashRing ring;

    /**
     * @throws io.kamacache.discovery.MembershipException when etcd cannot be reached in time
     */
    ClientNode(KamaConfig config) {
        ClusterSettings cluster = config.cluster();
        if (!cluster.isClustered()) {
            throw new IllegalArgumentException(config.source() + ": a client needs servers to send its keys to: "
                    + "set cluster.peers or cluster.etcd");
        }
        this.config = config;
        this.ring = HashRing.of(List.of(), config.node().hashFunction(), config.node().virtualNodes());
        this.channels = new PeerChannels(cluster);
        this.membership = cluster.membership();
        try {
            membership.observe(this::onView);
        } catch (RuntimeException e) {
            channels.close();
            throw e;
        }
    }

    private void onView(Set<String> members) {
        HashRing previous = ring;
        ring = HashRing.of(members, config.node().hashFunction(), config.node().virtualNodes());
        channels.retain(members);
        if (!previous.members().equals(ring.members())) {
            for (Consumer<Set<String>> watcher : watchers) {
                watcher.accept(ring.members());
            }
        }
    }

    @Override
    public String selfAddress() {
        return "";
    }

    @Override
    public HashRing ring() {
        return ring;
    }

    @Override
    public PeerChannels channels() {
        return channels;
    }

    @Override
    public void watchMembers(Consumer<Set<String>> watcher) {
        watchers.add(watcher);
    }

    @Override
    public <K, V> LocalEntries<K, V> open(String name, CompleteConfiguration<K, V> configuration,
                                          CacheSettings settings, Codec codec, BiConsumer<byte[], byte[]> expired) {
        return LocalEntries.none();
    }

    @Override
    public void reconfigure(String name, CacheSettings settings) {
    }

    @Override
    public void drop(String name) {
    }

    @Override
    public Object unwrapTarget() {
        return null;
    }

    @Override
    public void close() {
        membership.close();
        channels.close();
    }

    @Override
    public String toString() {
        return "client of " + membership;
    }
}
