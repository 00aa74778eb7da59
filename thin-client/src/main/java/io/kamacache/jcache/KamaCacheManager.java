package io.kamacache.jcache;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.kamacache.codec.Codec;
import io.kamacache.config.CacheClasses;
import io.kamacache.config.CacheSettings;
import io.kamacache.config.ClusterSettings;
import io.kamacache.config.ExpirySettings;
import io.kamacache.config.KamaConfig;
import io.kamacache.config.Mode;
import io.kamacache.jcache.expiry.ConfiguredExpiryPolicy;
import io.kamacache.jcache.spi.KamaCachingProvider;
import io.kamacache.proto.v1.Event;
import io.kamacache.proto.v1.EventsRequest;
import io.kamacache.ring.HashRing;

import javax.cache.Cache;
import javax.cache.CacheException;
import javax.cache.CacheManager;
import javax.cache.configuration.CacheEntryListenerConfiguration;
import javax.cache.configuration.CompleteConfiguration;
import javax.cache.configuration.Configuration;
import javax.cache.configuration.FactoryBuilder;
import javax.cache.configuration.MutableConfiguration;
import javax.cache.expiry.EternalExpiryPolicy;
import javax.cache.integration.CacheLoader;
import javax.cache.integration.CacheWriter;
import javax.cache.spi.CachingProvider;
import java.net.URI;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;

/**
 * The caches of one (URI, class loader) pair, held by one {@link CacheNode}: an embedded
 * node of the provider module, or a {@link ClientNode} that owns nothing. The mode comes
 * from the configuration; when it does not say, the JVM is an embedded node if the
 * provider module is on the class path and a client otherwise. The URI's configuration
 * file shapes the caches it names (eviction policy, capacity, expiry, statistics); the
 * {@link Configuration} an application passes to {@link #createCache} decides everything
 * JCache itself defines.
 *
 * <p>{@link #close()} closes the node first (a clustered node hands its entries to their
 * new owners and leaves), then every cache and the threads that deliver asynchronous
 * events and run {@code loadAll}.
 */
public final class KamaCacheManager implements CacheManager {

    /** The classes of configurations, processors and exceptions that travel between nodes, beyond the application's. */
    private static final List<String> CONTROL_CLASSES =
            List.of("javax.cache.**", "io.kamacache.jcache.**", "java.util.concurrent.TimeUnit");

    /** The provider module's node, found by name so that the thin client alone needs none of it. */
    private static final String EMBEDDED_NODE = "io.kamacache.jcache.EmbeddedNode$Starter";
    /** Null when the provider module is not on the class path. */
    private static final CacheNode.Starter EMBEDDED = embeddedNode();

    private final KamaCachingProvider provider;
    private final URI uri;
    private final ClassLoader classLoader;
    private final Properties properties;
    private final KamaConfig config;
    private final Codec codec;
    private final InstantSource clock;
    private final CacheNode node;
    /** Null in single-instance mode. */
    private final CacheCluster cluster;
    private final ExecutorService executor;
    private final Map<String, KamaCache<?, ?>> caches = new ConcurrentHashMap<>();
    /** Caches another node created here that this node's application has not created itself yet. */
    private final Set<String> shipped = ConcurrentHashMap.newKeySet();
    /** Caches created with settings of their own, which win over the configuration file's. */
    private final Map<String, CacheSettings> runtimeSettings = new ConcurrentHashMap<>();
    private final Codec control;
    private volatile boolean closed;
    /**
     * Opens once the constructor is done. An embedded node serves the others from before
     * then, as its server starts with it; what it is asked meanwhile waits for this, or is
     * answered "moved" and sent again ({@link #isStarted}).
     */
    private final CountDownLatch started = new CountDownLatch(1);

    /**
     * @param provider null for a manager made outside a provider (tests with their own clock)
     */
    public KamaCacheManager(KamaCachingProvider provider, URI uri, ClassLoader classLoader, Properties properties,
                            KamaConfig config, InstantSource clock) {
        this.provider = provider;
        this.uri = Objects.requireNonNull(uri, "uri");
        this.classLoader = Objects.requireNonNull(classLoader, "classLoader");
        this.properties = properties == null ? new Properties() : properties;
        this.config = Objects.requireNonNull(config, "config");
        this.codec = Codec.create(config.serializationAllowList(), classLoader);
        this.clock = Objects.requireNonNull(clock, "clock");
        // Configurations, entry processors and exceptions travel between nodes too.
        List<String> controlClasses = new ArrayList<>(config.serializationAllowList());
        controlClasses.addAll(CONTROL_CLASSES);
        this.control = Codec.create(controlClasses, classLoader);
        ClusterSettings settings = config.cluster();
        Mode mode = config.mode().orElse(EMBEDDED == null ? Mode.CLIENT : Mode.EMBEDDED);
        if (mode == Mode.EMBEDDED && EMBEDDED == null) {
            throw new CacheException(config.source() + " asks for mode embedded, but kamacache-provider is not on "
                    + "the class path: add it, or use mode client");
        }
        if (mode == Mode.CLIENT && !settings.isClustered()) {
            throw new CacheException("cache manager " + uri + " is a client (kamacache-provider is not on the class "
                    + "path), and " + config.source() + " names no servers: set cluster.peers or cluster.etcd");
        }
        checkNamedClasses(mode);
        AtomicInteger threads = new AtomicInteger();
        this.executor = Executors.newCachedThreadPool(task -> {
            Thread thread = new Thread(task, "kamacache-jcache-" + threads.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        });
        try {
            this.node = mode == Mode.CLIENT ? new ClientNode(config) : EMBEDDED.start(this, control);
        } catch (RuntimeException e) {
            executor.shutdownNow();
            throw e;
        }
        Duration failoverWait = settings.etcd() == null ? Duration.ZERO
                : settings.etcd().leaseTtl().plus(settings.rpcTimeout());
        this.cluster = node.channels() == null ? null
                : new CacheCluster(node, this.control, this, executor, failoverWait);
        if (cluster != null) {
            node.watchMembers(members -> {
                try {
                    executor.execute(() -> cluster.membersChanged(members, listenerMasks()));
                } catch (RejectedExecutionException e) {
                    // closing
                }
            });
        }
        started.countDown();
    }

    /** Whether this cache manager is started, and so can answer the other nodes. */
    boolean isStarted() {
        return started.getCount() == 0;
    }

    /**
     * Waits until this cache manager is started, at most the cluster's call deadline.
     *
     * @throws StatusRuntimeException UNAVAILABLE when it is not started by then
     */
    void awaitStarted() {
        try {
            if (started.await(config.cluster().rpcTimeout().toNanos(), TimeUnit.NANOSECONDS)) {
                return;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        throw Status.UNAVAILABLE.withDescription("node " + config.node().address() + " is still starting")
                .asRuntimeException();
    }

    /** The event types this node's listeners want, per cache that has listeners. */
    Map<String, Integer> listenerMasks() {
        Map<String, Integer> masks = new HashMap<>();
        caches.forEach((name, cache) -> {
            if (cache.listenerMask() != 0) {
                masks.put(name, cache.listenerMask());
            }
        });
        return masks;
    }

    /** Notes which event types another node's (or a client's) listeners of a cache want. */
    void listening(String cacheName, String member, int mask) {
        if (cluster != null) {
            cluster.listening(cacheName, member, mask);
        }
    }

    /** Notes the largest message another node or a client takes in: see {@link CacheCluster#messageLimit}. */
    void messageLimit(String member, int maxMessageBytes) {
        if (cluster != null) {
            cluster.messageLimit(member, maxMessageBytes);
        }
    }

    /** Another member's or a client's event stream opened here: see {@link CacheCluster#subscribed}. */
    EventOutbox subscribed(String member, long streamId, Map<String, Integer> masks, Consumer<EventsRequest> stream) {
        return cluster == null ? null : cluster.subscribed(member, streamId, masks, stream);
    }

    void unsubscribed(String member, EventOutbox outbox) {
        if (cluster != null) {
            cluster.unsubscribed(member, outbox);
        }
    }

    /** Hands events an owner ran to the listeners of a cache here. */
    void deliver(String cacheName, List<Event> events) {
        KamaCache<Object, Object> cache = cacheForPeers(cacheName);
        if (cache != null) {
            cache.deliver(events);
        }
    }

    @Override
    public CachingProvider getCachingProvider() {
        return provider;
    }

    @Override
    public URI getURI() {
        return uri;
    }

    @Override
    public ClassLoader getClassLoader() {
        return classLoader;
    }

    @Override
    public Properties getProperties() {
        return properties;
    }

    /** The configuration file this manager was made from, or the built-in defaults. */
    public KamaConfig config() {
        return config;
    }

    @Override
    public <K, V, C extends Configuration<K, V>> Cache<K, V> createCache(String cacheName, C configuration) {
        requireOpen();
        Objects.requireNonNull(cacheName, "cache name must not be null");
        Objects.requireNonNull(configuration, "configuration must not be null");
        boolean[] created = {false};
        KamaCache<?, ?> cache = caches.computeIfAbsent(cacheName, name -> {
            created[0] = true;
            return newCache(name, configuration);
        });
        if (!created[0]) {
            if (!adopt(cache, configuration)) {
                throw new CacheException("cache '" + cacheName + "' already exists in cache manager " + uri
                        + (shipped.contains(cacheName) ? ", created by another node with a different configuration" : ""));
            }
        } else if (cluster != null) {
            try {
                cluster.created(cacheName, false);
            } catch (CacheException e) {
                release(cache);
                throw e;
            }
            if (cache.listenerMask() != 0) {
                cache.announceListeners();
            }
        }
        @SuppressWarnings("unchecked")
        Cache<K, V> typed = (Cache<K, V>) cache;
        return typed;
    }

    @Override
    public <K, V> Cache<K, V> getCache(String cacheName, Class<K> keyType, Class<V> valueType) {
        Objects.requireNonNull(keyType, "key type must not be null");
        Objects.requireNonNull(valueType, "value type must not be null");
        Cache<K, V> cache = getCache(cacheName);
        if (cache == null) {
            return null;
        }
        @SuppressWarnings("unchecked")
        CompleteConfiguration<K, V> configuration = cache.getConfiguration(CompleteConfiguration.class);
        if (configuration.getKeyType() != keyType || configuration.getValueType() != valueType) {
            boolean untyped = configuration.getKeyType() == Object.class && configuration.getValueType() == Object.class;
            throw new ClassCastException("cache '" + cacheName + "' holds " + configuration.getKeyType().getName()
                    + " -> " + configuration.getValueType().getName() + ", not " + keyType.getName() + " -> "
                    + valueType.getName() + (untyped && config.caches().containsKey(cacheName)
                    ? "; " + config.source() + " can give it types: caches." + cacheName + ".keyType and .valueType" : ""));
        }
        return cache;
    }

    /**
     * The cache of that name; a cache the configuration file names is created on first use,
     * with JCache defaults and the file's settings.
     */
    @Override
    public <K, V> Cache<K, V> getCache(String cacheName) {
        requireOpen();
        Objects.requireNonNull(cacheName, "cache name must not be null");
        @SuppressWarnings("unchecked")
        Cache<K, V> typed = (Cache<K, V>) cacheOrConfigured(cacheName, true);
        return typed;
    }

    /**
     * The cache of that name, creating it on first use when the configuration file names it.
     *
     * @param shipped whether a cache made here is also made on the other members
     */
    private KamaCache<?, ?> cacheOrConfigured(String cacheName, boolean shipped) {
        KamaCache<?, ?> cache = caches.get(cacheName);
        if (cache == null && config.caches().containsKey(cacheName)) {
            boolean[] created = {false};
            cache = caches.computeIfAbsent(cacheName, name -> {
                created[0] = true;
                return newCache(name, namedConfiguration(config.caches().get(name)));
            });
            if (created[0] && shipped && cluster != null) {
                try {
                    cluster.created(cacheName, true); // the cluster's cache of that name, if it has one
                } catch (CacheException e) { // servers that cannot make it: nothing half-made stays
                    release(cache);
                    throw e;
                }
            }
        }
        return cache;
    }

    /**
     * Creates here every cache the configuration file names that is not created yet, as
     * {@code getCache} would, without telling the other members: a server does so as it
     * starts, so that its caches are served and listed before anyone asks for them by name,
     * and a client's {@code getCache} of one of them keeps it as this file describes it.
     * The other members learn of a cache when it is first used on them.
     */
    public void createNamedCaches() {
        requireOpen();
        config.caches().keySet().forEach(name -> cacheOrConfigured(name, false));
    }

    /**
     * Refuses, now rather than at first use, a file that names classes this manager cannot
     * use: key and value types it does not have, and, where caches run here, loaders and
     * writers it cannot make. A client's loaders and writers run at the servers, which
     * refuse those they cannot make when the cache is created there.
     *
     * @throws io.kamacache.config.ConfigException naming the file, line and key
     */
    private void checkNamedClasses(Mode mode) {
        for (CacheSettings settings : config.caches().values()) {
            namedConfiguration(settings); // loads the types
            CacheClasses classes = settings.classes();
            if (mode == Mode.EMBEDDED) {
                if (classes.loader() != null) {
                    classes.loader().checkMakeable(classLoader, CacheLoader.class);
                }
                if (classes.writer() != null) {
                    classes.writer().checkMakeable(classLoader, CacheWriter.class);
                }
            }
        }
    }

    /**
     * What {@code getCache(name)} creates a cache the file names with: JCache's defaults with
     * the file's key and value types, reading through its loader and writing through its writer.
     */
    @SuppressWarnings("unchecked")
    private MutableConfiguration<Object, Object> namedConfiguration(CacheSettings settings) {
        CacheClasses classes = settings.classes();
        MutableConfiguration<Object, Object> configuration = new MutableConfiguration<>();
        configuration.setTypes(
                classes.keyType() == null ? Object.class : (Class<Object>) classes.keyType().load(classLoader),
                classes.valueType() == null ? Object.class : (Class<Object>) classes.valueType().load(classLoader));
        if (classes.loader() != null) {
            configuration.setReadThrough(true).setCacheLoaderFactory(FactoryBuilder.factoryOf(classes.loader().name()));
        }
        if (classes.writer() != null) {
            configuration.setWriteThrough(true).setCacheWriterFactory(FactoryBuilder.factoryOf(classes.writer().name()));
        }
        return configuration;
    }

    @Override
    public Iterable<String> getCacheNames() {
        requireOpen();
        return Collections.unmodifiableSet(new LinkedHashSet<>(caches.keySet()));
    }

    @Override
    public void destroyCache(String cacheName) {
        requireOpen();
        Objects.requireNonNull(cacheName, "cache name must not be null");
        KamaCache<?, ?> cache = caches.get(cacheName);
        if (cache != null) {
            release(cache);
        }
        if (cluster != null) {
            cluster.destroyed(cacheName);
        }
    }

    @Override
    public void enableManagement(String cacheName, boolean enabled) {
        requireOpen();
        Objects.requireNonNull(cacheName, "cache name must not be null");
        KamaCache<?, ?> cache = caches.get(cacheName);
        if (cache != null) {
            cache.setManagementEnabled(enabled);
        }
    }

    @Override
    public void enableStatistics(String cacheName, boolean enabled) {
        requireOpen();
        Objects.requireNonNull(cacheName, "cache name must not be null");
        KamaCache<?, ?> cache = caches.get(cacheName);
        if (cache != null) {
            cache.setStatisticsEnabled(enabled);
        }
    }

    @Override
    public void close() {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
        }
        if (provider != null) {
            provider.release(this);
        }
        if (cluster != null) {
            cluster.close();
        }
        // The node first: a clustered node hands its entries to their new owners as it leaves.
        node.close();
        for (KamaCache<?, ?> cache : caches.values()) {
            caches.remove(cache.getName(), cache);
            cache.shutdown();
        }
        executor.shutdown();
        try {
            if (!executor.awaitTermination(5, TimeUnit.SECONDS)) {
                executor.shutdownNow();
            }
        } catch (InterruptedException e) {
            executor.shutdownNow();
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public boolean isClosed() {
        return closed;
    }

    @Override
    public <T> T unwrap(Class<T> clazz) {
        if (clazz.isAssignableFrom(KamaCacheManager.class)) {
            return clazz.cast(this);
        }
        Object target = node.unwrapTarget();
        if (target != null && clazz.isInstance(target)) {
            return clazz.cast(target);
        }
        throw new IllegalArgumentException("a cache manager cannot be unwrapped to " + clazz.getName()
                + "; it unwraps to " + KamaCacheManager.class.getName()
                + (target == null ? "" : " and " + target.getClass().getName()));
    }

    /** The members keys are routed among now: the servers on a client, the nodes of its cluster on a node. */
    public HashRing ring() {
        return node.ring();
    }

    /** The embedded node's starter when the provider module is on the class path, or null. */
    private static CacheNode.Starter embeddedNode() {
        Class<?> starter;
        try {
            starter = Class.forName(EMBEDDED_NODE, true, KamaCacheManager.class.getClassLoader());
        } catch (ClassNotFoundException e) {
            return null;
        }
        try {
            return (CacheNode.Starter) starter.getDeclaredConstructor().newInstance();
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("cannot start " + EMBEDDED_NODE + ": " + e, e);
        }
    }

    InstantSource clock() {
        return clock;
    }

    /** The threads of asynchronous events, {@code loadAll}, batches and operations a server moves off its network thread. */
    Executor executor() {
        return executor;
    }

    // ---- what other nodes ask of this one ----------------------------------------------------

    String selfAddress() {
        return node.selfAddress();
    }

    /** The owner of a key in this node's view when it is another node, or null when it is this one. */
    String ownerOf(byte[] k) {
        return cluster == null ? null : cluster.ownerOf(k);
    }

    /** The cache another node runs an operation on, or null when this node does not know it. */
    @SuppressWarnings("unchecked")
    KamaCache<Object, Object> cacheForPeers(String cacheName) {
        return closed ? null : (KamaCache<Object, Object>) cacheOrConfigured(cacheName, true);
    }

    /**
     * The configuration other nodes build their part of a cache from: this cache's shape,
     * without its listeners, which stay where they were registered (events come back to them).
     */
    CompleteConfiguration<?, ?> shippedConfiguration(String cacheName) {
        KamaCache<?, ?> cache = caches.get(cacheName);
        if (cache == null) {
            return null;
        }
        return shape(cache.getConfiguration(CompleteConfiguration.class));
    }

    /**
     * Creates a cache another node created, replacing a cache of that name here: creating a
     * cache starts it afresh on every node. It keeps no listeners, statistics or management
     * beans of the creator's; this node's application takes it over with {@link #createCache}.
     *
     * @param keepExisting keep a cache of that name this node has: the other node opened it
     *                     by getCache, or repairs a node that missed it
     */
    void createShipped(String cacheName, CompleteConfiguration<?, ?> configuration, boolean keepExisting,
                       CacheSettings settings) {
        requireOpen();
        caches.compute(cacheName, (name, existing) -> {
            if (existing != null && keepExisting) {
                return existing;
            }
            if (settings == null) {
                runtimeSettings.remove(name);
            } else {
                runtimeSettings.put(name, settings);
            }
            if (existing != null) {
                shutdownCache(existing);
                if (cluster != null) {
                    cluster.forget(name); // the listeners of the cache replaced
                }
            }
            shipped.add(name);
            return newCache(name, shape(configuration));
        });
    }

    /**
     * Lets this node's application take over a cache another node created here, when it asks
     * for the same configuration: it gains the application's listeners, statistics and
     * management settings.
     */
    @SuppressWarnings({"unchecked", "rawtypes"})
    private boolean adopt(KamaCache cache, Configuration<?, ?> requested) {
        if (!shipped.contains(cache.getName())) {
            return false;
        }
        MutableConfiguration<?, ?> wanted = copyOf(requested);
        CompleteConfiguration<?, ?> existing = (CompleteConfiguration<?, ?>) cache.getConfiguration(CompleteConfiguration.class);
        if (!Arrays.equals(control.encode(shape(wanted)), control.encode(shape(existing)))
                || !shipped.remove(cache.getName())) {
            return false;
        }
        cache.adopt(wanted);
        return true;
    }

    /** What nodes share of a configuration: everything but listeners, statistics and management. */
    private static <K, V> MutableConfiguration<K, V> shape(CompleteConfiguration<K, V> configuration) {
        MutableConfiguration<K, V> shape = new MutableConfiguration<>(configuration);
        for (CacheEntryListenerConfiguration<K, V> listener : configuration.getCacheEntryListenerConfigurations()) {
            shape.removeCacheEntryListenerConfiguration(listener);
        }
        shape.setStatisticsEnabled(false);
        shape.setManagementEnabled(false);
        return shape;
    }

    /** Destroys a cache another node destroyed. */
    void destroyShipped(String cacheName) {
        if (cluster != null) {
            cluster.forget(cacheName);
        }
        KamaCache<?, ?> cache = caches.get(cacheName);
        if (cache != null) {
            release(cache);
        }
    }

    /** Takes a closing cache out of this manager and drops its group. */
    void release(KamaCache<?, ?> cache) {
        if (cluster != null && cache.listenerMask() != 0 && !closed) {
            cluster.announce(cache.getName(), 0);
        }
        if (caches.remove(cache.getName(), cache)) {
            shipped.remove(cache.getName());
            runtimeSettings.remove(cache.getName());
            node.drop(cache.getName());
        }
        cache.shutdown();
    }

    /** Drops a cache that is being replaced; the caller takes it out of the map. */
    private void shutdownCache(KamaCache<?, ?> cache) {
        node.drop(cache.getName());
        cache.shutdown();
    }

    /**
     * Creates a cache as {@link #createCache} does, with its own eviction policy and bounds
     * instead of the configuration file's; every member builds its part of the cache with
     * them (the server's HTTP API creates its groups so).
     *
     * @throws CacheException as createCache does
     */
    public <K, V, C extends Configuration<K, V>> Cache<K, V> createCache(String cacheName, C configuration,
                                                                         CacheSettings settings) {
        Objects.requireNonNull(settings, "settings must not be null");
        if (caches.containsKey(cacheName) || runtimeSettings.putIfAbsent(cacheName, settings) != null) {
            throw new CacheException("cache '" + cacheName + "' already exists in cache manager " + uri);
        }
        try {
            return createCache(cacheName, configuration);
        } catch (RuntimeException e) {
            runtimeSettings.remove(cacheName, settings);
            throw e;
        }
    }

    /**
     * Gives a cache another eviction policy and bounds on every member (on a client: on
     * every server), keeping its entries; a smaller bound evicts down to it. A member that
     * learns of the cache later gets these settings with it, and {@link #settings} answers
     * them.
     *
     * @param settings the cache's {@link #settings} with the policy and bounds it is to
     *                 have: its expiry, statistics and management cannot change while it exists
     * @throws IllegalArgumentException when this manager has no such cache (a client opens it
     *         first), or the settings change more than the policy and bounds
     * @throws CacheException naming each member that could not take the settings; this node
     *         and the other members have them
     */
    public void reconfigure(String cacheName, CacheSettings settings) {
        requireOpen();
        Objects.requireNonNull(cacheName, "cache name must not be null");
        Objects.requireNonNull(settings, "settings must not be null");
        if (cacheOrConfigured(cacheName, true) == null) {
            throw new IllegalArgumentException("no cache '" + cacheName + "' in cache manager " + uri);
        }
        CacheSettings current = settings(cacheName);
        if (!settings.equals(current.withBounds(settings.policy(), settings.maxBytes(), settings.maxEntries()))) {
            throw new IllegalArgumentException("only the eviction policy and bounds of cache '" + cacheName
                    + "' change at run time; it has " + current + ", not " + settings);
        }
        applySettings(cacheName, settings);
        if (cluster != null) {
            cluster.reconfigured(cacheName, settings);
        }
    }

    /** Gives this node's part of a cache these settings: {@link #reconfigure} here or on another node. */
    void applySettings(String cacheName, CacheSettings settings) {
        runtimeSettings.put(cacheName, settings); // from now on shipped with the cache
        node.reconfigure(cacheName, settings);
    }

    /**
     * The settings that travel with a cache's configuration to the other members: those it
     * was created with at run time, else those this manager's file gives it by name; null
     * when it has neither, and each member applies its own defaults.
     */
    CacheSettings shippedSettings(String cacheName) {
        CacheSettings runtime = runtimeSettings.get(cacheName);
        return runtime != null ? runtime : config.caches().get(cacheName);
    }

    /** The eviction policy, bounds and defaults a cache of this name has here. */
    public CacheSettings settings(String cacheName) {
        return runtimeSettings.getOrDefault(cacheName, config.cache(cacheName));
    }

    private <K, V> KamaCache<K, V> newCache(String name, Configuration<K, V> requested) {
        CacheSettings settings = settings(name);
        MutableConfiguration<K, V> configuration = copyOf(requested);
        if (settings.statistics()) {
            configuration.setStatisticsEnabled(true);
        }
        if (settings.management()) {
            configuration.setManagementEnabled(true);
        }
        if (!settings.expiry().equals(ExpirySettings.ETERNAL)
                && configuration.getExpiryPolicyFactory().create() instanceof EternalExpiryPolicy) {
            configuration.setExpiryPolicyFactory(ConfiguredExpiryPolicy.factoryOf(settings.expiry()));
        }
        // The store reports expiries from its first write on; the cache exists by then.
        AtomicReference<KamaCache<K, V>> self = new AtomicReference<>();
        // Factories (FactoryBuilder's among them) find their classes through the context class
        // loader: make it this manager's, whose class path may be larger (a server's lib/).
        Thread thread = Thread.currentThread();
        ClassLoader previous = thread.getContextClassLoader();
        thread.setContextClassLoader(classLoader);
        try {
            LocalEntries<K, V> local = node.open(name, configuration, settings, codec, (k, value) -> {
                KamaCache<K, V> cache = self.get();
                if (cache != null) {
                    cache.expired(k, value);
                }
            });
            KamaCache<K, V> cache = new KamaCache<>(this, name, configuration, local, codec, cluster, executor);
            self.set(cache);
            return cache;
        } catch (RuntimeException e) {
            node.drop(name);
            throw e;
        } finally {
            thread.setContextClassLoader(previous);
        }
    }

    @SuppressWarnings("unchecked")
    private static <K, V> MutableConfiguration<K, V> copyOf(Configuration<K, V> requested) {
        if (requested instanceof CompleteConfiguration<K, V> complete) {
            return new MutableConfiguration<>(complete);
        }
        MutableConfiguration<K, V> basic = new MutableConfiguration<>();
        basic.setTypes(requested.getKeyType(), requested.getValueType());
        basic.setStoreByValue(requested.isStoreByValue());
        return basic;
    }

    private void requireOpen() {
        if (closed) {
            throw new IllegalStateException("cache manager " + uri + " is closed");
        }
    }
}
