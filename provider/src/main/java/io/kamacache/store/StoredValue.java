package io.kamacache.store;

import io.kamacache.codec.Codec;

import java.util.Objects;

/**
 * What the store keeps for a key: the value bytes, or the value as an immutable object in
 * their place, and the absolute time (epoch milliseconds) at which the entry expires.
 * Immutable by contract: the store takes ownership of the array, and neither it nor anyone
 * reading the value may change it.
 *
 * <p>The object is for a face that decodes values (JCache): when a writer on this JVM
 * stores a value of an immutable type (a {@code String}, a boxed primitive,
 * {@link Codec#isImmutable}) the entry keeps the object instead of its bytes, and readers on
 * this JVM hand it out as it is instead of decoding a copy, which is what store-by-value
 * means for an object nobody can change. Whoever needs the bytes (another node's read, an
 * event, a handoff) gets them encoded then, each time: the entry never holds both, so its
 * weight ({@link #weight()}) is what it holds and byte bounds bound the memory held.
 */
public final class StoredValue {

    /** The expiry time of an entry that never expires. */
    public static final long ETERNAL = Long.MAX_VALUE;

    /** A String's own fields and its array's header, or a boxed primitive, rounded up. */
    private static final int OBJECT_HEADER = 40;

    private final byte[] value;
    private final long expiresAt;
    private final Object object;
    /**
     * {@link #weight()}, kept because a rewrite subtracts the weight of the value it replaces,
     * which would otherwise cost reading that value's object and array, likely out of cache.
     * An int fits in the object's padding; a String of more than a billion chars is counted
     * as {@code Integer.MAX_VALUE}.
     */
    private final int weight;

    private StoredValue(byte[] value, long expiresAt, Object object) {
        this.value = object != null ? null : Objects.requireNonNull(value, "value");
        this.expiresAt = expiresAt;
        this.object = object;
        this.weight = object != null ? weightOfObject(object) : value.length;
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
     * A value that expires at {@code expiresAt} epoch milliseconds: {@code object} when there
     * is one, which must be immutable ({@link Codec#isImmutable}) and is kept in place of the
     * bytes it encodes (which may then be null, and are dropped when given), else the bytes.
     *
     * @throws IllegalArgumentException if the object is of another type
     * @throws NullPointerException if there is neither
     */
    public static StoredValue of(byte[] value, long expiresAt, Object object) {
        if (object != null && !Codec.isImmutable(object)) {
            throw new IllegalArgumentException("only Strings and boxed primitives are kept as objects, not "
                    + object.getClass().getName());
        }
        return new StoredValue(value, expiresAt, object);
    }

    /**
     * The value bytes; the caller must not modify them. For a value kept as its object they
     * are encoded now, a new array on every call.
     */
    public byte[] value() {
        return value != null ? value : Codec.encodeImmutable(object);
    }

    /** The value as an immutable object, or null when the bytes are kept. */
    public Object object() {
        return object;
    }

    /**
     * What the value holds: its object when it keeps one, else its bytes, which the caller
     * must not modify.
     */
    public Object payload() {
        return object != null ? object : value;
    }

    /** What the value holds in memory, in bytes: its bytes' length, or its object's weight ({@link #weightOfObject}). */
    public long weight() {
        return weight;
    }

    /**
     * What keeping an immutable object ({@link Codec#isImmutable}) costs, at most:
     * its header and fields and, for a String, its character array; 0 for null.
     */
    public static int weightOfObject(Object object) {
        if (object == null) {
            return 0;
        }
        return object instanceof String s ? (int) Math.min(Integer.MAX_VALUE, OBJECT_HEADER + 2L * s.length()) : OBJECT_HEADER;
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
