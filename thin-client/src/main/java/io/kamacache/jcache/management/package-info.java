/**
 * JMX: a cache's {@link javax.cache.management.CacheStatisticsMXBean} and
 * {@link javax.cache.management.CacheMXBean}, registered in the platform MBeanServer under
 * the specification's names while statistics or management are enabled.
 */
package io.kamacache.jcache.management;
