package io.kamacache.jcache;

import com.google.protobuf.ByteString;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.kamacache.codec.Codec;
import io.kamacache.codec.CodecException;
import io.kamacache.config.CacheSettings;
import io.kamacache.proto.v1.CacheRequest;
import io.kamacache.proto.v1.CreateCacheRequest;
import io.kamacache.proto.v1.Event;
import io.kamacache.proto.v1.EventsRequest;
import io.kamacache.proto.v1.JCacheServiceGrpc;
import io.kamacache.proto.v1.KeysChunk;
import io.kamacache.proto.v1.KeysRequest;
import io.kamacache.proto.v1.ListenRequest;
import io.kamacache.proto.v1.Op;
import io.kamacache.proto.v1.OperationReply;
import io.kamacache.proto.v1.OperationRequest;
import io.kamacache.proto.v1.ReconfigureCacheRequest;
import io.kamacache.proto.v1.RequestHeader;
import io.kamacache.remote.MessagePieces;
import io.kamacache.remote.PeerChannels;
import io.kamacache.remote.Protocol;
import io.kamacache.remote.ReceivedBytes;
import io.kamacache.remote.SentBytes;
import io.kamacache.remote.SentCall;
import io.kamacache.ring.HashRing;

import javax.cache.CacheException;
import javax.cache.configuration.CompleteConfiguration;
import javax.cache.configuration.Configuration;
import javax.cache.configuration.MutableConfiguration;
import javax.cache.event.EventType;
import javax.cache.processor.EntryProcessorException;
import java.nio.channels.ClosedChannelException;
import java.util.ArrayList;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.function.Consumer;
import java.util.function.Supplier;
import java.util.function.ToLongFunction;
import java.util.stream.Collectors;

/**
 * The caller's side of a clustered cache manager: which node owns a key, and the calls
 * that run operations there ({@code kamacache.v1.JCacheService}). A cache's configuration
 * travels to every member when the cache is created, and again to a member that answers
 * that it does not know the cache (it joined later, or restarted).
 *
 * <p>A member that no longer owns a key in its own view answers UNAVAILABLE before running
 * anything; the caller routes again by its current view, a few times, with a short pause
 * (views differ only while membership changes). An owner that stops answering, or answers
 * that it is leaving (it hands its entries over before it leaves its membership), is waited
 * for until the membership drops it (etcd: within its lease TTL), and the operation then
 * goes to the key's new owner: a write may so reach the writer twice, never be lost.
 *
 * <p>Listeners hear every operation, wherever it was called: each node tells the others
 * which event types its listeners of a cache want, and an owner sends the events of what it
 * ran to every node that wants them (the caller has them in its reply already), one queue
 * per node, after the operation: a listener on another node hears it asynchronously. A
 * client, which has no address to be sent to, opens an event stream from each server
 * instead ({@link EventSubscriptions}); the server sends its events down that stream.
 */
final class CacheCluster {

    private static final System.Logger LOG = System.getLogger(CacheCluster.class.getName());

    /** Marks the NOT_FOUND answer of a member that does not know a cache. */
    static final String UNKNOWN_CACHE = "unknown cache";
    /**
     * Marks the UNAVAILABLE answer of a member that is handing its entries over as it leaves:
     * like a member that does not answer, it is waited for until the membership drops it.
     */
    static final String LEAVING = "leaving: ";

    /** Keys per message of a key listing. */
    static final int KEYS_PER_CHUNK = 1024;
    /** Attempts for an operation whose owner moved while it travelled. */
    static final int ATTEMPTS = 5;

    private final CacheNode node;
    private final Codec codec;
    private final KamaCacheManager manager;
    private final Executor executor;
    /** Per cache, the event types each other member's listeners want. */
    private final Map<String, Map<String, Integer>> listening = new ConcurrentHashMap<>();
    /** Per member or client with an event stream from here, the events on their way to it. */
    private final Map<String, EventOutbox> outboxes = new ConcurrentHashMap<>();
    /** Per owner that sends this JVM's listeners events, how far they have them. */
    private final Map<String, EventInbox> inboxes = new ConcurrentHashMap<>();
    /** Per member or client that listens here, the largest message it takes in, when it told. */
    private final Map<String, Integer> messageLimits = new ConcurrentHashMap<>();
    /** Who this JVM's requests come from: the node's address, or a client's id. */
    private final RequestHeader header;
    /** This JVM's event streams from the other members. */
    private final EventSubscriptions subscriptions;

    /** How long a call to an owner that stopped answering waits for the membership to drop it. */
    private final Duration failoverWait;

    /**
     * @param failoverWait how long membership takes to notice a dead node (etcd: its lease
     *                     TTL and a call deadline; zero for static peers, which never change)
     */
    CacheCluster(CacheNode node, Codec codec, KamaCacheManager manager, Executor executor, Duration failoverWait) {
        this.node = node;
        this.codec = codec;
        this.manager = manager;
        this.executor = executor;
        this.failoverWait = failoverWait;
        RequestHeader sender = node.isClient() ? Protocol.clientHeader(UUID.randomUUID().toString())
                : Protocol.header(node.selfAddress(), false);
        this.header = sender.toBuilder().setMaxMessageBytes(node.channels().maxMessageBytes()).build();
        this.subscriptions = new EventSubscriptions(node, header, manager::listenerMasks, this::received,
                this::inbox, executor);
    }

    /** The owner of a key when it is another node, or null when it is this one. */
    String ownerOf(byte[] k) {
        return ownerOf(ring(), k);
    }

    /** The ring this node routes by now: route the keys of one operation by one ring. */
    HashRing ring() {
        return node.ring();
    }

    /** The owner of a key in {@code ring} when it is another node, or null when it is this one. */
    String ownerOf(HashRing ring, byte[] k) {
        if (ring.isEmpty()) {
            throw new CacheException("no server is up: the membership (" + node + ") lists none to send keys to");
        }
        String owner = ring.ownerOf(k);
        return owner.equals(node.selfAddress()) ? null : owner;
    }

    /** Every member but this node. */
    List<String> others() {
        List<String> others = new ArrayList<>(node.ring().members());
        others.remove(node.selfAddress());
        return others;
    }


    /**
     * Sends an operation to {@code owner}, chosen by {@code ring}, without waiting for its
     * answer, so that a batch reaches all its owners before it waits for any;
     * {@link #outcome(Sent)} waits for it.
     */
    <K, V> Sent<K, V> send(String owner, HashRing ring, String cache, Operation<K, V> operation, int eventMask) {
        OperationRequest request = request(ring, cache, operation, eventMask);
        return new Sent<>(owner, cache, operation, request, sendOnce(owner, request));
    }

    /**
     * Waits for the answer to an operation sent, and with {@code awaitEvents} (this JVM has
     * synchronous listeners of the cache) until its events, sent beside it, have reached
     * them; the outcome carries the events that came in the reply instead.
     *
     * @throws MovedException when the owner no longer owns a key of it
     * @throws RuntimeException the exception the operation raised at the owner
     */
    <K, V> Outcome outcome(Sent<K, V> sent, boolean awaitEvents) {
        OperationReply reply = knowingCache(sent.owner, sent.cache, () -> answer(sent.owner, sent.take()),
                () -> "run " + sent.operation.op + " on cache '" + sent.cache + "'");
        if (awaitEvents && reply.getEventsThrough() > 0 && !inbox(sent.owner).awaitTaken(reply.getEventOutbox(),
                reply.getEventsThrough(), System.nanoTime() + channels().deadline().toNanos())) {
            LOG.log(System.Logger.Level.WARNING, "the events of a call to " + sent.owner + " on cache '" + sent.cache
                    + "' did not reach the listeners here within " + channels().deadline());
        }
        return outcome(sent.operation, reply);
    }

    /** A call on the owner's stream, or one that fails as it failed to be sent. */
    private SentCall sendOnce(String owner, OperationRequest request) {
        try {
            return channels().send(owner, request);
        } catch (StatusRuntimeException e) {
            return SentCall.failed(e);
        }
    }

    /**
     * Waits until every operation of {@code sent} is answered (or out of time) before their
     * outcomes are taken one by one, so that the caller wakes once rather than once per
     * owner; see {@link SentCall#awaitAll}.
     */
    static void awaitAnswers(List<? extends Sent<?, ?>> sent) {
        List<SentCall> calls = new ArrayList<>(sent.size());
        for (Sent<?, ?> part : sent) {
            if (part.call != null) {
                calls.add(part.call);
            }
        }
        SentCall.awaitAll(calls);
    }

    /**
     * An operation sent to its owner: the call awaiting its answer, then, should the owner
     * turn out not to know the cache, a call sent anew once it has been shipped the cache.
     */
    final class Sent<K, V> {
        private final String owner;
        private final String cache;
        private final Operation<K, V> operation;
        private final OperationRequest request;
        private SentCall call;

        private Sent(String owner, String cache, Operation<K, V> operation, OperationRequest request, SentCall call) {
            this.owner = owner;
            this.cache = cache;
            this.operation = operation;
            this.request = request;
            this.call = call;
        }

        Operation<K, V> operation() {
            return operation;
        }

        /** The call to await: the one sent first, then each time a new one. */
        private SentCall take() {
            SentCall first = call;
            call = null;
            return first != null ? first : sendOnce(owner, request);
        }
    }

    /**
     * Makes a call about {@code cache} to {@code member}; a member that does not know the
     * cache yet is shipped it and called once more.
     *
     * @throws CacheException naming the member and {@code what} was asked of it, when it refused
     */
    private <T> T knowingCache(String member, String cache, Supplier<T> call, Supplier<String> what) {
        try {
            return call.get();
        } catch (StatusRuntimeException e) {
            if (!isUnknownCache(e)) {
                throw failure(member, what.get(), e);
            }
            ship(member, shipment(cache, true));
            try {
                return call.get();
            } catch (StatusRuntimeException again) {
                throw failure(member, what.get(), again);
            }
        }
    }

    private OperationReply answer(String owner, SentCall call) {
        try {
            return call.await();
        } catch (StatusRuntimeException e) {
            String description = e.getStatus().getDescription();
            if (e.getStatus().getCode() == Status.Code.UNAVAILABLE && description != null
                    && description.startsWith(MovedException.MARK)) {
                throw new MovedException(description);
            }
            if (isUnreachable(e) && awaitDeparture(owner)) {
                throw new MovedException("node " + owner + " stopped answering and left the cluster");
            }
            throw e;
        }
    }

    /**
     * Whether the call failed for want of an answer. A connection that closes under a call
     * surfaces as UNKNOWN with the channel's ClosedChannelException as its cause.
     */
    private static boolean isUnreachable(StatusRuntimeException e) {
        Status.Code code = e.getStatus().getCode();
        return code == Status.Code.UNAVAILABLE || code == Status.Code.DEADLINE_EXCEEDED
                || code == Status.Code.UNKNOWN && e.getCause() instanceof ClosedChannelException;
    }

    /**
     * Waits, up to the failover wait, for the membership to drop a node that stopped
     * answering; then its keys have new owners and the operation can go there.
     */
    private boolean awaitDeparture(String owner) {
        long deadline = System.nanoTime() + failoverWait.toNanos();
        while (node.ring().members().contains(owner)) {
            if (System.nanoTime() >= deadline) {
                return false;
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
        return true;
    }

    /**
     * How many bytes of keys, values and entry processor one message of an operation on
     * {@code cache} carries: the message limit (cluster.maxMessageBytes) less room for
     * the rest of the message.
     */
    long room(String cache) {
        return room(cache, channels().maxMessageBytes());
    }

    private static long room(String cache, int maxMessageBytes) {
        return maxMessageBytes - MessagePieces.ENVELOPE_BYTES - 3L * cache.length();
    }

    /** How much a message to each owner of one batch has room for; see {@link Rooms}. */
    Rooms rooms(String cache) {
        return new Rooms(cache);
    }

    /**
     * The room in a message to each owner of one batch on {@code cache}: {@link #room},
     * or less for an owner that takes in less than this node sends (each member sets its own
     * cluster.maxMessageBytes, and tells it in answer to the hello of a stream to it). An
     * owner that could not be asked is given this node's room, and its parts fail as a call
     * to it would, without another wait.
     */
    final class Rooms {
        private final String cache;
        private Map<String, StatusRuntimeException> unasked; // made on the first failure: most batches have none

        private Rooms(String cache) {
            this.cache = cache;
        }

        /** The room in a message to {@code owner}; the first time, waits for its answer to the hello, up to the deadline. */
        long of(String owner) {
            try {
                return room(cache, channels().messageLimit(owner, header));
            } catch (StatusRuntimeException e) {
                if (unasked == null) {
                    unasked = new HashMap<>();
                }
                unasked.put(owner, e);
                return room(cache);
            }
        }

        /** {@link CacheCluster#send}, or for an owner that could not be asked its failure, as if sent. */
        <K, V> Sent<K, V> send(String owner, HashRing ring, Operation<K, V> operation, int eventMask) {
            StatusRuntimeException failure = unasked == null ? null : unasked.get(owner);
            return failure == null ? CacheCluster.this.send(owner, ring, cache, operation, eventMask)
                    : new Sent<>(owner, cache, operation, request(ring, cache, operation, eventMask),
                            SentCall.failed(failure));
        }
    }

    /**
     * Notes the largest message {@code member} (a node, or a client by its origin) takes
     * in, as its request header told (0: not told), so that the events sent to it fit.
     */
    void messageLimit(String member, int maxMessageBytes) {
        if (maxMessageBytes > 0) {
            messageLimits.put(member, maxMessageBytes);
        }
    }

    /**
     * The refusal of an operation on {@code key} that would carry {@code bytes} in one
     * message to its owner, more than {@link #room} allows. An operation in a cluster is
     * checked whoever owns its keys, this node too, so that whether it works does not
     * depend on where they lie (and an entry this node keeps can still travel to a reader
     * or a new owner).
     *
     * @param what what travels with the key, or null for nothing ({@link Operation#carried})
     * @return the exception to throw, naming the key, what it carries and the limit; nothing was run
     */
    CacheException tooLarge(String cache, long bytes, Object key, String what) {
        return tooLarge(cache, bytes, key, what, room(cache), "a message between nodes has room for "
                + "(cluster.maxMessageBytes: " + channels().maxMessageBytes() + ")");
    }

    /**
     * The refusal of an operation on {@code key} that carries more than {@code room}, the
     * room in a message to {@code owner}, a member that takes in less than this node sends.
     */
    CacheException tooLarge(String cache, long bytes, Object key, String what, String owner, long room) {
        return tooLarge(cache, bytes, key, what, room, "its owner " + owner + " has room for (its "
                + "cluster.maxMessageBytes is smaller than this node's " + channels().maxMessageBytes() + ")");
    }

    private static CacheException tooLarge(String cache, long bytes, Object key, String what, long room, String limit) {
        String shown = String.valueOf(key);
        return new CacheException("cache '" + cache + "': key '"
                + (shown.length() > 60 ? shown.substring(0, 60) + "..." : shown) + "'"
                + (what == null ? "" : " with " + what) + " takes " + bytes + " bytes, more than the " + room
                + " " + limit + "; nothing was run or stored");
    }

    /**
     * Encodes an operation's entry processor and arguments as they travel to a key's owner.
     * A call in a cluster encodes them whoever owns its keys, this node too, so that whether
     * it works does not depend on where they lie.
     *
     * @throws CacheException naming the processor or the argument that cannot be sent, and why
     */
    void encodeProcessor(String cache, Operation<?, ?> operation) {
        String processor = "entry processor " + operation.processor.getClass().getName();
        operation.processorBytes = encodeSent(cache, processor, operation.processor);
        Object[] arguments = operation.arguments == null ? new Object[0] : operation.arguments;
        operation.argumentBytes = new ArrayList<>(arguments.length);
        for (int i = 0; i < arguments.length; i++) {
            operation.argumentBytes.add(arguments[i] == null ? null // sent as empty, read back as null
                    : encodeSent(cache, "argument " + i + " of " + processor, arguments[i]));
        }
    }

    /**
     * What an entry processor returned, as it travels back to a caller on another node.
     *
     * @throws EntryProcessorException when it cannot be sent (not Serializable, or outside
     *         serialization.allow); the processor's changes to the entry stand
     */
    static byte[] encodeResult(Codec codec, Object result) {
        try {
            return codec.encode(result);
        } catch (CodecException e) {
            throw new EntryProcessorException("the entry processor's result cannot be sent to its caller, which in a "
                    + "cluster may be on another node; its changes to the entry were made (" + e.getMessage() + ")");
        }
    }

    /**
     * What {@code invokeAll}'s processors returned, index by index, as {@link #encodeResult}:
     * a result that cannot be sent becomes its key's failure in {@code out}, its result null.
     */
    static List<byte[]> encodeResults(Codec codec, Outcome out) {
        List<byte[]> encoded = new ArrayList<>(out.results.size());
        for (int i = 0; i < out.results.size(); i++) {
            try {
                encoded.add(out.results.get(i) == null ? null : encodeResult(codec, out.results.get(i)));
            } catch (EntryProcessorException e) {
                encoded.add(null);
                out.results.set(i, null);
                out.failures.set(i, e);
            }
        }
        return encoded;
    }

    /**
     * Checks what entry processors that ran on this node return to its own callers as if
     * they were on another node, so that whether a call works does not depend on where its
     * keys lie.
     *
     * @throws EntryProcessorException as {@link #encodeResult}
     */
    void checkResults(Outcome out) {
        if (out.result != null) {
            encodeResult(codec, out.result);
        }
        if (out.results != null) {
            encodeResults(codec, out);
        }
    }

    private byte[] encodeSent(String cache, String what, Object object) {
        try {
            return codec.encode(object);
        } catch (CodecException e) {
            throw new CacheException("cache '" + cache + "': " + what + " cannot be sent to its key's owner, which "
                    + "in a cluster may be another node (" + e.getMessage() + ")", e);
        }
    }

    private <K, V> OperationRequest request(HashRing ring, String cache, Operation<K, V> operation, int eventMask) {
        OperationRequest.Builder request = OperationRequest.newBuilder()
                .setHeader(header)
                .setRing(ring.fingerprint())
                .setCache(cache)
                .setOp(operation.op)
                .setEventMask(eventMask)
                .setReplaceExisting(operation.replaceExisting)
                .setKey(SentBytes.orEmpty(operation.k))
                .setValue(SentBytes.orEmpty(operation.v))
                .setExpected(SentBytes.orEmpty(operation.e));
        if (operation.processor != null) {
            request.setProcessor(SentBytes.orEmpty(operation.processorBytes));
            request.addAllArguments(SentBytes.allOrEmpty(operation.argumentBytes));
        }
        if (operation.ks != null) {
            request.addAllKeys(SentBytes.allOrEmpty(operation.ks));
        }
        if (operation.vs != null) {
            request.addAllValues(SentBytes.allOrEmpty(operation.vs));
        }
        return request.build();
    }

    private Outcome outcome(Operation<?, ?> operation, OperationReply reply) {
        Outcome out = new Outcome();
        out.value = ReceivedBytes.orNull(reply.getValue());
        out.flag = reply.getFlag();
        byte[] result = ReceivedBytes.orNull(reply.getResult());
        out.result = result == null ? null : codec.decode(result);
        if (reply.getValuesCount() > 0) {
            out.values = new ArrayList<>(reply.getValuesCount());
            for (ByteString value : reply.getValuesList()) {
                out.values.add(ReceivedBytes.orNull(value));
            }
        }
        out.hits = reply.getHits();
        out.misses = reply.getMisses();
        out.puts = reply.getPuts();
        out.removals = reply.getRemovals();
        out.events = reply.getEventsList();
        if (operation.op == Op.INVOKE_ALL) {
            out.results = new ArrayList<>(reply.getResultsCount());
            for (ByteString each : reply.getResultsList()) {
                byte[] bytes = ReceivedBytes.orNull(each);
                out.results.add(bytes == null ? null : codec.decode(bytes));
            }
            out.failures = new ArrayList<>(reply.getFailuresCount());
            for (ByteString failure : reply.getFailuresList()) {
                byte[] bytes = ReceivedBytes.orNull(failure);
                out.failures.add(bytes == null ? null : exception(bytes));
            }
        }
        if (!reply.getFailure().isEmpty()) {
            RuntimeException failure = exception(ReceivedBytes.orNull(reply.getFailure()));
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

    /** The keys of every entry {@code member} holds of a cache. */
    List<byte[]> keys(String member, String cache) {
        KeysRequest request = KeysRequest.newBuilder()
                .setHeader(header).setCache(cache).build();
        List<byte[]> keys = new ArrayList<>();
        try {
            Iterator<KeysChunk> chunks = channels().stub(member, JCacheServiceGrpc::newBlockingStub).keys(request);
            while (chunks.hasNext()) {
                chunks.next().getKeysList().forEach(k -> keys.add(ReceivedBytes.of(k)));
            }
        } catch (StatusRuntimeException e) {
            if (!isUnknownCache(e)) {
                throw failure(member, "list the keys of cache '" + cache + "'", e);
            }
        }
        return keys;
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

    /**
     * Ships a new cache's configuration to every other member; one that is unreachable gets
     * it on first use.
     *
     * @param keepExisting members that have a cache of that name keep it (a cache opened by
     *                     getCache); otherwise they start it afresh (createCache)
     * @throws CacheException when the configuration cannot be sent, whether or not other
     *         members are up now (one may join later); and on a client, when a server refused
     *         it (a factory's class is missing there, say): a client cannot use such a cache
     */
    void created(String cache, boolean keepExisting) {
        CreateCacheRequest request = shipment(cache, keepExisting); // whether it can travel, members or not
        for (String member : others()) {
            try {
                ship(member, request);
            } catch (CacheException e) {
                if (node.isClient() && e.getCause() instanceof StatusRuntimeException status
                        && status.getStatus().getCode() == Status.Code.INVALID_ARGUMENT) {
                    throw e;
                }
                LOG.log(System.Logger.Level.WARNING, e.getMessage());
            }
        }
    }

    /** Destroys a cache on every other member. */
    void destroyed(String cache) {
        for (String member : others()) {
            try {
                channels().stub(member, JCacheServiceGrpc::newBlockingStub).destroyCache(cacheRequest(cache));
            } catch (StatusRuntimeException e) {
                LOG.log(System.Logger.Level.WARNING, failure(member, "destroy cache '" + cache + "'", e).getMessage());
            }
        }
    }

    /**
     * Gives every other member's part of a cache these settings. A member that does not know
     * the cache yet is shipped it, with them, and asked again: it may have had it by then.
     *
     * @throws CacheException naming each member that could not take them, after every
     *         member was asked
     */
    void reconfigured(String cache, CacheSettings settings) {
        ReconfigureCacheRequest request = ReconfigureCacheRequest.newBuilder()
                .setHeader(header)
                .setCache(cache)
                .setSettings(shippable(settings))
                .build();
        List<CacheException> failures = new ArrayList<>();
        for (String member : others()) {
            try {
                reconfigure(member, request);
            } catch (CacheException e) {
                failures.add(e);
            }
        }
        if (!failures.isEmpty()) {
            CacheException failure = new CacheException(failures.stream().map(Throwable::getMessage)
                    .collect(Collectors.joining("; ")), failures.get(0));
            failures.subList(1, failures.size()).forEach(failure::addSuppressed);
            throw failure;
        }
    }

    private void reconfigure(String member, ReconfigureCacheRequest request) {
        knowingCache(member, request.getCache(),
                () -> channels().stub(member, JCacheServiceGrpc::newBlockingStub).reconfigureCache(request),
                () -> "reconfigure cache '" + request.getCache() + "'");
    }

    // ---- listeners on other nodes ------------------------------------------------------------

    /**
     * Tells every other member which event types this JVM's listeners of a cache want (0:
     * none). It first opens its event stream from a member that it has none from; opening
     * it says what every cache's listeners want.
     */
    void announce(String cache, int mask) {
        for (String member : others()) {
            if (!subscriptions.isOpen(member)) {
                subscriptions.open(member);
            } else {
                announce(member, cache, mask);
            }
        }
    }

    private void announce(String member, String cache, int mask) {
        try {
            channels().stub(member, JCacheServiceGrpc::newBlockingStub).listen(ListenRequest.newBuilder()
                    .setHeader(header)
                    .setCache(cache)
                    .setEventMask(mask)
                    .build());
        } catch (StatusRuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, failure(member, "note the listeners of cache '" + cache + "'", e)
                    .getMessage());
        }
    }

    /**
     * Another member's or a client's event stream opened here, with what its listeners want
     * per cache.
     *
     * @return the outbox of events to it, which {@link #unsubscribed} is given when the stream ends
     */
    EventOutbox subscribed(String member, long streamId, Map<String, Integer> masks, Consumer<EventsRequest> stream) {
        EventOutbox outbox = new EventOutbox(streamId, executor, events -> send(member, streamId, stream, events));
        outboxes.put(member, outbox);
        masks.forEach((cache, mask) -> listening(cache, member, mask));
        return outbox;
    }

    /** Another member's or a client's event stream ended: it listens here no more, unless it opened another. */
    void unsubscribed(String member, EventOutbox outbox) {
        if (outboxes.remove(member, outbox)) {
            listening.keySet().forEach(cache -> listening(cache, member, 0));
        }
    }

    /** Notes what another member's (or a client's) listeners of a cache want. */
    void listening(String cache, String member, int mask) {
        if (mask == 0) {
            listening.computeIfPresent(cache, (name, members) -> {
                members.remove(member);
                return members.isEmpty() ? null : members;
            });
        } else {
            listening.computeIfAbsent(cache, name -> new ConcurrentHashMap<>()).put(member, mask);
        }
    }

    /** Forgets the other members' listeners of a cache that was created afresh or destroyed. */
    void forget(String cache) {
        listening.remove(cache);
    }

    /** The event types other members and clients listen to on a cache. */
    int remoteMask(String cache) {
        Map<String, Integer> members = listening.get(cache);
        if (members == null) {
            return 0;
        }
        int mask = 0;
        for (int each : members.values()) {
            mask |= each;
        }
        return mask;
    }

    /**
     * Where the events of an operation this node runs as the owner go for the listeners of
     * other members and clients: each to the outbox of each that wants it, as it happens.
     * {@code caller} (null for this JVM's own call) has its events there too, by the event
     * types of its request, {@code callerMask}, unless it has no event stream from here
     * (see {@link RemoteListeners#reachesCaller}).
     *
     * @return null when no one elsewhere listens
     */
    <K> RemoteListeners<K> remoteListeners(String cache, String caller, int callerMask) {
        Map<String, Integer> members = listening.get(cache);
        if (members == null && callerMask == 0) {
            return null;
        }
        RemoteListeners<K> listeners = new RemoteListeners<>(cache);
        if (members != null) {
            members.forEach((member, mask) -> {
                if (!member.equals(caller)) {
                    listeners.add(outboxes.get(member), mask, false);
                }
            });
        }
        if (callerMask != 0) {
            listeners.add(outboxes.get(caller), callerMask, true);
        }
        return listeners.mask == 0 ? null : listeners;
    }


    /**
     * The events of one operation for listeners elsewhere, added to the outboxes of the
     * members and clients that want them.
     */
    final class RemoteListeners<K> implements EventSink<K> {
        private final String cache;
        private final List<EventOutbox> outboxes = new ArrayList<>(2);
        private final List<Integer> masks = new ArrayList<>(2); // what each outbox's member wants
        private int mask;
        private EventOutbox callerOutbox;
        private long callerThrough;

        private RemoteListeners(String cache) {
            this.cache = cache;
        }

        private void add(EventOutbox outbox, int wants, boolean caller) {
            if (outbox == null) {
                return;
            }
            outboxes.add(outbox);
            masks.add(wants);
            mask |= wants;
            if (caller) {
                callerOutbox = outbox;
            }
        }

        /** Whether the caller's events go by its outbox; if not, they go back in the reply. */
        boolean reachesCaller() {
            return callerOutbox != null;
        }

        /** The caller's outbox, when {@link #reachesCaller}. */
        long callerOutbox() {
            return callerOutbox.id();
        }

        /** The count of events in the caller's outbox up to the last of this operation's (0: none). */
        long callerThrough() {
            return callerThrough;
        }

        /** Sends the events published, once the operation has ended. */
        void flush() {
            outboxes.forEach(EventOutbox::flush);
        }

        @Override
        public boolean wants(EventType type) {
            return EventCollector.wants(mask, type);
        }

        @Override
        public void publish(EventType type, K key, byte[] k, byte[] value, byte[] oldValue) {
            Event event = EventCollector.event(type, k, value, oldValue);
            for (int i = 0; i < outboxes.size(); i++) {
                int wants = masks.get(i);
                if (EventCollector.wants(wants, type)) {
                    long count = outboxes.get(i).add(cache, event);
                    if (outboxes.get(i) == callerOutbox) {
                        callerThrough = count;
                    }
                }
            }
        }
    }

    /**
     * Sends the events of {@code member}'s outbox {@code id}, in order, on its event
     * {@code stream}: each cache's run of them in as few messages as fit its limit.
     */
    private void send(String member, long id, Consumer<EventsRequest> stream, List<EventOutbox.Queued> queued) {
        int limit = MessagePieces.limit(channels().maxMessageBytes(), messageLimits.getOrDefault(member, 0));
        ToLongFunction<Event> size = event -> MessagePieces.fieldSize(event.getSerializedSize());
        for (int from = 0, to; from < queued.size(); from = to) {
            String cache = queued.get(from).cache();
            List<Event> events = new ArrayList<>();
            for (to = from; to < queued.size() && queued.get(to).cache().equals(cache); to++) {
                events.add(queued.get(to).event());
            }
            long room = room(cache, limit);
            long through = queued.get(from).count() - 1;
            for (List<Event> run : MessagePieces.runs(events, size, room)) {
                through += run.size();
                if (size.applyAsLong(run.get(0)) > MessagePieces.eventRoom(room, limit)) { // alone in its run
                    LOG.log(System.Logger.Level.WARNING, "the listeners of cache '" + cache + "' on " + member
                            + " miss an event of " + run.get(0).getSerializedSize() + " bytes, more than the "
                            + MessagePieces.eventRoom(room, limit) + " a message between nodes has room for "
                            + "(cluster.maxMessageBytes)");
                    run = List.of(); // the count still goes, so that no call there waits for it
                }
                EventsRequest request = EventsRequest.newBuilder().setHeader(header).setCache(cache).addAllEvents(run)
                        .setOutbox(id).setThrough(through).build();
                stream.accept(request);
            }
        }
    }

    /**
     * Events an owner sent: to this JVM's listeners, then noted as taken, for the calls that
     * wait for them; what a synchronous listener threw goes to the call whose events they were.
     */
    void received(String owner, EventsRequest request) {
        RuntimeException failure = null;
        try {
            manager.deliver(request.getCache(), request.getEventsList());
        } catch (RuntimeException e) {
            failure = e;
            LOG.log(System.Logger.Level.DEBUG, "a listener of cache '" + request.getCache() + "' failed: " + e);
        }
        long missed = inbox(owner).taken(request.getOutbox(), request.getThrough() - request.getEventsCount(),
                request.getThrough(), failure);
        if (missed > 0) {
            LOG.log(System.Logger.Level.WARNING, "the listeners of cache '" + request.getCache() + "' here missed "
                    + missed + " event(s) from " + owner + " too large for a message to this JVM (cluster.maxMessageBytes "
                    + channels().maxMessageBytes() + ")");
        }
    }

    private EventInbox inbox(String owner) {
        EventInbox inbox = inboxes.get(owner);
        return inbox != null ? inbox : inboxes.computeIfAbsent(owner, o -> new EventInbox());
    }

    /** Members changed: forget those that left, tell the others what this JVM's listeners want. */
    void membersChanged(Set<String> members, Map<String, Integer> localMasks) {
        Set<String> known = new HashSet<>(members);
        known.addAll(outboxes.keySet()); // clients, and members whose stream has yet to end
        inboxes.keySet().retainAll(known);
        messageLimits.keySet().retainAll(known);
        for (Map<String, Integer> byMember : listening.values()) {
            byMember.keySet().retainAll(known);
        }
        subscriptions.retain(members);
        localMasks.forEach(this::announce);
    }

    /** Ends this JVM's event streams from the other members. */
    void close() {
        subscriptions.close();
    }

    private void ship(String member, CreateCacheRequest request) {
        try {
            channels().stub(member, JCacheServiceGrpc::newBlockingStub).createCache(request);
        } catch (StatusRuntimeException e) {
            throw failure(member, "create cache '" + request.getCache() + "'", e);
        }
    }

    /**
     * What makes a cache on another member: its configuration, factories included, and its
     * settings.
     *
     * @throws CacheException when the configuration cannot be sent: a factory that is not
     *         Serializable, or whose class serialization.allow does not allow
     */
    private CreateCacheRequest shipment(String cache, boolean keepExisting) {
        CompleteConfiguration<?, ?> configuration = manager.shippedConfiguration(cache);
        if (configuration == null) {
            throw new IllegalStateException("cache '" + cache + "' is closed");
        }
        byte[] bytes;
        try {
            bytes = codec.encode(untyped(configuration));
        } catch (RuntimeException e) {
            throw new CacheException("the configuration of cache '" + cache + "' cannot travel to the other nodes: "
                    + "its factories must be serializable and allowed by serialization.allow (" + e.getMessage() + ")", e);
        }
        CreateCacheRequest.Builder request = CreateCacheRequest.newBuilder()
                .setHeader(header)
                .setCache(cache)
                .setConfiguration(ByteString.copyFrom(bytes))
                .setKeyType(configuration.getKeyType().getName())
                .setValueType(configuration.getValueType().getName())
                .setKeepExisting(keepExisting);
        CacheSettings settings = manager.shippedSettings(cache);
        if (settings != null) {
            request.setSettings(shippable(settings));
        }
        return request.build();
    }

    /** The configuration without its types, which travel by name (see CreateCacheRequest). */
    @SuppressWarnings({"unchecked", "rawtypes"})
    private static Configuration<?, ?> untyped(CompleteConfiguration<?, ?> configuration) {
        return new MutableConfiguration(configuration).setTypes(Object.class, Object.class);
    }

    /** What travels of a cache's settings: its policy and bounds. */
    static io.kamacache.proto.v1.CacheSettings shippable(CacheSettings settings) {
        return io.kamacache.proto.v1.CacheSettings.newBuilder()
                .setPolicy(settings.policy().configName())
                .setMaxBytes(settings.maxBytes())
                .setMaxEntries(settings.maxEntries())
                .build();
    }

    private CacheRequest cacheRequest(String cache) {
        return CacheRequest.newBuilder().setHeader(header).setCache(cache).build();
    }

    private PeerChannels channels() {
        return node.channels();
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

    /** The member asked no longer owns a key of the operation; nothing ran. */
    static final class MovedException extends RuntimeException {

        static final String MARK = "not the owner: ";
        private static final long serialVersionUID = 1L;

        MovedException(String message) {
            super(message, null, false, false);
        }
    }
}
