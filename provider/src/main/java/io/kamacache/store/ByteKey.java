package io.kamacache.store;

import java.util.Arrays;
import java.util.function.Predicate;

/** A byte-array key with value equality and a cached hash, as map keys need. */
final class ByteKey {

    final byte[] bytes;
    private final int hash;

    ByteKey(byte[] bytes) {
        this.bytes = bytes;
        this.hash = Arrays.hashCode(bytes);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ByteKey other && other.hash == hash && Arrays.equals(other.bytes, bytes)
                || o instanceof Probe probe && probe.equals(this);
    }

    @Override
    public int hashCode() {
        return hash;
    }
}

/**
 * A key to look up without its bytes: equal to the {@link ByteKey} whose bytes its
 * predicate accepts, and with the hash those bytes have. Used only as a lookup argument.
 */
record Probe(int hash, Predicate<byte[]> isKey) {

    @Override
    public boolean equals(Object o) {
        return o instanceof ByteKey key && key.hashCode() == hash && isKey.test(key.bytes);
    }

    @Override
    public int hashCode() {
        return hash;
    }
}
