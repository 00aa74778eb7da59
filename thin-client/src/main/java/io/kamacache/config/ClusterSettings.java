package io.kamacache.config;

import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * How a node finds and talks to the other members: a static list of peer addresses (empty
 * for a single instance, which opens no port at all), the deadline of every call between
 * nodes and the largest message they exchange.
 *
 * @param peers           the members' {@code host:port} addresses; this node may be among them
 * @param rpcTimeout      the deadline of every call to another node
 * @param maxMessageBytes the largest message between nodes, at least 64 KiB
 */
public record ClusterSettings(List<String> peers, Duration rpcTimeout, int maxMessageBytes) {

    /** @throws IllegalArgumentException naming the bad address, timeout or size */
    public ClusterSettings {
        peers = List.copyOf(peers);
        peers.forEach(NodeSettings::checkAddress);
        Objects.requireNonNull(rpcTimeout, "rpcTimeout");
        if (rpcTimeout.isNegative() || rpcTimeout.isZero()) {
            throw new IllegalArgumentException("rpc timeout must be positive, got " + rpcTimeout);
        }
        if (maxMessageBytes < 64 << 10) {
            throw new IllegalArgumentException("max message size must be at least 64KiB, got " + maxMessageBytes);
        }
    }

    /** A single instance: no peers, 5 s deadlines, 4 MiB messages. */
    public static ClusterSettings defaults() {
        return new ClusterSettings(List.of(), Duration.ofSeconds(5), 4 << 20);
    }

    /** Whether other nodes can be members. */
    public boolean isClustered() {
        return !peers.isEmpty();
    }
}
