package io.kamacache.bench;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * What every system of {@link ClientServerLoad} is started with.
 *
 * @param workDir       where the servers' configuration files and logs go
 * @param serverJar     the kamacache server program
 * @param redisServer   the {@code redis-server} command
 * @param servers       how many kamacache servers and Hazelcast members the clusters have
 * @param serverHeap    -Xms and -Xmx of every server JVM (kamacache servers, Hazelcast members)
 * @param callTimeout   the deadline of every client call
 * @param readyTimeout  how long a server may take to say it serves
 */
record LoadSetup(Path workDir, Path serverJar, String redisServer, int servers, String serverHeap,
                 Duration callTimeout, Duration readyTimeout) {

    static final String LOOPBACK = "127.0.0.1";

    /** The java command of this JVM, for the server JVMs. */
    static String java() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    /**
     * The start of a server JVM's command line: java and the heap, touched at start. Untouched, a
     * server's first minute of load spends a fifth of its CPU faulting in fresh heap pages (a cost
     * that moves between cells with the young generation's growth), not serving.
     */
    List<String> javaCommand() {
        return new ArrayList<>(List.of(java(), "-Xms" + serverHeap, "-Xmx" + serverHeap, "-XX:+AlwaysPreTouch"));
    }

    /** {@code count} distinct loopback ports that are free now. */
    static List<Integer> freePorts(int count) throws IOException {
        List<ServerSocket> sockets = new ArrayList<>();
        try {
            for (int i = 0; i < count; i++) {
                sockets.add(new ServerSocket(0, 1, InetAddress.getByName(LOOPBACK)));
            }
            return sockets.stream().map(ServerSocket::getLocalPort).toList();
        } finally {
            for (ServerSocket socket : sockets) {
                socket.close();
            }
        }
    }

    /** {@code host:port} on loopback for every port. */
    static List<String> addresses(List<Integer> ports) {
        return ports.stream().map(port -> LOOPBACK + ":" + port).toList();
    }
}
