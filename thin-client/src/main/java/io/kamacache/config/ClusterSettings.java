package io.kamacache.config;

import io.kamacache.discovery.Membership;

import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * How a node finds and talks to the other members: a static list of peer addresses or etcd
 * (neither for a single instance, which opens no port at all), the deadline of every call
 * between nodes, the largest message they exchange and how a lone caller waits for its reply.
 *
 * @param peers           the members' {@code host:port} addresses; this node may be among them
 * @param etcd            where to register and find members instead, or null
 * @param rpcTimeout      the deadline of every call to another node
 * @param maxMessageBytes the largest message between nodes, at least 64 KiB
 * @param replySpin       how long a caller whose call is the only one in flight spins for its
 *                        reply before it sleeps (zero: it sleeps at once)
 * @param token           the cluster's shared secret, or null for none: with one, every gRPC
 *                        call and every HTTP API request must carry it; never printed
 * @param tls             TLS on gRPC calls, or null for plain text
 */
public record ClusterSettings(List<String> peers, EtcdSettings etcd, Duration rpcTimeout, int maxMessageBytes,
                              Duration replySpin, String token, TlsSettings tls) {

    /** The default {@link #replySpin}: longer than a loopback round trip on a busy two-core host. */
    public static final Duration DEFAULT_REPLY_SPIN = Duration.ofNanos(250_000);

    /** @throws IllegalArgumentException naming the bad address, timeout or size */
    public ClusterSettings {
        peers = List.copyOf(peers);
        peers.forEach(NodeSettings::checkAddress);
        if (!peers.isEmpty() && etcd != null) {
            throw new IllegalArgumentException("give either peers or etcd, not both");
        }
        Objects.requireNonNull(rpcTimeout, "rpcTimeout");
        if (rpcTimeout.isNegative() || rpcTimeout.isZero()) {
            throw new IllegalArgumentException("rpc timeout must be positive, got " + rpcTimeout);
        }
        if (maxMessageBytes < 64 << 10) {
            throw new IllegalArgumentException("max message size must be at least 64KiB, got " + maxMessageBytes);
        }
        Objects.requireNonNull(replySpin, "replySpin");
        if (replySpin.isNegative() || replySpin.compareTo(rpcTimeout) > 0) {
            throw new IllegalArgumentException("reply spin must be between 0 and the rpc timeout, got " + replySpin);
        }
        if (token != null && (token.isBlank() || !token.chars().allMatch(c -> c > ' ' && c < 127))) {
            throw new IllegalArgumentException("a token must be printable ASCII without spaces");
        }
    }

    /** A single instance: no peers, 5 s deadlines, 4 MiB messages, the default reply spin. */
    public static ClusterSettings defaults() {
        return new ClusterSettings(List.of(), null, Duration.ofSeconds(5), 4 << 20, DEFAULT_REPLY_SPIN, null, null);
    }

    /** These settings with other peers and etcd. */
    public ClusterSettings withMembers(List<String> peers, EtcdSettings etcd) {
        return new ClusterSettings(peers, etcd, rpcTimeout, maxMessageBytes, replySpin, token, tls);
    }

    @Override
    public String toString() {
        return "ClusterSettings[peers=" + peers + ", etcd=" + etcd + ", rpcTimeout=" + rpcTimeout
                + ", maxMessageBytes=" + maxMessageBytes + ", replySpin=" + replySpin
                + (token == null ? "" : ", token=***") + ", tls=" + tls + ']';
    }

    /** Whether other nodes can be members. */
    public boolean isClustered() {
        return !peers.isEmpty() || etcd != null;
    }

    /** A new membership of these settings: etcd, the static peers, or none. */
    public Membership membership() {
        if (etcd != null) {
            return etcd.membership();
        }
        return peers.isEmpty() ? Membership.none() : Membership.staticPeers(peers);
    }
}
