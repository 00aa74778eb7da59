package io.kamacache.testing;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Loopback ports no one listens on now, for nodes, servers and etcd started by tests.
 *
 * <p>They are drawn below the kernel's ephemeral range. A port the kernel hands out for
 * {@code new ServerSocket(0)} comes from that range, which outgoing connections draw from
 * too: between choosing such a port and binding it, a node's client socket (to etcd, to a
 * peer) could take it, and the bind fails with "address already in use". Below the range
 * only another listener can take it, and none is handed the same port twice in this JVM.
 */
public final class FreePorts {

    /** Where the drawn ports start: above the well-known and most registered ports. */
    private static final int LOWEST = 10_000;
    /** Where Linux's ephemeral range starts by default, when it cannot be read. */
    private static final int EPHEMERAL_DEFAULT = 32_768;
    private static final int ATTEMPTS = 1_000;
    private static final Set<Integer> HANDED_OUT = ConcurrentHashMap.newKeySet();

    private FreePorts() {
    }

    /** A port that was free a moment ago, below the ephemeral range. */
    public static int port() {
        int ephemeral = ephemeralStart();
        for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
            int candidate = ThreadLocalRandom.current().nextInt(LOWEST, ephemeral);
            if (HANDED_OUT.add(candidate) && isFree(candidate)) {
                return candidate;
            }
        }
        throw new IllegalStateException("no free loopback port between " + LOWEST + " and " + ephemeral
                + " after " + ATTEMPTS + " tries");
    }

    /** {@code 127.0.0.1:<a free port>}. */
    public static String loopbackAddress() {
        return "127.0.0.1:" + port();
    }

    private static boolean isFree(int port) {
        try (ServerSocket socket = new ServerSocket()) {
            socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
            return true;
        } catch (IOException busy) {
            return false;
        }
    }

    /** The first port of the kernel's ephemeral range (Linux: {@code ip_local_port_range}). */
    private static int ephemeralStart() {
        try {
            String range = Files.readString(Path.of("/proc/sys/net/ipv4/ip_local_port_range")).trim();
            int start = Integer.parseInt(range.split("\\s+")[0]);
            return start > LOWEST + 1_000 ? start : EPHEMERAL_DEFAULT;
        } catch (IOException | RuntimeException unreadable) {
            return EPHEMERAL_DEFAULT;
        }
    }
}
