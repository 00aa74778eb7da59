package io.kamacache.jcache.management;

import javax.cache.CacheException;
import javax.management.InstanceNotFoundException;
import javax.management.JMException;
import javax.management.MBeanServer;
import javax.management.MalformedObjectNameException;
import javax.management.ObjectName;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Registers a cache's MXBeans in the platform MBeanServer under the names the
 * specification gives: {@code javax.cache:type=CacheStatistics|CacheConfiguration,
 * CacheManager=<manager URI>,Cache=<cache name>}. Names hold no class loader, so two managers
 * of one URI under different class loaders share them: the first bean registered under a
 * name keeps it, and only the bean that holds a name can take it away.
 */
public final class MBeans {

    /** The two kinds of cache MXBean. */
    public enum Kind {
        STATISTICS("CacheStatistics"), CONFIGURATION("CacheConfiguration");

        private final String type;

        Kind(String type) {
            this.type = type;
        }
    }

    /** Which bean holds each name this class registered. */
    private static final Map<ObjectName, Object> HOLDERS = new ConcurrentHashMap<>();

    private MBeans() {
    }

    public static void register(Object bean, Kind kind, URI manager, String cache) {
        MBeanServer server = ManagementFactory.getPlatformMBeanServer();
        ObjectName name = name(kind, manager, cache);
        try {
            if (!server.isRegistered(name)) {
                server.registerMBean(bean, name);
                HOLDERS.put(name, bean);
            }
        } catch (JMException e) {
            throw new CacheException("could not register MXBean " + name + ": " + e.getMessage(), e);
        }
    }

    /** Unregisters {@code bean}'s name, if {@code bean} holds it. */
    public static void unregister(Object bean, Kind kind, URI manager, String cache) {
        MBeanServer server = ManagementFactory.getPlatformMBeanServer();
        ObjectName name = name(kind, manager, cache);
        if (!HOLDERS.remove(name, bean)) {
            return;
        }
        try {
            server.unregisterMBean(name);
        } catch (InstanceNotFoundException e) {
            // not registered: nothing to do
        } catch (JMException e) {
            throw new CacheException("could not unregister MXBean " + name + ": " + e.getMessage(), e);
        }
    }

    private static ObjectName name(Kind kind, URI manager, String cache) {
        try {
            return new ObjectName("javax.cache:type=" + kind.type + ",CacheManager=" + safe(manager.toString())
                    + ",Cache=" + safe(cache));
        } catch (MalformedObjectNameException e) {
            throw new CacheException("cache '" + cache + "' has no valid MXBean name: " + e.getMessage(), e);
        }
    }

    /** ObjectName values may not hold these characters unquoted; the specification replaces them with dots. */
    private static String safe(String value) {
        return value.replaceAll("[:=,\\n]", ".");
    }
}
