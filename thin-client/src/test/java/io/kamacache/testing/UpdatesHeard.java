package io.kamacache.testing;

import javax.cache.event.CacheEntryEvent;
import javax.cache.event.CacheEntryUpdatedListener;
import java.io.Serializable;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A listener that notes each update of a byte[] cache it hears, as "key: old -> new",
 * each value as its length and first byte ("40960 x 7"): enough to tell large values
 * apart without keeping them. Serializable, so that its configuration travels to other
 * nodes; the notes are this JVM's, {@link #HEARD}.
 */
public final class UpdatesHeard implements CacheEntryUpdatedListener<String, byte[]>, Serializable {

    public static final List<String> HEARD = new CopyOnWriteArrayList<>();

    @Override
    public void onUpdated(Iterable<CacheEntryEvent<? extends String, ? extends byte[]>> events) {
        events.forEach(event -> HEARD.add(event.getKey() + ": " + describe(event.getOldValue()) + " -> "
                + describe(event.getValue())));
    }

    private static String describe(byte[] value) {
        return value.length + " x " + value[0];
    }
}
