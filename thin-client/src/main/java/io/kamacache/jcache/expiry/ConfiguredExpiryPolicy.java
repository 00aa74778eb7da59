package io.kamacache.jcache.expiry;

import io.kamacache.config.ExpirySettings;

import javax.cache.configuration.Factory;
import javax.cache.expiry.Duration;
import javax.cache.expiry.ExpiryPolicy;
import java.io.Serializable;
import java.util.concurrent.TimeUnit;

/**
 * The expiry policy a configuration file gives a cache ({@code expiry: creation, update,
 * access}); applies to caches whose application set no expiry policy of its own.
 */
public final class ConfiguredExpiryPolicy implements ExpiryPolicy, Serializable {

    private static final long serialVersionUID = 1L;

    private final Duration creation;
    private final Duration update;
    private final Duration access;

    private ConfiguredExpiryPolicy(ExpirySettings settings) {
        this.creation = settings.creation() == null ? Duration.ETERNAL : duration(settings.creation());
        this.update = settings.update() == null ? null : duration(settings.update());
        this.access = settings.access() == null ? null : duration(settings.access());
    }

    /** A serializable factory of the policy for {@code settings}. */
    public static Factory<ExpiryPolicy> factoryOf(ExpirySettings settings) {
        ConfiguredExpiryPolicy policy = new ConfiguredExpiryPolicy(settings);
        return (Factory<ExpiryPolicy> & Serializable) () -> policy;
    }

    @Override
    public Duration getExpiryForCreation() {
        return creation;
    }

    @Override
    public Duration getExpiryForAccess() {
        return access;
    }

    @Override
    public Duration getExpiryForUpdate() {
        return update;
    }

    private static Duration duration(java.time.Duration duration) {
        return duration.isZero() ? Duration.ZERO : new Duration(TimeUnit.MILLISECONDS, duration.toMillis());
    }

    @Override
    public String toString() {
        return "ConfiguredExpiryPolicy{creation=" + creation + ", update=" + update + ", access=" + access + '}';
    }
}
