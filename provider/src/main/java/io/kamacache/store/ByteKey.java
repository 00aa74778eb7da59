package io.kamacache.store;

import java.util.Arrays;
import java.util.function.BiPredicate;

/**
 * A byte-array key with value equality and a cached hash, as map keys need, and optionally
 * the immutable object its bytes encode: two keys holding the same object are equal without
 * comparing bytes.
 */
sealed class ByteKey permits Probe {

    final byte[] bytes;
    /** The key as the immutable object its bytes encode, or null. */
    final Object object;
    private final int hash;

    ByteKey(byte[] bytes, Object object) {
        this(Arrays.hashCode(bytes), bytes, object);
    }

    /** A key whose hash, {@link Arrays#hashCode(byte[])} of its bytes, the caller knows. */
    ByteKey(int hash, byte[] bytes, Object object) {
        this.bytes = bytes;
        this.object = object;
        this.hash = hash;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Probe probe ? probe.equals(this)
                : o instanceof ByteKey other && (object != null && other.object == object
                        || other.hash == hash && Arrays.equals(other.bytes, bytes));
    }

    @Override
    public final int hashCode() {
        return hash;
    }
}

/**
 * A key to look up without its bytes: equal to the {@link ByteKey} that holds its object or
 * whose bytes its predicate tells are that object's encoding, with the hash those bytes
 * have. Used only as a lookup argument, never kept by the map: it has no bytes.
 */
final class Probe extends ByteKey {

    private final BiPredicate<Object, byte[]> isEncoding;

    Probe(int hash, Object object, BiPredicate<Object, byte[]> isEncoding) {
        super(hash, null, object);
        this.isEncoding = isEncoding;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ByteKey key && !(key instanceof Probe)
                && (key.object == object && object != null || key.hashCode() == hashCode() && isEncoding.test(object, key.bytes));
    }
}
