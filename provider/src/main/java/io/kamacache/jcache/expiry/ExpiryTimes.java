package io.kamacache.jcache.expiry;

import io.kamacache.store.StoredValue;

import javax.cache.expiry.Duration;
import javax.cache.expiry.EternalExpiryPolicy;
import javax.cache.expiry.ExpiryPolicy;
import java.time.InstantSource;
import java.util.Objects;

/**
 * Turns a cache's {@link ExpiryPolicy} into absolute expiry times (epoch milliseconds, as
 * the store keeps them), following the specification: a null duration leaves the time
 * unchanged, {@link Duration#ZERO} expires the entry at once, {@link Duration#ETERNAL}
 * never. A policy that throws is treated as eternal for creation and as unchanged for
 * access and update, so a broken policy never fails a cache operation.
 *
 * <p>The clock is read only for a finite, non-zero duration: a read of the time costs as
 * much as the rest of a put on some machines, and the default policy never needs one.
 */
public final class ExpiryTimes {

    /**
     * The expiry time of an entry that expires at once (a zero duration): before every
     * instant, so it is expired whenever it is next looked at.
     */
    public static final long AT_ONCE = Long.MIN_VALUE;

    private final ExpiryPolicy policy;
    private final InstantSource clock;
    private final boolean eternal;
    private final boolean accessFixed;

    public ExpiryTimes(ExpiryPolicy policy, InstantSource clock) {
        this.policy = Objects.requireNonNull(policy, "policy");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.eternal = policy instanceof EternalExpiryPolicy;
        this.accessFixed = eternal
                || policy instanceof ConfiguredExpiryPolicy configured && configured.getExpiryForAccess() == null;
    }

    public ExpiryPolicy policy() {
        return policy;
    }

    /** False when reads can never change an expiry time, so a hit needs no write. */
    public boolean tracksAccess() {
        return !accessFixed;
    }

    /** When an entry created now expires; {@link #AT_ONCE} means it is not to be kept. */
    public long forCreation() {
        Duration duration;
        try {
            duration = policy.getExpiryForCreation();
        } catch (RuntimeException e) {
            duration = Duration.ETERNAL;
        }
        return duration == null ? StoredValue.ETERNAL : at(duration);
    }

    /** When an entry updated now, expiring at {@code current} until now, expires. */
    public long forUpdate(long current) {
        if (eternal) {
            return current;
        }
        try {
            Duration duration = policy.getExpiryForUpdate();
            return duration == null ? current : at(duration);
        } catch (RuntimeException e) {
            return current;
        }
    }

    /** When an entry read now, expiring at {@code current} until now, expires. */
    public long forAccess(long current) {
        if (eternal) {
            return current;
        }
        try {
            Duration duration = policy.getExpiryForAccess();
            return duration == null ? current : at(duration);
        } catch (RuntimeException e) {
            return current;
        }
    }

    private long at(Duration duration) {
        if (duration.isEternal()) {
            return StoredValue.ETERNAL;
        }
        if (duration.isZero()) {
            return AT_ONCE;
        }
        long now = clock.millis();
        long millis = duration.getTimeUnit().toMillis(duration.getDurationAmount());
        long at = now + millis;
        return at < now || at == StoredValue.ETERNAL ? StoredValue.ETERNAL - 1 : at;
    }
}
