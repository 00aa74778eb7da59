package io.kamacache.jcache;

import com.google.protobuf.ByteString;
import io.kamacache.proto.v1.Event;

import javax.cache.event.EventType;
import java.util.ArrayList;
import java.util.List;

/**
 * Collects an operation's events, as they travel between nodes, for the event types a mask
 * names: those a remote caller listens to, which go back in the reply, or, when they went
 * by its outbox (see {@link CacheCluster#remoteListeners}), how far.
 */
final class EventCollector<K> implements EventSink<K> {

    private final int mask;
    private final List<Event> events = new ArrayList<>(0);
    private long outbox;
    private long through;

    EventCollector(int mask) {
        this.mask = mask;
    }

    static boolean wants(int mask, EventType type) {
        return (mask & (1 << type.ordinal())) != 0;
    }

    List<Event> events() {
        return events;
    }

    @Override
    public boolean wants(EventType type) {
        return wants(mask, type);
    }

    @Override
    public void publish(EventType type, K key, byte[] k, byte[] value, byte[] oldValue) {
        if (wants(type)) {
            events.add(event(type, k, value, oldValue));
        }
    }

    /** An event as it travels between nodes. */
    static Event event(EventType type, byte[] k, byte[] value, byte[] oldValue) {
        Event.Builder event = Event.newBuilder().setType(type.ordinal()).setKey(ByteString.copyFrom(k));
        if (value != null) {
            event.setHasValue(true).setValue(ByteString.copyFrom(value));
        }
        if (oldValue != null) {
            event.setHasOldValue(true).setOldValue(ByteString.copyFrom(oldValue));
        }
        return event.build();
    }

    int mask() {
        return mask;
    }

    /** The caller's events went by its outbox {@code outbox}, up to the count {@code through}, not in the reply. */
    void sentThrough(long outbox, long through) {
        this.outbox = outbox;
        this.through = through;
    }

    long outbox() {
        return outbox;
    }

    long through() {
        return through;
    }
}
