package io.kamacache.remote;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.kamacache.proto.v1.RequestHeader;

/** The protocol version this code speaks, and the header every request carries. */
public final class Protocol {

    /** The version of {@code kamacache/v1/cache.proto} this code speaks. */
    public static final int VERSION = 5;

    /**
     * The id of the hello, a caller's first call on an operation stream: a request with only
     * its header, answered with the largest message the receiver takes in.
     */
    public static final long HELLO = 0;

    private Protocol() {
    }

    /** What {@link #origin} calls a client: no node address has a space. */
    private static final String CLIENT = "client ";

    /** The header of a request sent by the node at {@code sender}. */
    public static RequestHeader header(String sender, boolean forwarded) {
        return RequestHeader.newBuilder()
                .setProtocolVersion(VERSION)
                .setSender(sender)
                .setForwarded(forwarded)
                .build();
    }

    /** The header of a request sent by a client, which has no address but this id. */
    public static RequestHeader clientHeader(String clientId) {
        return RequestHeader.newBuilder()
                .setProtocolVersion(VERSION)
                .setClientId(clientId)
                .build();
    }

    /** Who sent a request: a node's address, or {@code client <id>}. */
    public static String origin(RequestHeader header) {
        return header.getSender().isEmpty() ? CLIENT + header.getClientId() : header.getSender();
    }

    /** Whether an {@link #origin} is a client's. */
    public static boolean isClient(String origin) {
        return origin.startsWith(CLIENT);
    }

    /**
     * Checks a received header.
     *
     * @throws StatusRuntimeException FAILED_PRECONDITION naming both versions when they differ
     */
    public static void check(RequestHeader header) {
        if (header.getProtocolVersion() != VERSION) {
            throw Status.FAILED_PRECONDITION
                    .withDescription("protocol version " + header.getProtocolVersion() + " from "
                            + origin(header)
                            + " is not supported; this node speaks version " + VERSION)
                    .asRuntimeException();
        }
    }
}
