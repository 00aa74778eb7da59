package io.kamacache.jcache.management;

import java.util.concurrent.atomic.LongAdder;

/**
 * The counters behind a cache's gets, hits, misses and evictions: on a node the group's
 * own, so that the JCache statistics and the group's agree; on a client its own.
 */
public interface GetCounters {

    void recordGet(boolean hit);

    long hits();

    long misses();

    long evictions();

    /** Counters of a cache that holds nothing here: it counts its gets and evicts nothing. */
    static GetCounters standalone() {
        LongAdder hits = new LongAdder();
        LongAdder misses = new LongAdder();
        return new GetCounters() {
            @Override
            public void recordGet(boolean hit) {
                (hit ? hits : misses).increment();
            }

            @Override
            public long hits() {
                return hits.sum();
            }

            @Override
            public long misses() {
                return misses.sum();
            }

            @Override
            public long evictions() {
                return 0;
            }
        };
    }
}
