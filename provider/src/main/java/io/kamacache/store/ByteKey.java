package io.kamacache.store;

import java.util.Arrays;
import java.util.function.BiPredicate;

/**
 * A byte-array key to look an entry up by, with value equality and a cached hash, and
 * optionally the immutable object its bytes encode: two keys holding the same object are
 * equal without comparing bytes. The map itself keys each entry by its
 * {@link ByteStore.StoreNode}, which holds the same three fields; a key and a node with the
 * same key are equal. Eviction policies also keep these keys, detached from their nodes, to
 * remember evicted entries.
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

    /** Whether two keys, each given as its hash, bytes and object, are the same key. */
    static boolean same(int hash, byte[] bytes, Object object, int otherHash, byte[] otherBytes, Object otherObject) {
        return object != null && otherObject == object || otherHash == hash && Arrays.equals(otherBytes, bytes);
    }

    @Override
    public boolean equals(Object o) {
        if (o instanceof ByteStore.StoreNode node) {
            return same(hash, bytes, object, node.hash, node.bytes, node.object);
        }
        return o instanceof ByteKey other && same(hash, bytes, object, other.hash, other.bytes, other.object);
    }

    @Override
    public final int hashCode() {
        return hash;
    }
}

/**
 * A key to look up without its bytes: equal to the entry that holds its object or whose
 * bytes its predicate tells are that object's encoding, with the hash those bytes have.
 * Used only as a lookup argument, never kept: it has no bytes.
 */
final class Probe extends ByteKey {

    private final BiPredicate<Object, byte[]> isEncoding;

    Probe(int hash, Object object, BiPredicate<Object, byte[]> isEncoding) {
        super(hash, null, object);
        this.isEncoding = isEncoding;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ByteStore.StoreNode node
                && (node.object == object && object != null || node.hash == hashCode() && isEncoding.test(object, node.bytes));
    }
}
