package io.kamacache;

/**
 * A read-through load did not produce a value: the getter threw (the cause), or the
 * caller stopped waiting for it (the cause is a {@link java.util.concurrent.TimeoutException}
 * or an {@link InterruptedException}, and the load goes on for the other callers).
 */
public class LoadException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public LoadException(String message, Throwable cause) {
        super(message, cause);
    }
}
