package io.kamacache.jcache.expiry;

import io.kamacache.store.StoredValue;

import javax.cache.expiry.Duration;
import javax.cache.expiry.EternalExpiryPolicy;
import javax.cache.expiry.ExpiryPolicy;
import java.util.Objects;

/**
 * Turns a cache's {@link ExpiryPolicy} into absolute expiry times (epoch milliseconds, as
 * the store keeps them), following the specification: a null duration leaves the time
 * unchanged, {@link Duration#ZERO} expires the entry at once, {@link Duration#ETERNAL}
 * never. A policy that throws is treated as eternal for creation and as unchanged for
 * access and update, so a broken policy never fails a cache operation.
 */
public final class ExpiryTimes {

    private final ExpiryPolicy policy;
    private final boolean eternal;
    private final boolean accessFixed;

    public ExpiryTimes(ExpiryPolicy policy) {
        this.policy = Objects.requireNonNull(policy, "policy");
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

    /** When an entry created at {@code now} expires; {@code now} itself means "already expired". */
    public long forCreation(long now) {
        Duration duration;
        try {
            duration = policy.getExpiryForCreation();
        } catch (RuntimeException e) {
            duration = Duration.ETERNAL;
        }
        return duration == null ? StoredValue.ETERNAL : at(now, duration);
    }

    /** When an entry updated at {@code now}, expiring at {@code current} until now, expires. */
    public long forUpdate(long now, long current) {
        if (eternal) {
            return current;
        }
        try {
            Duration duration = policy.getExpiryForUpdate();
            return duration == null ? current : at(now, duration);
        } catch (RuntimeException e) {
            return current;
        }
    }

    /** When an entry read at {@code now}, expiring at {@code current} until now, expires. */
    public long forAccess(long now, long current) {
        if (eternal) {
            return current;
        }
        try {
            Duration duration = policy.getExpiryForAccess();
            return duration == null ? current : at(now, duration);
        } catch (RuntimeException e) {
            return current;
        }
    }

    private static long at(long now, Duration duration) {
        if (duration.isEternal()) {
            return StoredValue.ETERNAL;
        }
        if (duration.isZero()) {
            return now;
        }
        long millis = duration.getTimeUnit().toMillis(duration.getDurationAmount());
        long at = now + millis;
        return at < now || at == StoredValue.ETERNAL ? StoredValue.ETERNAL - 1 : at;
    }
}
