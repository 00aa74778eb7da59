package io.kamacache.jcache;

import io.kamacache.codec.Codec;
import io.kamacache.jcache.management.GetCounters;

import java.time.Duration;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * The entries of one cache that this JVM owns, as the cache's caller half sees them: the
 * owner's half of a cache on a full node, nothing on a client ({@link #none()}).
 */
interface LocalEntries<K, V> {

    /**
     * Runs an operation on keys this JVM owns. Exceptions of single-key operations
     * propagate; a batch applies what it can and leaves its failure in {@link Outcome#failure}.
     */
    Outcome run(Operation<K, V> operation, EventSink<K> sink);

    /**
     * The value of a key held here when a plain read answers it, without running a
     * {@code GET}: the object the entry keeps for this JVM's readers (an immutable value
     * written here), else its bytes to decode. Null, and nothing done, when a plain read
     * does not find it (it is absent, or only its bytes would find it) or the read must do
     * more than read (remove an expired entry, apply an access expiry, load): the caller
     * then runs the {@code GET}. Counts nothing.
     *
     * @param k the key's bytes, or null when the caller has not encoded it
     */
    Object peek(K key, byte[] k);

    /**
     * Puts a value for a key held here when a plain write does it, without running a
     * {@code PUT}: no writer to call, no listener anywhere, nothing to wait for at close, no
     * entry to take over. The caller has checked that no listener here or on another node
     * wants this cache's events.
     *
     * @param k the key's bytes, or null when the caller has not encoded it
     * @param v the value's bytes, or null for an immutable value ({@link Codec#isImmutable}),
     *          which the entry keeps as it is
     * @return the puts done (0 when the expiry policy expires the new entry at once), or
     *         -1, and nothing done, when the caller must run the {@code PUT}
     */
    int putHeld(K key, byte[] k, V value, byte[] v);

    /** The sink of the operation running on this thread, or null. */
    EventSink<K> runningSink();

    /**
     * The entries held here, keys and values as bytes; each is read as it is reached, so
     * its access expiry applies then, and one gone meanwhile is skipped.
     */
    Iterator<Map.Entry<byte[], byte[]>> entries();

    /** The keys held here, for another node that iterates the cache. */
    void forEachKey(Consumer<byte[]> action);

    /** Drops every entry held here, without the writer or events. */
    void clear();

    /**
     * Refuses operations from now on and waits (up to {@code patience}) for those running.
     *
     * @return the loader, writer and expiry policy to close
     */
    List<Object> close(Duration patience);

    /** The get counters the cache's statistics read. */
    GetCounters counters();

    /** Counts one request sent to another member for keys this node does not own. */
    void recordSent();

    /** This part as {@code clazz} (the provider's group), or null. */
    <T> T unwrap(Class<T> clazz);

    /** A client's: it holds nothing and counts its own gets. */
    static <K, V> LocalEntries<K, V> none() {
        GetCounters counters = GetCounters.standalone();
        return new LocalEntries<>() {
            @Override
            public Outcome run(Operation<K, V> operation, EventSink<K> sink) {
                throw new IllegalStateException("a client owns no entries");
            }

            @Override
            public Object peek(K key, byte[] k) {
                return null;
            }

            @Override
            public int putHeld(K key, byte[] k, V value, byte[] v) {
                return -1;
            }

            @Override
            public EventSink<K> runningSink() {
                return null;
            }

            @Override
            public Iterator<Map.Entry<byte[], byte[]>> entries() {
                return Collections.emptyIterator();
            }

            @Override
            public void forEachKey(Consumer<byte[]> action) {
            }

            @Override
            public void clear() {
            }

            @Override
            public List<Object> close(Duration patience) {
                return List.of();
            }

            @Override
            public GetCounters counters() {
                return counters;
            }

            @Override
            public void recordSent() {
                // a client's requests are all remote: its statistics count them as gets, puts and removals
            }

            @Override
            public <T> T unwrap(Class<T> clazz) {
                return null;
            }

            @Override
            public String toString() {
                return "client";
            }
        };
    }
}
