package io.kamacache.remote;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.kamacache.proto.v1.RequestHeader;

/** The protocol version this code speaks, and the header every request carries. */
public final class Protocol {

    /** The version of {@code kamacache/v1/cache.proto} this code speaks. */
    public static final int VERSION = 1;

    private Protocol() {
    }

    /** The header of a request sent by {@code sender} (empty for a client). */
    public static RequestHeader header(String sender, boolean forwarded) {
        return RequestHeader.newBuilder()
                .setProtocolVersion(VERSION)
                .setSender(sender)
                .setForwarded(forwarded)
                .build();
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
                            + (header.getSender().isEmpty() ? "a client" : header.getSender())
                            + " is not supported; this node speaks version " + VERSION)
                    .asRuntimeException();
        }
    }
}
