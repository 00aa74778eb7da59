package io.kamacache.jcache.management;

import java.util.concurrent.atomic.LongAdder;

/**
 * The counters behind a cache's gets, hits, misses and evictions: on a node the group's
 * own, so that the JCache statistics and the group's agree; on a client its own.
 */
public interface GetCounters {

    void recordGet(boolean hit);

    /** The counts now, read together. */
    Counts counts();

    /** Hits, misses and evictions at one moment. */
    record Counts(long hits, long misses, long evictions) {

        public long gets() {
            return hits + misses;
        }

        /** What has been counted since {@code earlier}. */
        public Counts since(Counts earlier) {
            return new Counts(hits - earlier.hits, misses - earlier.misses, evictions - earlier.evictions);
        }
    }

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
            public Counts counts() {
                return new Counts(hits.sum(), misses.sum(), 0);
            }
        };
    }
}
