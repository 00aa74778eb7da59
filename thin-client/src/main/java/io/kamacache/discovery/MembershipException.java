package io.kamacache.discovery;

/** The source of membership could not be reached or refused the node; the message says which and why. */
public final class MembershipException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public MembershipException(String message) {
        super(message);
    }

    public MembershipException(String message, Throwable cause) {
        super(message, cause);
    }
}
