package io.kamacache.store;

import java.util.Objects;

/**
 * What the store keeps for a key: the value bytes and the absolute time (epoch
 * milliseconds) at which the entry expires. Immutable by contract: the store takes
 * ownership of the array, and neither it nor anyone reading the value may change it.
 */
public final class StoredValue {

    /** The expiry time of an entry that never expires. */
    public static final long ETERNAL = Long.MAX_VALUE;

    private final byte[] value;
    private final long expiresAt;

    private StoredValue(byte[] value, long expiresAt) {
        this.value = Objects.requireNonNull(value, "value");
        this.expiresAt = expiresAt;
    }

    /** A value that never expires; the array is not copied. */
    public static StoredValue of(byte[] value) {
        return new StoredValue(value, ETERNAL);
    }

    /** A value that expires at {@code expiresAt} epoch milliseconds; the array is not copied. */
    public static StoredValue of(byte[] value, long expiresAt) {
        return new StoredValue(value, expiresAt);
    }

    /** The value bytes; the caller must not modify them. */
    public byte[] value() {
        return value;
    }

    /** Epoch milliseconds at which the entry expires, or {@link #ETERNAL}. */
    public long expiresAt() {
        return expiresAt;
    }

    /** The same bytes with another expiry time. */
    public StoredValue withExpiresAt(long newExpiresAt) {
        return new StoredValue(value, newExpiresAt);
    }

    /** Whether the entry has expired at {@code nowMillis}: expiry is inclusive of its instant. */
    public boolean isExpiredAt(long nowMillis) {
        return expiresAt != ETERNAL && expiresAt <= nowMillis;
    }
}
