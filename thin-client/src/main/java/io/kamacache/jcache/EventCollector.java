package io.kamacache.jcache;

import com.google.protobuf.ByteString;
import io.kamacache.proto.v1.Event;

import javax.cache.event.EventType;
import java.util.ArrayList;
import java.util.List;

/**
 * Collects an operation's events, as they travel between nodes, for the event types a mask
 * names: those the caller listens to (they go back in the reply) or those other nodes
 * listen to (they are sent after the operation).
 */
final class EventCollector<K> implements EventSink<K> {

    private final int mask;
    private final List<Event> events = new ArrayList<>(0);

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
        if (!wants(type)) {
            return;
        }
        Event.Builder event = Event.newBuilder().setType(type.ordinal()).setKey(ByteString.copyFrom(k));
        if (value != null) {
            event.setHasValue(true).setValue(ByteString.copyFrom(value));
        }
        if (oldValue != null) {
            event.setHasOldValue(true).setOldValue(ByteString.copyFrom(oldValue));
        }
        events.add(event.build());
    }
}
