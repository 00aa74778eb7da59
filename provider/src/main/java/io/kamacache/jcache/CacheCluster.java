package io.kamacache.jcache;

import com.google.protobuf.ByteString;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.kamacache.Node;
import io.kamacache.codec.Codec;
import io.kamacache.proto.v1.CacheRequest;
import io.kamacache.proto.v1.CreateCacheRequest;
import io.kamacache.proto.v1.EntriesChunk;
import io.kamacache.proto.v1.EntriesRequest;
import io.kamacache.proto.v1.JCacheServiceGrpc;
import io.kamacache.proto.v1.OperationReply;
import io.kamacache.proto.v1.OperationRequest;
import io.kamacache.proto.v1.OptionalValue;
import io.kamacache.remote.PeerChannels;
import io.kamacache.remote.Protocol;

import javax.cache.CacheException;
import javax.cache.configuration.CompleteConfiguration;
import java.util.AbstractMap;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * The caller's side of a clustered cache manager: which node owns a key, and the calls
 * that run operations there ({@code kamacache.v1.JCacheService}). A cache's configuration
 * travels to every member when the cache is created, and again to a member that answers
 * that it does not know the cache (it joined later, or restarted).
 *
 * <p>A member that no longer owns a key in its own view answers UNAVAILABLE before running
 * anything; the caller routes again by its current view, a few times, with a short pause
 * (views differ only while membership changes).
 */
final class CacheCluster {

    /** Marks the NOT_FOUND answer of a member that does not know a cache. */
    static final String UNKNOWN_CACHE = "unknown cache";

    /** Entries per message of an entry listing. */
    static final int ENTRIES_PER_CHUNK = 256;
    /** Attempts for an operation whose owner moved while it travelled. */
    static final int ATTEMPTS = 5;

    private final Node node;
    private final Codec codec;
    private final KamaCacheManager manager;

    CacheCluster(Node node, Codec codec, KamaCacheManager manager) {
        this.node = node;
        this.codec = codec;
        this.manager = manager;
    }

    /** The owner of a key when it is another node, or null when it is this one. */
    String ownerOf(byte[] k) {
        String owner = node.ring().ownerOf(k);
        return owner.equals(node.selfAddress()) ? null : owner;
    }

    /** Every member but this node. */
    List<String> others() {
        List<String> others = new ArrayList<>(node.ring().members());
        others.remove(node.selfAddress());
        return others;
    }

    String self() {
        return node.selfAddress();
    }

    /**
     * Runs an operation at {@code owner}; the outcome carries the events it caused.
     *
     * @throws MovedException when the owner no longer owns a key of it
     * @throws RuntimeException the exception the operation raised at the owner
     */
    <K, V> Outcome run(String owner, String cache, Operation<K, V> operation, int eventMask) {
        OperationRequest request = request(cache, operation, eventMask);
        OperationReply reply;
        try {
            reply = call(owner, request);
        } catch (StatusRuntimeException e) {
            if (!isUnknownCache(e)) {
                throw failure(owner, "run " + operation.op + " on cache '" + cache + "'", e);
            }
            ship(owner, cache);
            try {
                reply = call(owner, request);
            } catch (StatusRuntimeException again) {
                throw failure(owner, "run " + operation.op + " on cache '" + cache + "'", again);
            }
        }
        return outcome(operation, reply);
    }

    private OperationReply call(String owner, OperationRequest request) {
        try {
            return channels().stub(owner, JCacheServiceGrpc::newBlockingStub).run(request);
        } catch (StatusRuntimeException e) {
            if (e.getStatus().getCode() == Status.Code.UNAVAILABLE && e.getStatus().getDescription() != null
                    && e.getStatus().getDescription().startsWith(MovedException.MARK)) {
                throw new MovedException(e.getStatus().getDescription());
            }
            throw e;
        }
    }

    private <K, V> OperationRequest request(String cache, Operation<K, V> operation, int eventMask) {
        OperationRequest.Builder request = OperationRequest.newBuilder()
                .setHeader(Protocol.header(node.selfAddress(), false))
                .setCache(cache)
                .setOp(operation.op)
                .setEventMask(eventMask)
                .setReplaceExisting(operation.replaceExisting);
        if (operation.k != null) {
            request.setKey(ByteString.copyFrom(operation.k));
        }
        if (operation.v != null) {
            request.setValue(ByteString.copyFrom(operation.v));
        }
        if (operation.e != null) {
            request.setExpected(ByteString.copyFrom(operation.e));
        }
        if (operation.processor != null) {
            request.setProcessor(ByteString.copyFrom(codec.encode(operation.processor)));
            for (Object argument : operation.arguments) {
                request.addArguments(ByteString.copyFrom(codec.encode(argument)));
            }
        }
        if (operation.ks != null) {
            operation.ks.forEach(k -> request.addKeys(ByteString.copyFrom(k)));
        }
        if (operation.vs != null) {
            operation.vs.forEach(v -> request.addValues(ByteString.copyFrom(v)));
        }
        return request.build();
    }

    private Outcome outcome(Operation<?, ?> operation, OperationReply reply) {
        Outcome out = new Outcome();
        out.value = bytes(reply.getValue());
        out.flag = reply.getFlag();
        byte[] result = bytes(reply.getResult());
        out.result = result == null ? null : codec.decode(result);
        if (reply.getValuesCount() > 0) {
            out.values = new ArrayList<>(reply.getValuesCount());
            for (OptionalValue value : reply.getValuesList()) {
                out.values.add(bytes(value));
            }
        }
        out.hits = reply.getHits();
        out.misses = reply.getMisses();
        out.puts = reply.getPuts();
        out.removals = reply.getRemovals();
        out.events = reply.getEventsList();
        if (!reply.getFailure().isEmpty()) {
            RuntimeException failure = exception(reply.getFailure().toByteArray());
            if (!operation.isBatch()) {
                throw failure;
            }
            out.failure = failure;
        }
        return out;
    }

    private RuntimeException exception(byte[] bytes) {
        Object decoded = codec.decode(bytes);
        if (decoded instanceof RuntimeException runtime) {
            return runtime;
        }
        if (decoded instanceof Error error) {
            throw error;
        }
        return new CacheException(String.valueOf(decoded), decoded instanceof Throwable t ? t : null);
    }

    /** Every entry {@code member} holds of a cache, read as an access. */
    List<Map.Entry<byte[], byte[]>> entries(String member, String cache) {
        EntriesRequest request = EntriesRequest.newBuilder()
                .setHeader(Protocol.header(node.selfAddress(), false)).setCache(cache).build();
        List<Map.Entry<byte[], byte[]>> entries = new ArrayList<>();
        try {
            Iterator<EntriesChunk> chunks = channels().stub(member, JCacheServiceGrpc::newBlockingStub).entries(request);
            while (chunks.hasNext()) {
                EntriesChunk chunk = chunks.next();
                for (int i = 0; i < chunk.getKeysCount(); i++) {
                    entries.add(new AbstractMap.SimpleImmutableEntry<>(chunk.getKeys(i).toByteArray(),
                            chunk.getValues(i).toByteArray()));
                }
            }
        } catch (StatusRuntimeException e) {
            if (!isUnknownCache(e)) {
                throw failure(member, "list the entries of cache '" + cache + "'", e);
            }
        }
        return entries;
    }

    /** Drops every entry of a cache on every other member. */
    void clear(String cache) {
        for (String member : others()) {
            try {
                channels().stub(member, JCacheServiceGrpc::newBlockingStub).clear(cacheRequest(cache));
            } catch (StatusRuntimeException e) {
                if (!isUnknownCache(e)) {
                    throw failure(member, "clear cache '" + cache + "'", e);
                }
            }
        }
    }

    /** Ships a new cache's configuration to every other member; one that is unreachable gets it on first use. */
    void created(String cache) {
        for (String member : others()) {
            try {
                ship(member, cache);
            } catch (CacheException e) {
                System.getLogger(CacheCluster.class.getName()).log(System.Logger.Level.WARNING, e.getMessage());
            }
        }
    }

    /** Destroys a cache on every other member. */
    void destroyed(String cache) {
        for (String member : others()) {
            try {
                channels().stub(member, JCacheServiceGrpc::newBlockingStub).destroyCache(cacheRequest(cache));
            } catch (StatusRuntimeException e) {
                System.getLogger(CacheCluster.class.getName()).log(System.Logger.Level.WARNING,
                        failure(member, "destroy cache '" + cache + "'", e).getMessage());
            }
        }
    }

    private void ship(String member, String cache) {
        CompleteConfiguration<?, ?> configuration = manager.shippedConfiguration(cache);
        if (configuration == null) {
            throw new IllegalStateException("cache '" + cache + "' is closed");
        }
        byte[] bytes;
        try {
            bytes = codec.encode(configuration);
        } catch (RuntimeException e) {
            throw new CacheException("the configuration of cache '" + cache + "' cannot travel to the other nodes: "
                    + "its factories must be serializable and allowed by serialization.allow (" + e.getMessage() + ")", e);
        }
        try {
            channels().stub(member, JCacheServiceGrpc::newBlockingStub).createCache(CreateCacheRequest.newBuilder()
                    .setHeader(Protocol.header(node.selfAddress(), false))
                    .setCache(cache)
                    .setConfiguration(ByteString.copyFrom(bytes))
                    .build());
        } catch (StatusRuntimeException e) {
            throw failure(member, "create cache '" + cache + "'", e);
        }
    }

    private CacheRequest cacheRequest(String cache) {
        return CacheRequest.newBuilder().setHeader(Protocol.header(node.selfAddress(), false)).setCache(cache).build();
    }

    private PeerChannels channels() {
        return node.peerChannels();
    }

    private static boolean isUnknownCache(StatusRuntimeException e) {
        String description = e.getStatus().getDescription();
        return e.getStatus().getCode() == Status.Code.NOT_FOUND && description != null
                && description.startsWith(UNKNOWN_CACHE);
    }

    private static CacheException failure(String member, String what, StatusRuntimeException e) {
        String description = e.getStatus().getDescription();
        return new CacheException("node " + member + " could not " + what + ": " + e.getStatus().getCode()
                + (description == null ? "" : ": " + description), e);
    }

    private static byte[] bytes(OptionalValue value) {
        return value.getPresent() ? value.getValue().toByteArray() : null;
    }

    /** The member asked no longer owns a key of the operation; nothing ran. */
    static final class MovedException extends RuntimeException {

        static final String MARK = "not the owner: ";
        private static final long serialVersionUID = 1L;

        MovedException(String message) {
            super(message, null, false, false);
        }
    }
}
