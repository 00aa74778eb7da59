package io.kamacache.remote;

import io.kamacache.proto.v1.OperationReply;

/**
 * A JCache operation sent to a member and not answered yet, so that a caller can send to
 * several members before it waits for any. Await it exactly once: until then the call
 * counts as in flight.
 */
@FunctionalInterface
public interface SentCall {

    /**
     * Waits for the reply, at most what is left of the call's deadline since it was sent.
     *
     * @throws io.grpc.StatusRuntimeException as a unary call would fail
     */
    OperationReply await();
}
