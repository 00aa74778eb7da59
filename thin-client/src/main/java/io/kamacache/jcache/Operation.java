package io.kamacache.jcache;

import io.kamacache.codec.Codec;
import io.kamacache.proto.v1.Op;
import io.kamacache.remote.MessagePieces;

import javax.cache.processor.EntryProcessor;
import java.util.List;

/**
 * One operation of a cache on one key, or on a batch of keys that share an owner, as the
 * owner runs it ({@link OwnedEntries#run}). Keys and values travel as bytes; the typed
 * forms are filled in where the caller has them, and decoded at the owner where it needs
 * them (for the writer, the loader, an entry processor or a listener). An immutable value
 * ({@link Codec#isImmutable}) from a caller on this JVM comes without its bytes, which an
 * owner here does not need (it keeps the object), until the operation goes to another node.
 */
final class Operation<K, V> {

    final Op op;
    K key;
    final byte[] k;
    V value;
    /** Null when there is no value, or until needed when the caller gave an immutable one. */
    byte[] v;
    /** The value a conditional operation compares with. */
    V expected;
    final byte[] e;
    EntryProcessor<K, V, ?> processor;
    Object[] arguments;
    /** In a cluster, the processor and its arguments as they travel, encoded once before the call is routed. */
    byte[] processorBytes;
    List<byte[]> argumentBytes;
    /** For {@link Op#LOAD_ALL}: replace values already cached. */
    boolean replaceExisting;
    /** Batch operations: the keys, and for {@link Op#PUT_ALL} their values, index by index. */
    final List<byte[]> ks;
    final List<byte[]> vs;
    List<K> keys;
    List<V> values;
    /**
     * Whether the caller runs on this JVM and gave the typed forms: the owner may then keep
     * immutable values it gives as they are, in place of their bytes, for this JVM's readers.
     */
    final boolean local;

    private Operation(Op op, K key, byte[] k, V value, byte[] v, V expected, byte[] e, List<byte[]> ks, List<byte[]> vs,
                      boolean local) {
        this.op = op;
        this.key = key;
        this.k = k;
        this.value = value;
        this.v = v;
        this.expected = expected;
        this.e = e;
        this.ks = ks;
        this.vs = vs;
        this.local = local;
    }

    /**
     * An operation on one key, with an optional value and expected value; {@code key} is
     * null when the caller has only bytes (it is remote).
     */
    static <K, V> Operation<K, V> onKey(Op op, K key, byte[] k, V value, byte[] v, V expected, byte[] e) {
        return new Operation<>(op, key, k, value, v, expected, e, null, null, key != null);
    }

    static <K, V> Operation<K, V> onKey(Op op, K key, byte[] k) {
        return new Operation<>(op, key, k, null, null, null, null, null, null, key != null);
    }

    static <K, V> Operation<K, V> invoke(K key, byte[] k, EntryProcessor<K, V, ?> processor, Object[] arguments) {
        Operation<K, V> operation = new Operation<>(Op.INVOKE, key, k, null, null, null, null, null, null, key != null);
        operation.processor = processor;
        operation.arguments = arguments;
        return operation;
    }

    /** A batch; {@code keys} and {@code values} may be null when the caller has only bytes. */
    static <K, V> Operation<K, V> batch(Op op, List<K> keys, List<byte[]> ks, List<V> values, List<byte[]> vs) {
        Operation<K, V> operation = new Operation<>(op, null, null, null, null, null, null, ks, vs, keys != null);
        operation.keys = keys;
        operation.values = values;
        return operation;
    }

    /** Encodes the value if only its object was given: an owner on another node is sent bytes. */
    void encodeValue(Codec codec) {
        if (v == null && value != null) {
            v = codec.encode(value);
        }
    }

    boolean isBatch() {
        return ks != null;
    }

    /**
     * What the operation's key with its value, or entry processor and arguments, takes in a
     * message, at most: exact for what is encoded, a bound for an immutable value that is not,
     * which {@link #encodeValue} makes exact. A value to compare with rides on top, as the
     * old value of an event does ({@link io.kamacache.remote.MessagePieces#inbound}): the key
     * with it must fit alone, so the larger of the two counts.
     */
    long size() {
        return sizeOf(k) + Math.max(valueSize(value, v) + processorSize(), sizeOf(e));
    }

    /** What a value takes in a message: exact when {@code v}, its bytes, is there, else a bound. */
    static long valueSize(Object value, byte[] v) {
        if (v != null || value == null) {
            return sizeOf(v);
        }
        return value instanceof String s ? 3L * s.length() + 16 : 32; // UTF-8 takes at most 3 bytes a char
    }

    /** What a batch's key at {@code index}, with its value, takes in a message. */
    long entrySize(int index) {
        return sizeOf(ks.get(index)) + (vs == null ? 0 : sizeOf(vs.get(index)));
    }

    /** What the entry processor and its arguments take in a message, sent with every part of a batch. */
    long processorSize() {
        long size = sizeOf(processorBytes);
        if (argumentBytes != null) {
            for (byte[] argument : argumentBytes) {
                size += sizeOf(argument);
            }
        }
        return size;
    }

    /** What travels with the key, as an error names it: null for nothing. */
    String carried() {
        return processor != null ? "its entry processor and arguments"
                : value != null || v != null || vs != null ? "its value" : null;
    }

    /** What a bytes field takes in a message, none for null. */
    static long sizeOf(byte[] bytes) {
        return bytes == null ? 0 : MessagePieces.fieldSize(bytes.length);
    }
}
