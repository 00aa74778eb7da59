package io.kamacache.jcache;

import io.kamacache.codec.Codec;
import io.kamacache.config.CacheSettings;
import io.kamacache.remote.PeerChannels;
import io.kamacache.ring.HashRing;

import javax.cache.configuration.CompleteConfiguration;
import java.util.Set;
import java.util.function.BiConsumer;
import java.util.function.Consumer;

/**
 * The JVM a cache manager runs in, as its caches see it: the members keys are routed among
 * and, on a full node, the entries it owns. A {@link ClientNode} owns nothing; the
 * provider module's embedded node owns its share of every cache.
 */
interface CacheNode extends AutoCloseable {

    /** This JVM's address on the ring; empty for a client, which is not on it. */
    String selfAddress();

    default boolean isClient() {
        return selfAddress().isEmpty();
    }

    /** The members now. */
    HashRing ring();

    /** The channels to the members; null in single-instance mode. */
    PeerChannels channels();

    /**
     * Calls {@code watcher} with the members each time they change, after the ring has
     * changed, on the thread that reports views; it must not block.
     */
    void watchMembers(Consumer<Set<String>> watcher);

    /**
     * The entries of a cache that this JVM holds.
     *
     * @param expired told of each entry the store finds expired, key and value as bytes
     */
    <K, V> LocalEntries<K, V> open(String name, CompleteConfiguration<K, V> configuration, CacheSettings settings,
                                   Codec codec, BiConsumer<byte[], byte[]> expired);

    /** Gives this JVM's entries of a cache another eviction policy and bounds, keeping them; a client holds none. */
    void reconfigure(String name, CacheSettings settings);

    /** Drops the entries of a cache that left its manager. */
    void drop(String name);

    /** What {@code unwrap} on the manager may give besides the manager: the provider's node. */
    Object unwrapTarget();

    /** Leaves the cluster (a full node hands its entries to their new owners first) and stops. */
    @Override
    void close();

    /** Starts the node of a cache manager: its configuration says how it joins. */
    interface Starter {
        CacheNode start(KamaCacheManager manager, Codec control);
    }
}
