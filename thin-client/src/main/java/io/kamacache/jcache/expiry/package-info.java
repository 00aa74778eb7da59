/**
 * Expiry: {@link io.kamacache.jcache.expiry.ExpiryTimes} turns a JCache
 * {@link javax.cache.expiry.ExpiryPolicy} into the absolute expiry times the store keeps,
 * and {@link io.kamacache.jcache.expiry.ConfiguredExpiryPolicy} is the policy a
 * configuration file's {@code expiry} section describes.
 */
package io.kamacache.jcache.expiry;
