package io.kamacache.examples;

import io.kamacache.ByteView;
import io.kamacache.Group;
import io.kamacache.Node;
import io.kamacache.store.StoreOptions;

import java.io.PrintStream;
import java.util.Map;

/**
 * The quick start of the original kamaCache README, single-instance: a "scores" group in
 * front of a slow database. The first read of a key goes to the database; the second is
 * served from the cache, and the database is not asked again.
 */
public final class QuickStart {

    /** The slow database the cache sits in front of. */
    static final Map<String, String> DB = Map.of(
            "Tom", "630",
            "Jack", "589",
            "Sam", "567",
            "Peter", "999");

    private QuickStart() {
    }

    public static void main(String[] args) {
        run(System.out);
    }

    /** Runs the example, printing what happens; returns the group's statistics line. */
    static String run(PrintStream out) {
        try (Node node = Node.builder().selfAddress("localhost:8001").build()) {
            Group scores = node.newGroup("scores", key -> {
                out.println("[SlowDB] search key " + key);
                String value = DB.get(key);
                return value == null ? null : value.getBytes();
            }, StoreOptions.builder().maxBytes(2 << 10).build());

            for (String key : new String[] {"Tom", "Tom", "Peter", "Nobody"}) {
                ByteView value = scores.get(key);
                out.println(key + " -> " + (value == null ? "(no such key)" : value));
            }
            String stats = "stats: " + scores.stats();
            out.println(stats);
            return stats;
        }
    }
}
