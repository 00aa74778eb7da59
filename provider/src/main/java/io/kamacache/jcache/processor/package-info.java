/**
 * Entry processors: {@link io.kamacache.jcache.processor.ProcessorEntry} is the
 * {@link javax.cache.processor.MutableEntry} a processor changes; the cache applies its net
 * outcome atomically.
 */
package io.kamacache.jcache.processor;
