package io.kamacache;

/**
 * A call to the node that owns a key failed: it did not answer within the deadline, refused
 * the request (the message carries its reason), or the value was too large to send.
 */
public class ClusterException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public ClusterException(String message, Throwable cause) {
        super(message, cause);
    }
}
