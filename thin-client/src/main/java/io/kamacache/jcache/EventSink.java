package io.kamacache.jcache;

import javax.cache.event.EventType;
import java.util.ArrayList;
import java.util.List;

/**
 * Where an operation's events go as it runs: this JVM's listeners, and the outboxes of the
 * other members and clients that listen to the cache (see {@link EventOutbox}), or the
 * reply of a remote caller without an event stream from here.
 */
interface EventSink<K> {

    EventSink<?> NONE = new EventSink<>() {
        @Override
        public boolean wants(EventType type) {
            return false;
        }

        @Override
        public void publish(EventType type, Object key, byte[] k, byte[] value, byte[] oldValue) {
        }
    };

    @SuppressWarnings("unchecked")
    static <K> EventSink<K> none() {
        return (EventSink<K>) NONE;
    }

    /** A sink that passes each event to those of {@code a}, {@code b} and {@code c} that want it. */
    static <K> EventSink<K> of(EventSink<K> a, EventSink<K> b, EventSink<K> c) {
        // The common cases, one sink or none, allocate nothing.
        if (b == NONE && c == NONE) {
            return a;
        }
        if (a == NONE && c == NONE) {
            return b;
        }
        if (a == NONE && b == NONE) {
            return c;
        }
        List<EventSink<K>> live = new ArrayList<>(3);
        for (EventSink<K> sink : List.of(a, b, c)) {
            if (sink != NONE) {
                live.add(sink);
            }
        }
        return new EventSink<>() {
            @Override
            public boolean wants(EventType type) {
                for (EventSink<K> sink : live) {
                    if (sink.wants(type)) {
                        return true;
                    }
                }
                return false;
            }

            @Override
            public void publish(EventType type, K key, byte[] k, byte[] value, byte[] oldValue) {
                for (EventSink<K> sink : live) {
                    if (sink.wants(type)) {
                        sink.publish(type, key, k, value, oldValue);
                    }
                }
            }
        };
    }

    boolean wants(EventType type);

    /**
     * For removals and expiries {@code value} is the value that went away; {@code oldValue}
     * is the previous value of an update, a removal or an expiry. {@code key} is null when
     * the owner has only the key's bytes {@code k}.
     */
    void publish(EventType type, K key, byte[] k, byte[] value, byte[] oldValue);
}
