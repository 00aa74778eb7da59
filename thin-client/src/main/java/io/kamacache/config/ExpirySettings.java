package io.kamacache.config;

import java.time.Duration;

/**
 * When a cache's entries expire, in the terms of {@code javax.cache.expiry.ExpiryPolicy}.
 * {@code creation} is the time to live an entry gets when it is created ({@code null}: it
 * never expires); {@code update} is the new time to live after an update and {@code access}
 * the new time to live after a read ({@code null}: the entry's expiry is left unchanged).
 * A zero duration means "expire immediately", as in JCache; negative durations are refused.
 *
 * @param creation time to live after creation, or {@code null} for eternal
 * @param update   time to live after an update, or {@code null} for unchanged
 * @param access   time to live after a read, or {@code null} for unchanged
 */
public record ExpirySettings(Duration creation, Duration update, Duration access) {

    /** Entries never expire: nothing set. */
    public static final ExpirySettings ETERNAL = new ExpirySettings(null, null, null);

    /** @throws IllegalArgumentException if a duration is negative */
    public ExpirySettings {
        checkNotNegative("creation", creation);
        checkNotNegative("update", update);
        checkNotNegative("access", access);
    }

    private static void checkNotNegative(String name, Duration duration) {
        if (duration != null && duration.isNegative()) {
            throw new IllegalArgumentException(name + " duration must not be negative, got " + duration);
        }
    }
}
