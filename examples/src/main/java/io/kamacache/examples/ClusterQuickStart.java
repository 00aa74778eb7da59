package io.kamacache.examples;

import io.kamacache.ByteView;
import io.kamacache.Node;
import io.kamacache.discovery.EtcdMembership;
import io.kamacache.discovery.EtcdRegistration;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

/**
 * The quick start as a cluster: three nodes in one JVM find each other through etcd, each
 * with a "scores" group in front of the same slow database. Every node answers every key,
 * but a key is loaded from the database once, by the node that owns it on the hash ring.
 *
 * <p>Run with {@code --etcd http://127.0.0.1:2379} (the default) against a running etcd.
 */
public final class ClusterQuickStart {

    private static final List<String> KEYS = List.of("Tom", "Jack", "Sam");

    private ClusterQuickStart() {
    }

    public static void main(String[] args) {
        String etcd = "http://127.0.0.1:2379";
        for (int i = 0; i < args.length; i++) {
            if ("--etcd".equals(args[i]) && i + 1 < args.length) {
                etcd = args[++i];
            } else {
                System.err.println("usage: ClusterQuickStart [--etcd http://127.0.0.1:2379]");
                System.exit(2);
            }
        }
        run(etcd, System.out);
    }

    /** Runs the example against the etcd at {@code etcdEndpoint}; returns the line of load counts. */
    static String run(String etcdEndpoint, PrintStream out) {
        // a service of its own per run, so that nodes of an earlier run still listed in etcd are not taken for members
        String service = "quickstart-" + ProcessHandle.current().pid() + "-" + System.nanoTime();
        Map<String, Integer> loads = new TreeMap<>();
        List<Node> nodes = new ArrayList<>();
        try {
            for (int i = 0; i < 3; i++) {
                EtcdRegistration membership = EtcdRegistration.of(EtcdMembership.builder().endpoints(List.of(etcdEndpoint))
                        .serviceName(service).leaseTtl(Duration.ofSeconds(2)));
                Node node = Node.builder().selfAddress(freeAddress()).serviceName(service).membership(membership).build();
                node.newGroup("scores", key -> {
                    out.println("[SlowDB] search key " + key);
                    synchronized (loads) {
                        loads.merge(key, 1, Integer::sum);
                    }
                    String value = QuickStart.DB.get(key);
                    return value == null ? null : value.getBytes();
                });
                nodes.add(node);
            }
            awaitOneRing(nodes);
            out.println("3 nodes registered in etcd at " + etcdEndpoint + ": " + nodes.get(0).ring().members());

            for (String key : KEYS) {
                for (Node node : nodes) {
                    ByteView value = node.getGroup("scores").get(key);
                    out.println(key + " -> " + value + " (asked " + node.selfAddress() + ", owner "
                            + node.ring().ownerOf(key) + ")");
                }
            }
            String summary;
            synchronized (loads) {
                summary = "database loads per key: " + loads;
            }
            out.println(summary);
            return summary;
        } finally {
            nodes.forEach(Node::close);
        }
    }

    /** Waits until every node's ring holds all of them: each learns the later ones from etcd's watch. */
    private static void awaitOneRing(List<Node> nodes) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!nodes.stream().allMatch(n -> n.ring().members().size() == nodes.size())) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("the nodes did not all see each other in etcd within 10 s");
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted", e);
            }
        }
    }

    private static String freeAddress() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return "127.0.0.1:" + socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
