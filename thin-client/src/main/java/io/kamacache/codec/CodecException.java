package io.kamacache.codec;

/**
 * A value that cannot be turned into bytes, or bytes that cannot be turned back into a value.
 * The message names the class or the problem and, where there is one, what to do about it.
 */
public final class CodecException extends RuntimeException {

    public CodecException(String message) {
        super(message);
    }

    public CodecException(String message, Throwable cause) {
        super(message, cause);
    }
}
