package io.kamacache.testing;

import io.kamacache.Node;
import io.kamacache.discovery.EtcdMembership;
import io.kamacache.discovery.EtcdRegistration;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;

/**
 * A cache node in a JVM of its own, for tests that kill one: {@code NodeProcess selfAddress
 * etcdEndpoint serviceName leaseTtlSeconds}. It joins through etcd with a group "scores" whose
 * getter returns {@link #valueOf}, prints {@code ready}, and lives until its standard input
 * closes (the test JVM ending) or it is killed.
 */
public final class NodeProcess {

    private NodeProcess() {
    }

    /** What every node's getter in these tests returns for {@code key}. */
    public static byte[] valueOf(String key) {
        return ("value of " + key).getBytes(StandardCharsets.UTF_8);
    }

    public static void main(String[] args) throws IOException {
        if (args.length != 4) {
            System.err.println("usage: NodeProcess selfAddress etcdEndpoint serviceName leaseTtlSeconds");
            System.exit(2);
        }
        EtcdRegistration membership = EtcdRegistration.of(EtcdMembership.builder().endpoints(List.of(args[1])).serviceName(args[2])
                .leaseTtl(Duration.ofSeconds(Long.parseLong(args[3]))).connectTimeout(Duration.ofSeconds(2)));
        try (Node node = Node.builder().selfAddress(args[0]).serviceName(args[2]).membership(membership).build()) {
            node.newGroup("scores", NodeProcess::valueOf);
            System.out.println("ready");
            System.out.flush();
            while (System.in.read() >= 0) {
                // nothing to read: this only waits for the parent to go away
            }
        }
    }
}
