package io.kamacache.config;

import io.kamacache.codec.Codec;
import io.kamacache.ring.HashFunction;
import org.snakeyaml.engine.v2.api.LoadSettings;
import org.snakeyaml.engine.v2.api.lowlevel.Parse;
import org.snakeyaml.engine.v2.events.Event;
import org.snakeyaml.engine.v2.api.lowlevel.Compose;
import org.snakeyaml.engine.v2.exceptions.Mark;
import org.snakeyaml.engine.v2.exceptions.MarkedYamlEngineException;
import org.snakeyaml.engine.v2.exceptions.YamlEngineException;
import org.snakeyaml.engine.v2.nodes.Node;
import org.snakeyaml.engine.v2.schema.JsonSchema;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;

/**
 * Reads the kamacache YAML schema (see the package documentation) from a composed node tree.
 * Composing only builds nodes of text, lists and mappings, never Java objects, so a hostile
 * file cannot make the parser instantiate anything.
 */
final class ConfigParser {

    static final List<String> TOP_KEYS =
            List.of("mode", "node", "cluster", "server", "http", "grpc", "serialization", "cacheDefaults", "caches");
    static final List<String> SERVER_KEYS = List.of("lib");
    static final List<String> PORT_KEYS = List.of("port");
    static final List<String> HTTP_KEYS = List.of("port", "tls");
    static final List<String> CERT_KEYS = List.of("cert", "key");
    static final List<String> CLUSTER_KEYS = List.of("peers", "etcd", "rpcTimeout", "maxMessageBytes",
            "replySpin", "token", "tls");
    static final List<String> TLS_KEYS = List.of("ca", "cert", "key", "clientAuth");
    static final List<String> ETCD_KEYS = List.of("endpoints", "service", "leaseTtl", "connectTimeout",
            "username", "password", "caCert", "clientCert", "clientKey");
    static final List<String> NODE_KEYS = List.of("address", "hashFunction", "virtualNodes");
    static final List<String> SERIALIZATION_KEYS = List.of("allow");
    static final List<String> CACHE_KEYS =
            List.of("policy", "maxBytes", "maxEntries", "expiry", "statistics", "management");
    /** Keys only a cache the file names has: the classes {@code getCache(name)} creates it with. */
    static final List<String> CLASS_KEYS = List.of("keyType", "valueType", "loader", "writer");
    static final List<String> NAMED_CACHE_KEYS = Stream.concat(CACHE_KEYS.stream(), CLASS_KEYS.stream()).toList();
    static final List<String> EXPIRY_KEYS = List.of("creation", "update", "access");
    /** Aliases are legal YAML, but a small file needs few; the cap defeats alias-expansion bombs. */
    private static final int MAX_ALIASES = 50;
    /** Characters in a file, far more than a configuration needs: a larger one is refused before it is parsed. */
    private static final int MAX_CHARACTERS = 1 << 20;
    /** Far deeper than any configuration goes, far shallower than the YAML composer's stack allows. */
    private static final int MAX_NESTING = 64;

    private final NodeReader reader;
    private final Map<Node, String> origins;

    private ConfigParser(String source, Map<Node, String> origins) {
        this.reader = new NodeReader(source, origins);
        this.origins = origins;
    }

    /** Parses {@code yaml}, with the variables of {@code environment} over it (see {@link EnvironmentOverrides}). */
    static KamaConfig parse(String yaml, String source, Map<String, String> environment) {
        return new ConfigParser(source, EnvironmentOverrides.origins()).parse(yaml, environment);
    }

    private KamaConfig parse(String yaml, Map<String, String> environment) {
        Node composed = compose(yaml).filter(node -> !NodeReader.isNull(node)).orElse(null);
        Node root = EnvironmentOverrides.apply(composed, environment, origins);
        if (root == null) {
            return new KamaConfig(reader.source(), null, NodeSettings.defaults(), ClusterSettings.defaults(),
                    ServerSettings.defaults(), List.of(), CacheSettings.defaults(), Map.of());
        }
        Map<String, NodeReader.Entry> top = reader.mapping(root, "", TOP_KEYS);
        Mode mode = top.containsKey("mode") ? reader.convert(top.get("mode"), Mode::fromName) : null;
        NodeSettings node = top.containsKey("node") ? node(top.get("node")) : NodeSettings.defaults();
        if (top.containsKey("grpc")) {
            node = node.withPort(port(top.get("grpc")));
        }
        ClusterSettings cluster = top.containsKey("cluster") ? cluster(top.get("cluster")) : ClusterSettings.defaults();
        if (mode == Mode.CLIENT && !cluster.isClustered()) {
            NodeReader.Entry at = top.getOrDefault("cluster", top.get("mode"));
            throw reader.error(at.value(), at.path(), "mode client needs servers to talk to: give cluster.peers or cluster.etcd");
        }
        if (node.anyPort() && !cluster.peers().isEmpty()) {
            NodeReader.Entry at = top.containsKey("grpc")
                    ? reader.mapping(top.get("grpc").value(), "grpc", PORT_KEYS).get("port")
                    : reader.mapping(top.get("node").value(), "node", NODE_KEYS).get("address");
            throw reader.error(at.value(), at.path(), "port 0 (any free port) needs cluster.etcd: "
                    + "with static peers every member's port must be known");
        }
        ServerSettings server = top.containsKey("server") ? server(top.get("server")) : ServerSettings.defaults();
        if (top.containsKey("http")) {
            server = http(top.get("http"), server);
        }
        List<String> allow = top.containsKey("serialization") ? allowList(top.get("serialization")) : List.of();
        CacheSettings defaults = top.containsKey("cacheDefaults")
                ? cache(top.get("cacheDefaults"), CacheSettings.defaults(), CACHE_KEYS) : CacheSettings.defaults();
        Map<String, CacheSettings> caches = top.containsKey("caches") ? caches(top.get("caches"), defaults) : Map.of();
        return new KamaConfig(reader.source(), mode, node, cluster, server, allow, defaults, caches);
    }

    private Optional<Node> compose(String yaml) {
        LoadSettings settings = LoadSettings.builder()
                .setLabel(reader.source())
                .setUseMarks(true)
                // Not the core schema: its composer applies "<<" merge keys, silently reordering keys
                // and hiding duplicates. Values are read as text anyway; NodeReader knows YAML's nulls.
                .setSchema(new JsonSchema())
                .setAllowRecursiveKeys(false)
                .setMaxAliasesForCollections(MAX_ALIASES)
                .build();
        if (yaml.length() > MAX_CHARACTERS) { // the scanner slows down more than linearly on huge scalars
            throw new ConfigException(reader.source(), 0, "", "the file has " + yaml.length()
                    + " characters; a configuration has at most " + MAX_CHARACTERS);
        }
        try {
            checkNesting(yaml, settings);
            return new Compose(settings).composeString(yaml);
        } catch (MarkedYamlEngineException e) {
            int line = e.getProblemMark().or(e::getContextMark).map(Mark::getLine).map(l -> l + 1).orElse(0);
            String context = e.getContext() == null || e.getContext().isBlank() ? "" : e.getContext().trim() + ": ";
            throw new ConfigException(reader.source(), line, "", "YAML syntax error: " + context + e.getProblem().trim(), e);
        } catch (YamlEngineException e) {
            throw new ConfigException(reader.source(), 0, "", "YAML syntax error: " + e.getMessage(), e);
        }
    }

    /**
     * Refuses collections nested deeper than {@link #MAX_NESTING}, reading the events without
     * building anything: the composer nests a call per level, so a few thousand brackets
     * would overflow its stack.
     */
    private void checkNesting(String yaml, LoadSettings settings) {
        int depth = 0;
        for (Event event : new Parse(settings).parseString(yaml)) {
            Event.ID id = event.getEventId();
            if (id == Event.ID.MappingStart || id == Event.ID.SequenceStart) {
                if (++depth > MAX_NESTING) {
                    int line = event.getStartMark().map(Mark::getLine).map(l -> l + 1).orElse(0);
                    throw new ConfigException(reader.source(), line, "", "lists and mappings nested deeper than "
                            + MAX_NESTING + " levels; a configuration needs a few");
                }
            } else if (id == Event.ID.MappingEnd || id == Event.ID.SequenceEnd) {
                depth--;
            }
        }
    }

    private NodeSettings node(NodeReader.Entry section) {
        Map<String, NodeReader.Entry> keys = reader.mapping(section.value(), section.path(), NODE_KEYS);
        NodeSettings defaults = NodeSettings.defaults();
        String address = keys.containsKey("address")
                ? reader.convert(keys.get("address"), NodeSettings::checkNodeAddress) : defaults.address();
        HashFunction function = keys.containsKey("hashFunction")
                ? reader.convert(keys.get("hashFunction"), HashFunction::fromName) : defaults.hashFunction();
        int virtualNodes = keys.containsKey("virtualNodes")
                ? reader.convert(keys.get("virtualNodes"), text -> NodeSettings.checkVirtualNodes(ConfigValues.intCount(text)))
                : defaults.virtualNodes();
        return new NodeSettings(address, function, virtualNodes);
    }

    private ClusterSettings cluster(NodeReader.Entry section) {
        Map<String, NodeReader.Entry> keys = reader.mapping(section.value(), section.path(), CLUSTER_KEYS);
        ClusterSettings defaults = ClusterSettings.defaults();
        List<String> peers = keys.containsKey("peers") ? list(keys.get("peers"), NodeSettings::checkAddress) : List.of();
        EtcdSettings etcd = keys.containsKey("etcd") ? etcd(keys.get("etcd")) : null;
        Duration rpcTimeout = keys.containsKey("rpcTimeout")
                ? reader.convert(keys.get("rpcTimeout"), text -> ConfigValues.duration(text, null)) : defaults.rpcTimeout();
        int maxMessageBytes = keys.containsKey("maxMessageBytes")
                ? reader.convert(keys.get("maxMessageBytes"), text -> Math.toIntExact(ConfigValues.size(text)))
                : defaults.maxMessageBytes();
        Duration replySpin = keys.containsKey("replySpin")
                ? reader.convert(keys.get("replySpin"), text -> ConfigValues.duration(text, null)) : defaults.replySpin();
        try {
            return new ClusterSettings(peers, etcd, rpcTimeout, maxMessageBytes, replySpin,
                    keys.containsKey("token") ? reader.scalar(keys.get("token")) : null,
                    keys.containsKey("tls") ? tls(keys.get("tls")) : null);
        } catch (IllegalArgumentException e) {
            throw reader.error(section.value(), section.path(), e.getMessage(), e);
        }
    }

    private TlsSettings tls(NodeReader.Entry section) {
        Map<String, NodeReader.Entry> keys = reader.mapping(section.value(), section.path(), TLS_KEYS);
        try {
            return new TlsSettings(
                    keys.containsKey("ca") ? Path.of(reader.scalar(keys.get("ca"))) : null,
                    keys.containsKey("cert") ? Path.of(reader.scalar(keys.get("cert"))) : null,
                    keys.containsKey("key") ? Path.of(reader.scalar(keys.get("key"))) : null,
                    keys.containsKey("clientAuth") && reader.convert(keys.get("clientAuth"), ConfigValues::bool));
        } catch (IllegalArgumentException e) {
            throw reader.error(section.value(), section.path(), e.getMessage(), e);
        }
    }

    private ServerSettings server(NodeReader.Entry section) {
        Map<String, NodeReader.Entry> keys = reader.mapping(section.value(), section.path(), SERVER_KEYS);
        return keys.containsKey("lib") ? ServerSettings.defaults().withLib(reader.convert(keys.get("lib"), Path::of))
                : ServerSettings.defaults();
    }

    /** The {@code grpc:} section's port: 0 to 65535, 0 for any free port. */
    private int port(NodeReader.Entry section) {
        Map<String, NodeReader.Entry> keys = reader.mapping(section.value(), section.path(), PORT_KEYS);
        if (!keys.containsKey("port")) {
            throw reader.error(section.value(), section.path() + ".port", "give the port, such as 8001");
        }
        return reader.convert(keys.get("port"), ConfigValues::port);
    }

    /** The {@code http:} section: its port and, for HTTPS, its certificate and key. */
    private ServerSettings http(NodeReader.Entry section, ServerSettings server) {
        Map<String, NodeReader.Entry> keys = reader.mapping(section.value(), section.path(), HTTP_KEYS);
        int port = keys.containsKey("port") ? reader.convert(keys.get("port"), ConfigValues::port) : server.httpPort();
        if (!keys.containsKey("tls")) {
            return server.withHttp(port, null, null);
        }
        NodeReader.Entry tls = keys.get("tls");
        Map<String, NodeReader.Entry> files = reader.mapping(tls.value(), tls.path(), CERT_KEYS);
        try {
            return server.withHttp(port,
                    files.containsKey("cert") ? Path.of(reader.scalar(files.get("cert"))) : null,
                    files.containsKey("key") ? Path.of(reader.scalar(files.get("key"))) : null);
        } catch (IllegalArgumentException e) {
            throw reader.error(tls.value(), tls.path(), e.getMessage(), e);
        }
    }

    private EtcdSettings etcd(NodeReader.Entry section) {
        Map<String, NodeReader.Entry> keys = reader.mapping(section.value(), section.path(), ETCD_KEYS);
        if (!keys.containsKey("endpoints")) {
            throw reader.error(section.value(), section.path() + ".endpoints",
                    "etcd needs endpoints, such as [http://127.0.0.1:2379]");
        }
        try {
            return new EtcdSettings(
                    list(keys.get("endpoints"), text -> text),
                    keys.containsKey("service") ? reader.scalar(keys.get("service")) : "kama-cache",
                    keys.containsKey("leaseTtl") ? reader.convert(keys.get("leaseTtl"), t -> ConfigValues.duration(t, null))
                            : Duration.ofSeconds(10),
                    keys.containsKey("connectTimeout")
                            ? reader.convert(keys.get("connectTimeout"), t -> ConfigValues.duration(t, null))
                            : Duration.ofSeconds(5),
                    keys.containsKey("username") ? reader.scalar(keys.get("username")) : null,
                    keys.containsKey("password") ? reader.scalar(keys.get("password")) : null,
                    keys.containsKey("caCert") ? Path.of(reader.scalar(keys.get("caCert"))) : null,
                    keys.containsKey("clientCert") ? Path.of(reader.scalar(keys.get("clientCert"))) : null,
                    keys.containsKey("clientKey") ? Path.of(reader.scalar(keys.get("clientKey"))) : null);
        } catch (IllegalArgumentException | IllegalStateException e) {
            throw reader.error(section.value(), section.path(), e.getMessage(), e);
        }
    }

    /** The items of a list, each checked by {@code check}, whose error gets the item's line. */
    private List<String> list(NodeReader.Entry entry, UnaryOperator<String> check) {
        List<String> values = new ArrayList<>();
        List<Node> items = reader.sequence(entry);
        for (int i = 0; i < items.size(); i++) {
            String path = entry.path() + "[" + i + "]";
            try {
                values.add(check.apply(reader.item(items.get(i), path)));
            } catch (IllegalArgumentException e) {
                throw reader.error(items.get(i), path, e.getMessage(), e);
            }
        }
        return values;
    }

    private List<String> allowList(NodeReader.Entry section) {
        Map<String, NodeReader.Entry> keys = reader.mapping(section.value(), section.path(), SERIALIZATION_KEYS);
        if (!keys.containsKey("allow")) {
            return List.of();
        }
        // The codec decides what a usable pattern is; asking it here gives the error a line.
        return List.copyOf(list(keys.get("allow"), Codec::checkPattern));
    }

    private Map<String, CacheSettings> caches(NodeReader.Entry section, CacheSettings defaults) {
        Map<String, CacheSettings> caches = new LinkedHashMap<>();
        for (NodeReader.Entry cache : reader.mapping(section.value(), section.path(), null).values()) {
            if (cache.key().isBlank()) {
                throw reader.error(cache.keyNode(), section.path(), "a cache name must not be empty");
            }
            caches.put(cache.key(), cache(cache, defaults, NAMED_CACHE_KEYS));
        }
        return caches;
    }

    /** The settings under {@code section}, each key given overriding the same key of {@code base}. */
    private CacheSettings cache(NodeReader.Entry section, CacheSettings base, List<String> validKeys) {
        Map<String, NodeReader.Entry> keys = reader.mapping(section.value(), section.path(), validKeys);
        return new CacheSettings(
                keys.containsKey("policy") ? reader.convert(keys.get("policy"), PolicyKind::fromName) : base.policy(),
                keys.containsKey("maxBytes") ? reader.convert(keys.get("maxBytes"), ConfigValues::size) : base.maxBytes(),
                keys.containsKey("maxEntries") ? reader.convert(keys.get("maxEntries"), ConfigValues::count) : base.maxEntries(),
                keys.containsKey("expiry") ? expiry(keys.get("expiry"), base.expiry()) : base.expiry(),
                keys.containsKey("statistics") ? reader.convert(keys.get("statistics"), ConfigValues::bool) : base.statistics(),
                keys.containsKey("management") ? reader.convert(keys.get("management"), ConfigValues::bool) : base.management(),
                new CacheClasses(className(keys.get("keyType")), className(keys.get("valueType")),
                        className(keys.get("loader")), className(keys.get("writer"))));
    }

    private ClassName className(NodeReader.Entry entry) {
        return entry == null ? null : reader.className(entry);
    }

    /** Expiry merges per key too, so a cache can change only its access time and keep the default creation time. */
    private ExpirySettings expiry(NodeReader.Entry section, ExpirySettings base) {
        Map<String, NodeReader.Entry> keys = reader.mapping(section.value(), section.path(), EXPIRY_KEYS);
        return new ExpirySettings(
                duration(keys.get("creation"), "eternal", base.creation()),
                duration(keys.get("update"), "unchanged", base.update()),
                duration(keys.get("access"), "unchanged", base.access()));
    }

    private Duration duration(NodeReader.Entry entry, String word, Duration base) {
        return entry == null ? base : reader.convert(entry, text -> ConfigValues.duration(text, word));
    }
}
