package io.kamacache.jcache.spi;

import io.kamacache.config.KamaConfig;
import io.kamacache.discovery.MembershipException;
import io.kamacache.jcache.KamaCacheManager;

import javax.cache.CacheException;
import javax.cache.CacheManager;
import javax.cache.configuration.OptionalFeature;
import javax.cache.spi.CachingProvider;
import java.io.UncheckedIOException;
import java.net.URI;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.WeakHashMap;

/**
 * The kamacache JCache provider, found by {@link javax.cache.Caching#getCachingProvider()}.
 *
 * <p>A cache manager's URI says where its configuration comes from:
 * <ul>
 *   <li>{@code classpath:path/to/file.yaml}, {@code file:/path/to/file.yaml} or
 *       {@code jar:file:/path/to/app.jar!/file.yaml}: that file;</li>
 *   <li>the default URI, {@value #DEFAULT_URI_STRING}: the file the system property
 *       {@value #CONFIG_PROPERTY} names (a URI of the forms above) when it is set, else
 *       {@code kamacache.yaml} at the root of the class path when there is one, built-in
 *       defaults otherwise;</li>
 *   <li>any other {@code kamacache:} URI: a manager of its own with built-in defaults.</li>
 * </ul>
 * There is one manager per URI and class loader until it is closed.
 */
public final class KamaCachingProvider implements CachingProvider {

    static final String DEFAULT_URI_STRING = "kamacache:default";
    /** The system property naming the default cache manager's configuration file. */
    public static final String CONFIG_PROPERTY = "kamacache.config";
    private static final URI DEFAULT_URI = URI.create(DEFAULT_URI_STRING);

    private final Map<ClassLoader, Map<URI, KamaCacheManager>> managers = new WeakHashMap<>();

    @Override
    public synchronized CacheManager getCacheManager(URI uri, ClassLoader classLoader, Properties properties) {
        URI managerUri = uri == null ? getDefaultURI() : uri;
        ClassLoader loader = classLoader == null ? getDefaultClassLoader() : classLoader;
        Map<URI, KamaCacheManager> byUri = managers.computeIfAbsent(loader, l -> new HashMap<>());
        KamaCacheManager manager = byUri.get(managerUri);
        if (manager == null || manager.isClosed()) {
            KamaConfig config = configFor(managerUri, loader);
            try {
                manager = new KamaCacheManager(this, managerUri, loader, copy(properties), config, InstantSource.system());
            } catch (MembershipException | UncheckedIOException e) {
                throw new CacheException("cache manager " + managerUri + " could not start its node: " + e.getMessage(), e);
            }
            byUri.put(managerUri, manager);
        }
        return manager;
    }

    @Override
    public CacheManager getCacheManager(URI uri, ClassLoader classLoader) {
        return getCacheManager(uri, classLoader, null);
    }

    @Override
    public CacheManager getCacheManager() {
        return getCacheManager(getDefaultURI(), getDefaultClassLoader(), null);
    }

    @Override
    public ClassLoader getDefaultClassLoader() {
        ClassLoader context = Thread.currentThread().getContextClassLoader();
        return context != null ? context : KamaCachingProvider.class.getClassLoader();
    }

    @Override
    public URI getDefaultURI() {
        return DEFAULT_URI;
    }

    @Override
    public Properties getDefaultProperties() {
        return new Properties();
    }

    @Override
    public void close() {
        List<KamaCacheManager> open = new ArrayList<>();
        synchronized (this) {
            managers.values().forEach(byUri -> open.addAll(byUri.values()));
            managers.clear();
        }
        open.forEach(KamaCacheManager::close);
    }

    @Override
    public void close(ClassLoader classLoader) {
        ClassLoader loader = classLoader == null ? getDefaultClassLoader() : classLoader;
        Map<URI, KamaCacheManager> byUri;
        synchronized (this) {
            byUri = managers.remove(loader);
        }
        if (byUri != null) {
            new ArrayList<>(byUri.values()).forEach(KamaCacheManager::close);
        }
    }

    @Override
    public void close(URI uri, ClassLoader classLoader) {
        URI managerUri = uri == null ? getDefaultURI() : uri;
        ClassLoader loader = classLoader == null ? getDefaultClassLoader() : classLoader;
        KamaCacheManager manager;
        synchronized (this) {
            Map<URI, KamaCacheManager> byUri = managers.get(loader);
            manager = byUri == null ? null : byUri.remove(managerUri);
        }
        if (manager != null) {
            manager.close();
        }
    }

    /** Store-by-reference is not supported: every cache keeps its keys and values as bytes. */
    @Override
    public boolean isSupported(OptionalFeature feature) {
        Objects.requireNonNull(feature, "feature");
        return false;
    }

    /** Forgets a manager that closed itself. */
    public synchronized void release(KamaCacheManager manager) {
        Map<URI, KamaCacheManager> byUri = managers.get(manager.getClassLoader());
        if (byUri != null) {
            byUri.remove(manager.getURI(), manager);
        }
    }

    private static KamaConfig configFor(URI uri, ClassLoader loader) {
        String scheme = uri.getScheme();
        if (DEFAULT_URI.equals(uri)) {
            String configured = System.getProperty(CONFIG_PROPERTY);
            if (configured != null && !configured.isBlank()) {
                return KamaConfig.load(URI.create(configured.trim()), loader);
            }
            return loader.getResource(KamaConfig.DEFAULT_RESOURCE) == null ? KamaConfig.defaults()
                    : KamaConfig.load(URI.create("classpath:" + KamaConfig.DEFAULT_RESOURCE), loader);
        }
        if ("classpath".equals(scheme) || "file".equals(scheme) || "jar".equals(scheme)) {
            return KamaConfig.load(uri, loader);
        }
        if ("kamacache".equals(scheme)) {
            return KamaConfig.defaults();
        }
        throw new CacheException("cache manager URI " + uri + " is not supported; use classpath:<file.yaml>, "
                + "file:<path.yaml>, jar:<archive URL>!/<file.yaml> or kamacache:<name>");
    }

    private static Properties copy(Properties properties) {
        Properties copy = new Properties();
        if (properties != null) {
            copy.putAll(properties);
        }
        return copy;
    }
}
