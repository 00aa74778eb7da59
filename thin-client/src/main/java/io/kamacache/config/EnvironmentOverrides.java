package io.kamacache.config;

import org.snakeyaml.engine.v2.common.FlowStyle;
import org.snakeyaml.engine.v2.common.ScalarStyle;
import org.snakeyaml.engine.v2.nodes.MappingNode;
import org.snakeyaml.engine.v2.nodes.Node;
import org.snakeyaml.engine.v2.nodes.NodeTuple;
import org.snakeyaml.engine.v2.nodes.ScalarNode;
import org.snakeyaml.engine.v2.nodes.SequenceNode;
import org.snakeyaml.engine.v2.nodes.Tag;

import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Environment variables over a configuration file, for containers. Every key has one
 * variable: {@code KAMACACHE_} and the key's path, with dots and the word breaks of
 * camelCase turned into underscores, in capitals ({@code node.address} is
 * {@code KAMACACHE_NODE_ADDRESS}, {@code cluster.etcd.leaseTtl} is
 * {@code KAMACACHE_CLUSTER_ETCD_LEASE_TTL}, and {@code caches.users.maxBytes} is
 * {@code KAMACACHE_CACHES_USERS_MAX_BYTES} for a cache the file names). A list takes
 * comma-separated items. A variable replaces the file's value, or adds the key where the
 * file has none; its value is checked like the file's, and an error names the variable.
 */
final class EnvironmentOverrides {

    static final String PREFIX = "KAMACACHE_";

    private static final List<String> LIST_KEYS = List.of("cluster.peers", "cluster.etcd.endpoints", "serialization.allow");
    private static final List<String> SCALAR_KEYS = List.of("mode", "node.address", "node.hashFunction",
            "node.virtualNodes", "cluster.rpcTimeout", "cluster.maxMessageBytes", "cluster.replySpin", "cluster.token",
            "cluster.tls.ca", "cluster.tls.cert", "cluster.tls.key", "cluster.tls.clientAuth", "cluster.etcd.service",
            "cluster.etcd.leaseTtl", "cluster.etcd.connectTimeout", "cluster.etcd.username", "cluster.etcd.password",
            "cluster.etcd.caCert", "cluster.etcd.clientCert", "cluster.etcd.clientKey", "server.lib",
            "http.port", "http.tls.cert", "http.tls.key", "grpc.port");
    private static final List<String> CACHE_KEYS = List.of("policy", "maxBytes", "maxEntries", "expiry.creation",
            "expiry.update", "expiry.access", "statistics", "management");

    private EnvironmentOverrides() {
    }

    /** The variable that overrides the key at {@code path}. */
    static String variable(String path) {
        return PREFIX + path.replaceAll("([a-z0-9])([A-Z])", "$1_$2").replace('.', '_').toUpperCase(Locale.ROOT);
    }

    /**
     * Applies the variables of {@code environment} to the composed file ({@code root} may be
     * null for an empty file) and returns the root to read; {@code origins} learns which
     * variable each new value came from.
     */
    static Node apply(Node root, Map<String, String> environment, Map<Node, String> origins) {
        Map<String, Boolean> keys = new LinkedHashMap<>(); // path -> is a list
        SCALAR_KEYS.forEach(path -> keys.put(path, false));
        LIST_KEYS.forEach(path -> keys.put(path, true));
        CACHE_KEYS.forEach(key -> keys.put("cacheDefaults." + key, false));
        if (root instanceof MappingNode mapping) {
            Node named = child(mapping, "caches");
            if (named instanceof MappingNode cacheNodes) {
                for (NodeTuple cache : cacheNodes.getValue()) {
                    if (cache.getKeyNode() instanceof ScalarNode name) {
                        Stream.concat(CACHE_KEYS.stream(), ConfigParser.CLASS_KEYS.stream())
                                .forEach(key -> keys.put("caches." + name.getValue() + "." + key, false));
                    }
                }
            }
        }
        Node result = root;
        for (Map.Entry<String, Boolean> key : keys.entrySet()) {
            String variable = variable(key.getKey());
            String value = environment.get(variable);
            if (value == null) {
                continue;
            }
            if (!(result instanceof MappingNode)) {
                result = new MappingNode(Tag.MAP, new ArrayList<>(), FlowStyle.BLOCK);
            }
            Node node = key.getValue() ? list(value) : scalar(value);
            origins.put(node, variable);
            if (node instanceof SequenceNode sequence) {
                sequence.getValue().forEach(item -> origins.put(item, variable));
            }
            set((MappingNode) result, key.getKey().split("\\."), node);
        }
        return result;
    }

    private static Node scalar(String value) {
        return new ScalarNode(Tag.STR, value, ScalarStyle.PLAIN);
    }

    private static Node list(String value) {
        List<Node> items = new ArrayList<>();
        for (String item : value.split(",")) {
            if (!item.isBlank()) {
                items.add(scalar(item.trim()));
            }
        }
        return new SequenceNode(Tag.SEQ, items, FlowStyle.FLOW);
    }

    /** Puts {@code value} at {@code path}, making the mappings on the way where the file has none. */
    private static void set(MappingNode mapping, String[] path, Node value) {
        MappingNode current = mapping;
        for (int i = 0; i < path.length - 1; i++) {
            Node next = child(current, path[i]);
            if (!(next instanceof MappingNode)) {
                next = new MappingNode(Tag.MAP, new ArrayList<>(), FlowStyle.BLOCK);
                put(current, path[i], next);
            }
            current = (MappingNode) next;
        }
        put(current, path[path.length - 1], value);
    }

    private static void put(MappingNode mapping, String key, Node value) {
        List<NodeTuple> tuples = new ArrayList<>(mapping.getValue());
        tuples.removeIf(tuple -> tuple.getKeyNode() instanceof ScalarNode name && name.getValue().equals(key));
        tuples.add(new NodeTuple(scalar(key), value));
        mapping.setValue(tuples);
    }

    private static Node child(MappingNode mapping, String key) {
        for (NodeTuple tuple : mapping.getValue()) {
            if (tuple.getKeyNode() instanceof ScalarNode name && name.getValue().equals(key)) {
                return tuple.getValueNode();
            }
        }
        return null;
    }

    /** An identity map for {@link #apply}'s origins. */
    static Map<Node, String> origins() {
        return new IdentityHashMap<>();
    }
}
