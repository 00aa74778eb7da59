package io.kamacache.store;

import java.util.Objects;

/**
 * What the store keeps for a key: the value bytes, the absolute time (epoch milliseconds)
 * at which the entry expires, and optionally the value as an immutable object. Immutable
 * by contract: the store takes ownership of the array, and neither it nor anyone reading
 * the value may change it.
 *
 * <p>The object is for a face that decodes values (JCache): when a writer on this JVM
 * stores a value of an immutable type (a {@code String}, a boxed primitive) it keeps the
 * object beside the bytes, and readers on this JVM hand it out as it is instead of
 * decoding a copy, which is what store-by-value means for an object nobody can change.
 * It counts in the entry's weight ({@link #objectWeight()}), so byte bounds still bound
 * the memory held.
 */
public final class StoredValue {

    /** The expiry time of an entry that never expires. */
    public static final long ETERNAL = Long.MAX_VALUE;

    /** A String's own fields and its array's header, or a boxed primitive, rounded up. */
    private static final int OBJECT_HEADER = 40;

    private final byte[] value;
    private final long expiresAt;
    private final Object object;

    private StoredValue(byte[] value, long expiresAt, Object object) {
        this.value = Objects.requireNonNull(value, "value");
        this.expiresAt = expiresAt;
        this.object = object;
    }

    /** A value that never expires; the array is not copied. */
    public static StoredValue of(byte[] value) {
        return new StoredValue(value, ETERNAL, null);
    }

    /** A value that expires at {@code expiresAt} epoch milliseconds; the array is not copied. */
    public static StoredValue of(byte[] value, long expiresAt) {
        return new StoredValue(value, expiresAt, null);
    }

    /**
     * A value that expires at {@code expiresAt} epoch milliseconds, kept also as
     * {@code object}, which the bytes encode and which must be immutable (a {@code String}
     * or a boxed primitive); null keeps the bytes alone.
     *
     * @throws IllegalArgumentException if the object is of another type
     */
    public static StoredValue of(byte[] value, long expiresAt, Object object) {
        if (object != null && !isImmutable(object)) {
            throw new IllegalArgumentException("only Strings and boxed primitives are kept as objects, not "
                    + object.getClass().getName());
        }
        return new StoredValue(value, expiresAt, object);
    }

    /** Whether {@link #of(byte[], long, Object)} keeps {@code object}: a String or a boxed primitive. */
    public static boolean isImmutable(Object object) {
        return object instanceof String || object instanceof Integer || object instanceof Long
                || object instanceof Short || object instanceof Byte || object instanceof Character
                || object instanceof Boolean || object instanceof Float || object instanceof Double;
    }

    /** The value bytes; the caller must not modify them. */
    public byte[] value() {
        return value;
    }

    /** The value as an immutable object, or null when only the bytes are kept. */
    public Object object() {
        return object;
    }

    /**
     * What keeping {@link #object()} costs in bytes, at most: the object's header and fields
     * and, for a String, its character array; 0 without one.
     */
    public int objectWeight() {
        return weightOfObject(object);
    }

    /**
     * What keeping an immutable object ({@link #isImmutable}) beside its bytes costs, at most:
     * its header and fields and, for a String, its character array; 0 for null.
     */
    public static int weightOfObject(Object object) {
        if (object == null) {
            return 0;
        }
        return object instanceof String s ? OBJECT_HEADER + 2 * s.length() : OBJECT_HEADER;
    }

    /** Epoch milliseconds at which the entry expires, or {@link #ETERNAL}. */
    public long expiresAt() {
        return expiresAt;
    }

    /** The same bytes with another expiry time. */
    public StoredValue withExpiresAt(long newExpiresAt) {
        return new StoredValue(value, newExpiresAt, object);
    }

    /** Whether the entry has expired at {@code nowMillis}: expiry is inclusive of its instant. */
    public boolean isExpiredAt(long nowMillis) {
        return expiresAt != ETERNAL && expiresAt <= nowMillis;
    }
}
