package io.kamacache.config;

import io.kamacache.ring.HashFunction;
import io.kamacache.ring.HashRing;

import java.util.Objects;

/**
 * This node's place in a cluster: the {@code host:port} it is known by and how the
 * consistent-hash ring places nodes and keys. Every node of a cluster must use the same hash
 * function and virtual-node count, or they disagree about which node owns a key.
 *
 * @param address      {@code host:port}, the port 1..65535, or 0 for any free port (with etcd, which tells
 *                     the others the port taken); an IPv6 host is written in brackets, {@code [::1]:8001}
 * @param hashFunction the ring's hash function
 * @param virtualNodes points per node on the ring, 1..{@value HashRing#MAX_VIRTUAL_NODES}
 */
public record NodeSettings(String address, HashFunction hashFunction, int virtualNodes) {

    /** @throws IllegalArgumentException if the address is not {@code host:port} or virtualNodes is out of range */
    public NodeSettings {
        checkNodeAddress(address);
        Objects.requireNonNull(hashFunction, "hashFunction");
        checkVirtualNodes(virtualNodes);
    }

    /** {@code 127.0.0.1:8001}, {@link HashFunction#DEFAULT}, {@link HashRing#DEFAULT_VIRTUAL_NODES}. */
    public static NodeSettings defaults() {
        return new NodeSettings("127.0.0.1:8001", HashFunction.DEFAULT, HashRing.DEFAULT_VIRTUAL_NODES);
    }

    /**
     * Returns {@code address} if it is a usable {@code host:port}; the file parser and the
     * membership sources check with this, so all say the same thing.
     *
     * @throws IllegalArgumentException naming what is wrong
     */
    public static String checkAddress(String address) {
        return check(address, 1);
    }

    /** As {@link #checkAddress}, but port 0 (any free port) is allowed: the address a node listens on. */
    public static String checkNodeAddress(String address) {
        return check(address, 0);
    }

    /** These settings with the address's port replaced: what {@code grpc.port} does. */
    public NodeSettings withPort(int port) {
        return new NodeSettings(address.substring(0, address.lastIndexOf(':') + 1) + port, hashFunction, virtualNodes);
    }

    /** Whether the address asks for any free port. */
    public boolean anyPort() {
        return address.endsWith(":0");
    }

    private static String check(String address, int lowestPort) {
        Objects.requireNonNull(address, "address");
        int colon = address.lastIndexOf(':');
        String host = colon < 0 ? "" : address.substring(0, colon);
        String port = colon < 0 ? "" : address.substring(colon + 1);
        boolean bracketed = host.startsWith("[") && host.endsWith("]") && host.length() > 2;
        // An unbracketed host with a colon is an IPv6 address whose last group would be taken for the port.
        if (host.isEmpty() || host.chars().anyMatch(Character::isWhitespace)
                || (host.indexOf(':') >= 0 && !bracketed) || !port.matches("[0-9]{1,5}")) {
            throw new IllegalArgumentException(
                    "expected host:port such as 127.0.0.1:8001 or [::1]:8001, got '" + address + "'");
        }
        int number = Integer.parseInt(port);
        if (number < lowestPort || number > 65_535) {
            throw new IllegalArgumentException("port must be between " + lowestPort + " and 65535, got " + number);
        }
        return address;
    }

    static int checkVirtualNodes(int virtualNodes) {
        if (virtualNodes < 1 || virtualNodes > HashRing.MAX_VIRTUAL_NODES) {
            throw new IllegalArgumentException("virtual nodes must be between 1 and "
                    + HashRing.MAX_VIRTUAL_NODES + ", got " + virtualNodes);
        }
        return virtualNodes;
    }
}
