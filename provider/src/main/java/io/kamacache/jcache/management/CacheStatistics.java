package io.kamacache.jcache.management;

import io.kamacache.Group;
import io.kamacache.GroupStats;

import javax.cache.management.CacheStatisticsMXBean;
import java.util.concurrent.atomic.LongAdder;

/**
 * A cache's JCache statistics. Gets, hits, misses and evictions are the group's own
 * counters (so the JCache view and {@link Group#stats()} agree), read relative to the
 * moment statistics were last enabled or cleared; puts, removals and timings are kept here
 * and are recorded only while statistics are enabled.
 */
public final class CacheStatistics implements CacheStatisticsMXBean {

    private static final float NANOS_PER_MICRO = 1000f;

    private final Group group;
    private final LongAdder puts = new LongAdder();
    private final LongAdder removals = new LongAdder();
    private final LongAdder getNanos = new LongAdder();
    private final LongAdder putNanos = new LongAdder();
    private final LongAdder removeNanos = new LongAdder();
    private volatile GroupStats baseline;
    private volatile boolean enabled;

    public CacheStatistics(Group group) {
        this.group = group;
        this.baseline = group.stats();
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
            group.recordGet(hit);
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
        baseline = group.stats();
        puts.reset();
        removals.reset();
        getNanos.reset();
        putNanos.reset();
        removeNanos.reset();
    }

    @Override
    public long getCacheHits() {
        return group.stats().hits() - baseline.hits();
    }

    @Override
    public float getCacheHitPercentage() {
        GroupStats now = group.stats();
        long hits = now.hits() - baseline.hits();
        long gets = now.gets() - baseline.gets();
        return gets == 0 ? 0 : 100f * hits / gets;
    }

    @Override
    public long getCacheMisses() {
        return group.stats().misses() - baseline.misses();
    }

    @Override
    public float getCacheMissPercentage() {
        GroupStats now = group.stats();
        long misses = now.misses() - baseline.misses();
        long gets = now.gets() - baseline.gets();
        return gets == 0 ? 0 : 100f * misses / gets;
    }

    @Override
    public long getCacheGets() {
        return group.stats().gets() - baseline.gets();
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
        return group.stats().evictions() - baseline.evictions();
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
