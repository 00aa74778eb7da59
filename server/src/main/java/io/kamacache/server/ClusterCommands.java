package io.kamacache.server;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.google.protobuf.ByteString;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.kamacache.GroupStats;
import io.kamacache.codec.Codec;
import io.kamacache.config.ClusterSettings;
import io.kamacache.config.ConfigException;
import io.kamacache.config.KamaConfig;
import io.kamacache.config.NodeSettings;
import io.kamacache.discovery.EtcdMembership;
import io.kamacache.discovery.Membership;
import io.kamacache.discovery.MembershipException;
import io.kamacache.proto.v1.CacheDescription;
import io.kamacache.proto.v1.HealthRequest;
import io.kamacache.proto.v1.JCacheServiceGrpc;
import io.kamacache.proto.v1.ListCachesRequest;
import io.kamacache.proto.v1.Op;
import io.kamacache.proto.v1.OperationReply;
import io.kamacache.proto.v1.OperationRequest;
import io.kamacache.proto.v1.RequestHeader;
import io.kamacache.remote.PeerChannels;
import io.kamacache.remote.Protocol;
import io.kamacache.ring.HashRing;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The {@code kamacache} commands that talk to a running cluster as a client: {@code get},
 * {@code put}, {@code delete}, {@code groups}, {@code stats}, {@code nodes} and {@code owner}. Each finds the
 * servers through {@code --server} addresses or {@code --etcd}, sends what it asks straight
 * to the key's owner over gRPC (never registering, never creating a group), prints a table
 * or, with {@code --json}, one JSON document, and exits 0; on an error it prints what went
 * wrong on standard error and exits 1 (2 for a bad command line).
 */
@Command(name = "cluster-commands", description = "holds the client commands; each is a subcommand of kamacache")
final class ClusterCommands {

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    /** Where the cluster is and how to print; shared by every command. */
    static final class Target {
        @Option(names = "--server", split = ",", paramLabel = "HOST:PORT",
                description = "a server's gRPC address (repeat or separate with commas)")
        List<String> servers = new ArrayList<>();

        @Option(names = "--etcd", split = ",", paramLabel = "URL",
                description = "etcd client URLs, such as http://127.0.0.1:2379, instead of --server")
        List<String> etcd = new ArrayList<>();

        @Option(names = "--service", defaultValue = "kama-cache", paramLabel = "NAME",
                description = "the cluster's name in etcd (default: ${DEFAULT-VALUE})")
        String service;

        @Option(names = "--config", paramLabel = "FILE",
                description = "a configuration file: the node.hashFunction and node.virtualNodes the servers share, "
                        + "and the cluster.token and cluster.tls to call them with")
        Path config;

        @Option(names = "--timeout", defaultValue = "5", paramLabel = "SECONDS",
                description = "deadline of every call (default: ${DEFAULT-VALUE} s)")
        long timeoutSeconds;

        @Option(names = "--json", description = "print JSON instead of a table")
        boolean json;

        @Option(names = "--token", defaultValue = "${env:KAMACACHE_CLUSTER_TOKEN}", paramLabel = "SECRET",
                description = "the cluster's token (cluster.token), when it has one; default: $KAMACACHE_CLUSTER_TOKEN")
        String token;
    }

    @Command(name = "get", mixinStandardHelpOptions = true,
            description = "Prints a key's value (on its last line), read through the group's loader on a miss.")
    static int get(@Mixin Target target,
            @Option(names = "--group", required = true, paramLabel = "GROUP", description = "the group (cache) name") String group,
            @Parameters(paramLabel = "KEY") String key) {
        return run(target, cluster -> {
            OperationReply reply = cluster.run(group, Op.GET, key, null);
            if (reply.getValue().isEmpty()) { // none: no encoding is empty
                throw new Failure("no key '" + key + "' in group '" + group + "'");
            }
            String value = cluster.text(reply.getValue().toByteArray());
            if (target.json) {
                print(Map.of("group", group, "key", key, "value", value));
            } else {
                System.out.println(value);
            }
        });
    }

    @Command(name = "put", mixinStandardHelpOptions = true,
            description = "Stores a value: as text in a group of String values, as UTF-8 bytes otherwise.")
    static int put(@Mixin Target target,
            @Option(names = "--group", required = true, paramLabel = "GROUP", description = "the group (cache) name") String group,
            @Parameters(index = "0", paramLabel = "KEY") String key,
            @Parameters(index = "1", paramLabel = "VALUE") String value) {
        return run(target, cluster -> {
            CacheDescription description = cluster.group(group);
            Object stored = description.getValueType().equals(String.class.getName()) ? value
                    : value.getBytes(StandardCharsets.UTF_8);
            cluster.run(group, Op.PUT, key, stored);
            if (target.json) {
                print(Map.of("group", group, "key", key, "stored", true));
            } else {
                System.out.println("stored " + key + " in " + group);
            }
        });
    }

    @Command(name = "delete", mixinStandardHelpOptions = true, description = "Removes a key.")
    static int delete(@Mixin Target target,
               @Option(names = "--group", required = true, paramLabel = "GROUP", description = "the group (cache) name") String group,
               @Parameters(paramLabel = "KEY") String key) {
        return run(target, cluster -> {
            if (!cluster.run(group, Op.REMOVE, key, null).getFlag()) {
                throw new Failure("no key '" + key + "' in group '" + group + "'");
            }
            if (target.json) {
                print(Map.of("group", group, "key", key, "deleted", true));
            } else {
                System.out.println("deleted " + key + " from " + group);
            }
        });
    }

    @Command(name = "groups", mixinStandardHelpOptions = true, description = "Lists the groups and their settings.")
    static int groups(@Mixin Target target) {
        return run(target, cluster -> {
            List<Map<String, Object>> rows = new ArrayList<>();
            for (CacheDescription cache : cluster.caches()) {
                Map<String, Object> row = new LinkedHashMap<>();
                row.put("name", cache.getName());
                row.put("policy", cache.getSettings().getPolicy());
                row.put("maxBytes", cache.getSettings().getMaxBytes());
                row.put("maxEntries", cache.getSettings().getMaxEntries());
                row.put("keyType", cache.getKeyType());
                row.put("valueType", cache.getValueType());
                rows.add(row);
            }
            table(target, rows);
        });
    }

    @Command(name = "stats", mixinStandardHelpOptions = true,
            description = "Prints each group's counters summed over every server: gets, hits, loads, evictions, entries, bytes.")
    static int stats(@Mixin Target target,
                     @Option(names = "--group", paramLabel = "GROUP", description = "only this group") String only) {
        return run(target, cluster -> {
            ClusterCounters counters = ClusterCounters.collect(cluster.channels, cluster.header, cluster.ring.members());
            if (!counters.unanswered().isEmpty()) { // a sum without some servers' parts would mislead
                List<String> reasons = new ArrayList<>();
                counters.unanswered().forEach((server, reason) -> reasons.add(server + " answered " + reason));
                throw new Failure(String.join("; ", reasons));
            }
            Map<String, GroupStats> groups = new TreeMap<>(counters.groups());
            if (only != null) {
                groups.keySet().retainAll(Set.of(only));
                if (groups.isEmpty()) {
                    throw new Failure("no group '" + only + "'");
                }
            }
            List<Map<String, Object>> rows = new ArrayList<>();
            groups.forEach((name, sum) -> {
                Map<String, Object> row = new LinkedHashMap<>();
                row.put("name", name);
                row.putAll(ClusterCounters.fields(sum));
                row.put("hitRatio", sum.gets() == 0 ? "-" : String.format("%.1f%%", 100 * sum.hitRatio()));
                rows.add(row);
            });
            table(target, rows);
        });
    }

    @Command(name = "nodes", mixinStandardHelpOptions = true, description = "Lists the servers and their share of the keys.")
    static int nodes(@Mixin Target target) {
        return run(target, cluster -> {
            List<Map<String, Object>> rows = new ArrayList<>();
            new TreeMap<>(cluster.ring.shares()).forEach((address, share) -> {
                Map<String, Object> row = new LinkedHashMap<>();
                row.put("address", address);
                row.put("share", String.format("%.1f%%", share * 100));
                rows.add(row);
            });
            table(target, rows);
        });
    }

    @Command(name = "owner", mixinStandardHelpOptions = true, description = "Prints the server that owns a key.")
    static int owner(@Mixin Target target, @Parameters(paramLabel = "KEY") String key) {
        return run(target, cluster -> {
            String owner = cluster.ownerOf(key);
            if (target.json) {
                print(Map.of("key", key, "owner", owner));
            } else {
                System.out.println(owner);
            }
        });
    }

    private interface Work {
        void run(Cluster cluster) throws Exception;
    }

    /** A command's failure, already worded for the person who ran it. */
    private static final class Failure extends RuntimeException {
        Failure(String message) {
            super(message);
        }
    }

    private static int run(Target target, Work work) {
        try (Cluster cluster = Cluster.open(target)) {
            work.run(cluster);
            return 0;
        } catch (Failure | ConfigException | MembershipException | IllegalArgumentException e) {
            return fail(e.getMessage());
        } catch (StatusRuntimeException e) {
            return fail(ClusterCounters.describe(e.getStatus()));
        } catch (Exception e) {
            return fail(e.toString());
        }
    }

    private static int fail(String message) {
        System.err.println("kamacache: " + message);
        return 1;
    }

    private static void print(Object document) throws JsonProcessingException {
        System.out.println(JSON.writeValueAsString(document));
    }

    /** Rows as a table with a header of their keys, or as a JSON array. */
    private static void table(Target target, List<Map<String, Object>> rows) throws JsonProcessingException {
        if (target.json) {
            print(rows);
            return;
        }
        if (rows.isEmpty()) {
            System.out.println("(none)");
            return;
        }
        List<String> columns = new ArrayList<>(rows.get(0).keySet());
        int[] widths = new int[columns.size()];
        for (int i = 0; i < columns.size(); i++) {
            widths[i] = columns.get(i).length();
            for (Map<String, Object> row : rows) {
                widths[i] = Math.max(widths[i], String.valueOf(row.get(columns.get(i))).length());
            }
        }
        PrintStream out = System.out;
        StringBuilder header = new StringBuilder();
        for (int i = 0; i < columns.size(); i++) {
            header.append(String.format("%-" + (widths[i] + 2) + "s", columns.get(i).toUpperCase()));
        }
        out.println(header.toString().stripTrailing());
        for (Map<String, Object> row : rows) {
            StringBuilder line = new StringBuilder();
            for (int i = 0; i < columns.size(); i++) {
                line.append(String.format("%-" + (widths[i] + 2) + "s", row.get(columns.get(i))));
            }
            out.println(line.toString().stripTrailing());
        }
    }

    /** The servers as a client sees them: their ring and a channel to each. */
    private static final class Cluster implements AutoCloseable {
        private final Membership membership;
        private final HashRing ring;
        private final PeerChannels channels;
        private final RequestHeader header;
        private final Codec codec = Codec.create(List.of(), ClusterCommands.class.getClassLoader());

        /** @param membership the etcd watch, or null for servers given by address */
        private Cluster(Membership membership, HashRing ring, PeerChannels channels, RequestHeader header) {
            this.membership = membership;
            this.ring = ring;
            this.channels = channels;
            this.header = header;
        }

        static Cluster open(Target target) {
            if (target.servers.isEmpty() == target.etcd.isEmpty()) {
                throw new Failure("say where the cluster is: --server HOST:PORT or --etcd URL (one of them)");
            }
            KamaConfig config = target.config == null ? KamaConfig.defaults()
                    : KamaConfig.load(target.config.toAbsolutePath().toUri(), null, Map.of());
            NodeSettings node = config.node();
            Duration timeout = Duration.ofSeconds(target.timeoutSeconds);
            String token = target.token == null || target.token.isEmpty() ? config.cluster().token() : target.token;
            PeerChannels channels = new PeerChannels(new ClusterSettings(List.of(), null, timeout, 64 << 20, Duration.ZERO,
                    token, config.cluster().tls()));
            RequestHeader header = Protocol.clientHeader("cli " + UUID.randomUUID());
            Membership membership = null;
            try {
                Set<String> members;
                if (target.servers.isEmpty()) {
                    membership = EtcdMembership.builder().endpoints(target.etcd).serviceName(target.service)
                            .connectTimeout(timeout).build();
                    AtomicReference<Set<String>> view = new AtomicReference<>();
                    membership.observe(view::set);
                    members = view.get();
                } else {
                    target.servers.forEach(NodeSettings::checkAddress);
                    members = membersSeenBy(target.servers, channels, header);
                }
                if (members.isEmpty()) {
                    throw new Failure("no server is up: " + membership + " lists none");
                }
                HashRing ring = HashRing.of(members, node.hashFunction(), node.virtualNodes());
                return new Cluster(membership, ring, channels, header);
            } catch (RuntimeException e) {
                channels.close();
                if (membership != null) {
                    membership.close();
                }
                throw e;
            }
        }

        /** The members as the first of {@code servers} that answers sees them. */
        private static Set<String> membersSeenBy(List<String> servers, PeerChannels channels, RequestHeader header) {
            StatusRuntimeException last = null;
            for (String server : servers) {
                try {
                    return Set.copyOf(channels.blocking(server).health(HealthRequest.newBuilder().setHeader(header).build())
                            .getMembersList());
                } catch (StatusRuntimeException e) {
                    last = e;
                }
            }
            throw new Failure("no server answered (" + String.join(", ", servers) + "): "
                    + ClusterCounters.describe(last.getStatus()));
        }

        String ownerOf(String key) {
            return KeyOwner.of(ring, key);
        }

        /** Runs an operation on {@code key} at its owner. */
        OperationReply run(String group, Op op, String key, Object value) {
            OperationRequest.Builder request = OperationRequest.newBuilder().setHeader(header).setCache(group).setOp(op)
                    .setKey(ByteString.copyFrom(codec.encode(key)));
            if (value != null) {
                request.setValue(ByteString.copyFrom(codec.encode(value)));
            }
            String owner = ownerOf(key);
            try {
                OperationReply reply = channels.run(owner, request.build());
                if (!reply.getFailure().isEmpty()) {
                    throw new Failure(group + ": " + codec.decode(reply.getFailure().toByteArray()));
                }
                return reply;
            } catch (StatusRuntimeException e) {
                if (e.getStatus().getCode() == Status.Code.NOT_FOUND) {
                    throw new Failure("no group '" + group + "' on " + owner);
                }
                throw new Failure(owner + " answered " + ClusterCounters.describe(e.getStatus()));
            }
        }

        /** What the first server that answers says of its caches. */
        List<CacheDescription> caches() {
            StatusRuntimeException last = null;
            for (String server : ring.members()) {
                try {
                    return listCaches(server);
                } catch (StatusRuntimeException e) {
                    last = e;
                }
            }
            throw new Failure("no server answered: " + ClusterCounters.describe(last.getStatus()));
        }

        private List<CacheDescription> listCaches(String server) {
            return channels.stub(server, JCacheServiceGrpc::newBlockingStub)
                    .listCaches(ListCachesRequest.newBuilder().setHeader(header).build()).getCachesList();
        }

        CacheDescription group(String group) {
            return caches().stream().filter(cache -> cache.getName().equals(group)).findFirst()
                    .orElseThrow(() -> new Failure("no group '" + group + "'"));
        }

        /** A value as text: bytes as UTF-8, anything else as its string form. */
        String text(byte[] encoded) {
            Object value = codec.decode(encoded);
            return value instanceof byte[] bytes ? new String(bytes, StandardCharsets.UTF_8) : String.valueOf(value);
        }

        @Override
        public void close() {
            channels.close();
            if (membership != null) {
                membership.close();
            }
        }
    }
}
