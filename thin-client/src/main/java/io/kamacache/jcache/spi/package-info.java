/**
 * The service entry point: {@link io.kamacache.jcache.spi.KamaCachingProvider}, listed in
 * {@code META-INF/services/javax.cache.spi.CachingProvider}. It keeps one cache manager per
 * URI and class loader and reads the manager's configuration file from the URI.
 */
package io.kamacache.jcache.spi;
