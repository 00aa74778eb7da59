package io.kamacache;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Objects;

/**
 * An immutable view of cached bytes. The bytes are never copied on the way out of the
 * cache; {@link #toByteArray()} gives the caller a copy of its own.
 */
public final class ByteView {

    private final byte[] bytes;

    private ByteView(byte[] bytes) {
        this.bytes = bytes;
    }

    /** A view of a copy of {@code bytes}. */
    public static ByteView copyOf(byte[] bytes) {
        return new ByteView(Objects.requireNonNull(bytes, "bytes").clone());
    }

    /** A view of the UTF-8 encoding of {@code text}. */
    public static ByteView of(String text) {
        return new ByteView(Objects.requireNonNull(text, "text").getBytes(StandardCharsets.UTF_8));
    }

    /** Wraps an array the caller promises never to modify again. */
    static ByteView wrap(byte[] bytes) {
        return new ByteView(bytes);
    }

    /** The array itself, for the cache's internal use; never modified. */
    byte[] array() {
        return bytes;
    }

    public int length() {
        return bytes.length;
    }

    public byte byteAt(int index) {
        return bytes[index];
    }

    /** A copy of the bytes. */
    public byte[] toByteArray() {
        return bytes.clone();
    }

    /** A read-only buffer over the bytes, without copying. */
    public ByteBuffer asReadOnlyByteBuffer() {
        return ByteBuffer.wrap(bytes).asReadOnlyBuffer();
    }

    /** The bytes decoded as UTF-8. */
    @Override
    public String toString() {
        return new String(bytes, StandardCharsets.UTF_8);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ByteView other && Arrays.equals(bytes, other.bytes);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(bytes);
    }
}
