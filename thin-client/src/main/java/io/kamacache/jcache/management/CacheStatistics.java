package io.kamacache.jcache.management;


import javax.cache.management.CacheStatisticsMXBean;
import java.util.concurrent.atomic.LongAdder;

/**
 * A cache's JCache statistics. Gets, hits, misses and evictions come from its
 * {@link GetCounters} (on a node the group's own, so that the JCache view and the group's
 * statistics agree), read relative to the moment statistics were last enabled or cleared; puts, removals and timings are kept here
 * and are recorded only while statistics are enabled.
 */
public final class CacheStatistics implements CacheStatisticsMXBean {

    private static final float NANOS_PER_MICRO = 1000f;

    private final GetCounters counters;
    private final LongAdder puts = new LongAdder();
    private final LongAdder removals = new LongAdder();
    private final LongAdder getNanos = new LongAdder();
    private final LongAdder putNanos = new LongAdder();
    private final LongAdder removeNanos = new LongAdder();
    private volatile GetCounters.Counts baseline;
    private volatile boolean enabled;

    public CacheStatistics(GetCounters counters) {
        this.counters = counters;
        this.baseline = counters.counts();
    }

    /** What the counters counted since statistics were last enabled or cleared, read together. */
    private GetCounters.Counts counted() {
        return counters.counts().since(baseline);
    }

    public boolean isEnabled() {
        return enabled;
    }

    /** Turning statistics on starts them from zero. */
    public void setEnabled(boolean enabled) {
        if (enabled && !this.enabled) {
            clear();
        }
        this.enabled = enabled;
    }

    /** A start time for {@link #recordGetTime} and friends, or 0 when disabled. */
    public long start() {
        return enabled ? System.nanoTime() : 0;
    }

    public void recordGets(boolean hit, int count) {
        for (int i = 0; i < count; i++) {
            counters.recordGet(hit);
        }
    }

    public void recordGetTime(long start) {
        if (enabled) {
            getNanos.add(System.nanoTime() - start);
        }
    }

    public void recordPuts(int count, long start) {
        if (enabled && count > 0) {
            puts.add(count);
            putNanos.add(System.nanoTime() - start);
        }
    }

    public void recordRemovals(int count, long start) {
        if (enabled && count > 0) {
            removals.add(count);
            removeNanos.add(System.nanoTime() - start);
        }
    }

    @Override
    public void clear() {
        baseline = counters.counts();
        puts.reset();
        removals.reset();
        getNanos.reset();
        putNanos.reset();
        removeNanos.reset();
    }

    @Override
    public long getCacheHits() {
        return counted().hits();
    }

    @Override
    public float getCacheHitPercentage() {
        GetCounters.Counts counted = counted();
        return counted.gets() == 0 ? 0 : 100f * counted.hits() / counted.gets();
    }

    @Override
    public long getCacheMisses() {
        return counted().misses();
    }

    @Override
    public float getCacheMissPercentage() {
        GetCounters.Counts counted = counted();
        return counted.gets() == 0 ? 0 : 100f * counted.misses() / counted.gets();
    }

    @Override
    public long getCacheGets() {
        return counted().gets();
    }

    @Override
    public long getCachePuts() {
        return puts.sum();
    }

    @Override
    public long getCacheRemovals() {
        return removals.sum();
    }

    @Override
    public long getCacheEvictions() {
        return counted().evictions();
    }

    @Override
    public float getAverageGetTime() {
        return average(getNanos.sum(), getCacheGets());
    }

    @Override
    public float getAveragePutTime() {
        return average(putNanos.sum(), getCachePuts());
    }

    @Override
    public float getAverageRemoveTime() {
        return average(removeNanos.sum(), getCacheRemovals());
    }

    private static float average(long nanos, long count) {
        return count == 0 ? 0 : nanos / NANOS_PER_MICRO / count;
    }
}
