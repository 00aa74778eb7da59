package io.kamacache.config;

import java.net.URI;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * A kamacache configuration: the mode, this node's settings, the extra classes Java
 * serialization may read, the settings every cache starts from and the caches named in the
 * file. Immutable and thread-safe. Built by {@link #defaults()}, {@link #load(URI, ClassLoader)}
 * or {@link #parse(String, String)}; anything wrong with a file is reported as a
 * {@link ConfigException} naming the source, line and key. The schema is described in the
 * package documentation.
 */
public final class KamaConfig {

    /** The classpath resource looked for when no configuration is named. */
    public static final String DEFAULT_RESOURCE = "kamacache.yaml";

    private static final String BUILT_IN = "built-in defaults";

    private final String source;
    private final Mode mode;
    private final NodeSettings node;
    private final List<String> serializationAllowList;
    private final ClusterSettings cluster;
    private final ServerSettings server;
    private final CacheSettings cacheDefaults;
    private final Map<String, CacheSettings> caches;

    KamaConfig(String source, Mode mode, NodeSettings node, ClusterSettings cluster, ServerSettings server,
               List<String> serializationAllowList, CacheSettings cacheDefaults, Map<String, CacheSettings> caches) {
        this.cluster = Objects.requireNonNull(cluster, "cluster");
        this.server = Objects.requireNonNull(server, "server");
        this.source = Objects.requireNonNull(source, "source");
        this.mode = mode;
        this.node = Objects.requireNonNull(node, "node");
        this.serializationAllowList = List.copyOf(serializationAllowList);
        this.cacheDefaults = Objects.requireNonNull(cacheDefaults, "cacheDefaults");
        // Map.copyOf would lose the file's order, which listings and logs should keep.
        this.caches = Collections.unmodifiableMap(new LinkedHashMap<>(caches));
    }

    /** Built-in defaults: no mode set, default node settings, no extra allow-list, default cache settings, no named caches. */
    public static KamaConfig defaults() {
        return new KamaConfig(BUILT_IN, null, NodeSettings.defaults(), ClusterSettings.defaults(),
                ServerSettings.defaults(), List.of(),
                CacheSettings.defaults(), Map.of());
    }

    /**
     * Loads the configuration at {@code uri}: {@code classpath:path/x.yaml} (a resource of
     * {@code classLoader}, or of the thread's context class loader when it is null; a leading
     * {@code /} is allowed) or a {@code file:} URI such as {@code file:/etc/kamacache.yaml}.
     * The text is read as UTF-8.
     *
     * @throws ConfigException if the resource or file is missing or unreadable, the scheme is
     *         neither {@code classpath} nor {@code file}, or the content is not a valid configuration
     */
    public static KamaConfig load(URI uri, ClassLoader classLoader) {
        return load(uri, classLoader, Map.of());
    }

    /**
     * As {@link #load(URI, ClassLoader)}, with environment variables over the file: each key
     * has one, {@code KAMACACHE_} and its path in capitals with underscores for dots and word
     * breaks ({@code KAMACACHE_NODE_ADDRESS}, {@code KAMACACHE_CLUSTER_ETCD_ENDPOINTS}, with
     * comma-separated items for a list). Pass {@code System.getenv()}.
     *
     * @throws ConfigException as {@link #load(URI, ClassLoader)}; a bad variable is named
     */
    public static KamaConfig load(URI uri, ClassLoader classLoader, Map<String, String> environment) {
        String text = ConfigSources.read(uri, classLoader);
        return ConfigParser.parse(text, uri.toString(), environment);
    }

    /** The built-in defaults with environment variables over them (see {@link #load(URI, ClassLoader, Map)}). */
    public static KamaConfig fromEnvironment(Map<String, String> environment) {
        return ConfigParser.parse("", BUILT_IN, environment);
    }

    /**
     * Parses YAML text. An empty document (or one of only comments) gives the defaults.
     *
     * @param sourceName names the text in error messages, e.g. the URI it came from
     * @throws ConfigException naming the line and key of the first problem found
     */
    public static KamaConfig parse(String yaml, String sourceName) {
        Objects.requireNonNull(yaml, "yaml");
        Objects.requireNonNull(sourceName, "sourceName");
        return ConfigParser.parse(yaml, sourceName, Map.of());
    }

    /** Where this configuration came from: a URI, the name given to {@link #parse}, or {@code built-in defaults}. */
    public String source() {
        return source;
    }

    /**
     * How this JVM takes part in the cache, when the configuration says; when it does not,
     * the JVM is an embedded node if the provider module is on its class path and a client
     * otherwise.
     */
    public Optional<Mode> mode() {
        return Optional.ofNullable(mode);
    }

    /** This node's address and hash-ring settings. */
    public NodeSettings node() {
        return node;
    }

    /** How this node finds and talks to the other members. */
    public ClusterSettings cluster() {
        return cluster;
    }

    /** What only the server program reads. */
    public ServerSettings server() {
        return server;
    }

    /** This configuration with other cluster settings. */
    public KamaConfig withCluster(ClusterSettings cluster) {
        return new KamaConfig(source, mode, node, cluster, server, serializationAllowList, cacheDefaults, caches);
    }

    /** This configuration with another node address: one file can serve several nodes on one host. */
    public KamaConfig withNodeAddress(String address) {
        return new KamaConfig(source, mode, new NodeSettings(address, node.hashFunction(), node.virtualNodes()), cluster,
                server, serializationAllowList, cacheDefaults, caches);
    }

    /** The extra class patterns Java serialization may read, in ObjectInputFilter syntax, in file order. */
    public List<String> serializationAllowList() {
        return serializationAllowList;
    }

    /** The settings a cache has when the file does not name it, and that named caches override key by key. */
    public CacheSettings cacheDefaults() {
        return cacheDefaults;
    }

    /** The caches named in the file, in file order, each already merged over {@link #cacheDefaults()}; unmodifiable. */
    public Map<String, CacheSettings> caches() {
        return caches;
    }

    /** The named cache's settings, or {@link #cacheDefaults()} when the file does not name it. */
    public CacheSettings cache(String name) {
        return caches.getOrDefault(Objects.requireNonNull(name, "name"), cacheDefaults);
    }

    @Override
    public String toString() {
        return "KamaConfig[source=" + source + ", mode=" + mode + ", node=" + node + ", cluster=" + cluster
                + ", serializationAllowList=" + serializationAllowList + ", cacheDefaults=" + cacheDefaults
                + ", caches=" + caches + "]";
    }
}
