package io.kamacache.jcache;

import com.codahale.metrics.Timer;
import com.google.protobuf.ByteString;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import io.kamacache.Group;
import io.kamacache.GroupStats;
import io.kamacache.codec.Codec;
import io.kamacache.config.CacheSettings;
import io.kamacache.config.PolicyKind;
import io.kamacache.proto.v1.CacheCounters;
import io.kamacache.proto.v1.CacheDescription;
import io.kamacache.proto.v1.CacheReply;
import io.kamacache.proto.v1.CacheRequest;
import io.kamacache.proto.v1.CreateCacheRequest;
import io.kamacache.proto.v1.EventsRequest;
import io.kamacache.proto.v1.JCacheServiceGrpc;
import io.kamacache.proto.v1.KeysChunk;
import io.kamacache.proto.v1.KeysRequest;
import io.kamacache.proto.v1.ListCachesReply;
import io.kamacache.proto.v1.ListCachesRequest;
import io.kamacache.proto.v1.ListenRequest;
import io.kamacache.proto.v1.Op;
import io.kamacache.proto.v1.OperationCall;
import io.kamacache.proto.v1.OperationReply;
import io.kamacache.proto.v1.OperationRequest;
import io.kamacache.proto.v1.OperationResult;
import io.kamacache.proto.v1.ReconfigureCacheRequest;
import io.kamacache.proto.v1.RequestHeader;
import io.kamacache.proto.v1.SubscribeRequest;
import io.kamacache.metrics.NodeMetrics;
import io.kamacache.remote.MessagePieces;
import io.kamacache.remote.Protocol;
import io.kamacache.remote.ReceivedBytes;
import io.kamacache.remote.SentBytes;

import javax.cache.CacheException;
import javax.cache.configuration.CompleteConfiguration;
import javax.cache.configuration.MutableConfiguration;
import javax.cache.processor.EntryProcessor;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Consumer;

/**
 * What a node answers to the JCache calls of other nodes ({@code kamacache.v1.JCacheService}):
 * it runs operations on the keys it owns in its current view, and answers UNAVAILABLE
 * without running anything for a key it does not own, so that the caller routes again. An
 * exception an operation raises travels back serialized, to be raised at the caller as it is.
 */
final class CacheEndpoint extends JCacheServiceGrpc.JCacheServiceImplBase {

    /** The methods whose calls start on the network thread: {@link #run} decides where each operation runs. */
    static final Set<String> INLINE = Set.of(JCacheServiceGrpc.getOperationsMethod().getFullMethodName());
    /** The methods whose calls last as long as their caller: a stopping server does not wait for them. */
    static final Set<String> LASTING = Set.of(JCacheServiceGrpc.getOperationsMethod().getFullMethodName(),
            JCacheServiceGrpc.getSubscribeMethod().getFullMethodName());

    private final KamaCacheManager manager;
    private final Codec codec;
    private final NodeMetrics metrics;
    private final Map<Op, Timer> timers = new ConcurrentHashMap<>();

    CacheEndpoint(KamaCacheManager manager, Codec codec, NodeMetrics metrics) {
        this.manager = manager;
        this.codec = codec;
        this.metrics = metrics;
    }

    /** A caller's operation stream: each operation answered by its id, as it finishes. */
    @Override
    public StreamObserver<OperationCall> operations(StreamObserver<OperationResult> responses) {
        Results results = new Results((ServerCallStreamObserver<OperationResult>) responses);
        return new StreamObserver<>() {
            @Override
            public void onNext(OperationCall call) {
                results.started();
                if (call.getId() == Protocol.HELLO) {
                    hello(call.getRequest(), results);
                } else if (!manager.isStarted()) { // on the network thread, which must not wait: the caller sends again
                    results.fail(call.getId(), Status.UNAVAILABLE.withDescription(CacheCluster.MovedException.MARK
                            + "node " + manager.config().node().address() + " is still starting").asRuntimeException());
                } else {
                    run(call.getId(), call.getRequest(), results);
                }
            }

            @Override
            public void onError(Throwable t) {
                results.end(); // the caller went away: what it still waits for is answered to no one
            }

            @Override
            public void onCompleted() {
                results.complete();
            }
        };
    }

    /** Answers a stream's hello with the largest message this node takes in, when the caller speaks its protocol. */
    private void hello(OperationRequest request, Results results) {
        try {
            Protocol.check(request.getHeader());
            results.send(List.of(OperationResult.newBuilder().setId(Protocol.HELLO)
                    .setMaxMessageBytes(manager.config().cluster().maxMessageBytes()).build()));
        } catch (StatusRuntimeException e) {
            results.fail(Protocol.HELLO, e);
        }
    }

    /**
     * Runs on the network thread (see {@link #INLINE}): an operation that may wait on a
     * loader, a writer, an entry processor or, while the node takes
     * over the ranges it joined for, a fetch from a previous owner moves to the manager's
     * threads; the others answer at once, saving two thread hand-offs per call.
     */
    private void run(long id, OperationRequest request, Results results) {
        long start = System.nanoTime();
        Timer timer = timer(request.getOp());
        try {
            Protocol.check(request.getHeader());
            checkSize(request);
            KamaCache<Object, Object> cache = cache(request.getCache());
            Operation<Object, Object> operation = operation(request);
            if (request.getRing() != manager.ring().fingerprint()) {
                checkOwned(operation); // the caller chose this node by another ring
            }
            Group group = cache.unwrap(Group.class);
            group.recordServed();
            if (cache.mayBlock(operation.op) || group.isTakingOver()) {
                manager.executor().execute(() -> results.send(id, request, replyLimit(request.getHeader()),
                        run(request, cache, operation), timer, start));
            } else {
                results.send(id, request, replyLimit(request.getHeader()), run(request, cache, operation), timer, start);
            }
        } catch (RuntimeException e) {
            results.fail(id, status(e, "run " + request.getOp() + " on", request.getCache()));
            timer.update(System.nanoTime() - start, TimeUnit.NANOSECONDS);
        }
    }

    /**
     * Refuses a request over this node's limit, which the transport lets through (see
     * {@link MessagePieces#inbound}) and callers that asked the limit never send.
     */
    private void checkSize(OperationRequest request) {
        int limit = MessagePieces.requestLimit(manager.config().cluster().maxMessageBytes(), request);
        if (request.getSerializedSize() > limit) {
            throw Status.RESOURCE_EXHAUSTED.withDescription("node " + manager.selfAddress() + " takes this request in at "
                    + "most " + limit + " bytes (by cluster.maxMessageBytes), not " + request.getSerializedSize()
                    + "; nothing was run").asRuntimeException();
        }
    }

    /** The largest message a reply to {@code header}'s sender may be: this node's limit, or the sender's if smaller. */
    private int replyLimit(RequestHeader header) {
        return MessagePieces.limit(manager.config().cluster().maxMessageBytes(), header.getMaxMessageBytes());
    }

    /** The timer of an operation kind: {@code jcache.get}, {@code jcache.put_all}, ... */
    private Timer timer(Op op) {
        Timer timer = timers.get(op);
        return timer != null ? timer
                : timers.computeIfAbsent(op, o -> metrics.served("jcache." + o.name().toLowerCase(Locale.ROOT)));
    }

    private OperationReply run(OperationRequest request, KamaCache<Object, Object> cache,
                               Operation<Object, Object> operation) {
        EventCollector<Object> sink = new EventCollector<>(request.getEventMask());
        OperationReply.Builder reply = OperationReply.newBuilder();
        try {
            Outcome out = cache.runFor(operation, sink, Protocol.origin(request.getHeader()));
            // another node's operation: its owner answers bytes, never the objects it keeps for this JVM's callers
            reply.setValue(SentBytes.orEmpty((byte[]) out.value))
                    .setFlag(out.flag)
                    .setHits(out.hits)
                    .setMisses(out.misses)
                    .setPuts(out.puts)
                    .setRemovals(out.removals);
            if (out.result != null) {
                reply.setResult(SentBytes.orEmpty(CacheCluster.encodeResult(codec, out.result)));
            }
            if (out.values != null) {
                reply.addAllValues(SentBytes.allOrEmpty(out.values));
            }
            if (out.results != null) {
                reply.addAllResults(SentBytes.allOrEmpty(CacheCluster.encodeResults(codec, out)));
                out.failures.forEach(failure -> reply.addFailures(SentBytes.orEmpty(failure == null ? null
                        : encodeFailure(failure))));
            }
            if (out.failure != null) {
                reply.setFailure(SentBytes.orEmpty(encodeFailure(out.failure)));
            }
        } catch (RuntimeException | Error e) {
            reply.setFailure(SentBytes.orEmpty(encodeFailure(e)));
        }
        reply.addAllEvents(sink.events());
        if (sink.through() > 0) {
            reply.setEventOutbox(sink.outbox()).setEventsThrough(sink.through());
        }
        return reply.build();
    }

    /**
     * The answers of one operation stream, sent one at a time from whichever thread ran
     * the operation; none after the stream ended. The stream ends once the caller has
     * half-closed it and every operation it sent has been answered.
     */
    private static final class Results {
        private final ServerCallStreamObserver<OperationResult> stream;
        /** Operations received and not answered yet. */
        private int running;
        private boolean halfClosed;
        private boolean ended;

        Results(ServerCallStreamObserver<OperationResult> stream) {
            this.stream = stream;
            stream.setOnCancelHandler(this::end);
        }

        /** Counts an operation received; it is answered by one {@link #send} or {@link #fail}. */
        synchronized void started() {
            running++;
        }

        /**
         * Sends the reply to {@code request}, in pieces when it is larger than {@code limit};
         * its time, from {@code start}, goes to {@code timer}.
         */
        void send(long id, OperationRequest request, int limit, OperationReply reply, Timer timer, long start) {
            try {
                List<OperationReply> pieces = MessagePieces.reply(reply, limit);
                List<OperationResult> results = new ArrayList<>(pieces.size());
                for (int i = 0; i < pieces.size(); i++) {
                    results.add(OperationResult.newBuilder().setId(id).setReply(pieces.get(i))
                            .setMore(i < pieces.size() - 1).build());
                }
                send(results);
            } catch (MessagePieces.TooLarge e) {
                fail(id, Status.RESOURCE_EXHAUSTED.withDescription("cannot answer " + request.getOp() + " on cache '"
                        + request.getCache() + "': " + e.getMessage()).asRuntimeException());
            }
            timer.update(System.nanoTime() - start, TimeUnit.NANOSECONDS);
        }

        void fail(long id, StatusRuntimeException e) {
            Status status = e.getStatus();
            send(List.of(OperationResult.newBuilder().setId(id).setStatusCode(status.getCode().value())
                    .setStatusDescription(status.getDescription() == null ? "" : status.getDescription()).build()));
        }

        /** Sends the answer to one operation, in one or more messages. */
        private synchronized void send(List<OperationResult> results) {
            running--;
            if (!ended) {
                results.forEach(stream::onNext);
                endIfDone();
            }
        }

        /** The caller sent its last operation. */
        synchronized void complete() {
            halfClosed = true;
            if (!ended) {
                endIfDone();
            }
        }

        private void endIfDone() {
            if (halfClosed && running == 0) {
                ended = true;
                stream.onCompleted();
            }
        }

        synchronized void end() {
            ended = true;
        }
    }

    @Override
    public void keys(KeysRequest request, StreamObserver<KeysChunk> response) {
        try {
            Protocol.check(request.getHeader());
            manager.awaitStarted();
            KamaCache<Object, Object> cache = cache(request.getCache());
            long room = replyLimit(request.getHeader()) - MessagePieces.ENVELOPE_BYTES;
            KeysChunk.Builder[] chunk = {KeysChunk.newBuilder()};
            long[] bytes = {0};
            cache.forEachOwnedKey(k -> {
                if (chunk[0].getKeysCount() == CacheCluster.KEYS_PER_CHUNK
                        || chunk[0].getKeysCount() > 0 && bytes[0] + MessagePieces.fieldSize(k.length) > room) {
                    response.onNext(chunk[0].build());
                    chunk[0] = KeysChunk.newBuilder();
                    bytes[0] = 0;
                }
                chunk[0].addKeys(ByteString.copyFrom(k));
                bytes[0] += MessagePieces.fieldSize(k.length);
            });
            if (chunk[0].getKeysCount() > 0) {
                response.onNext(chunk[0].build());
            }
            response.onCompleted();
        } catch (RuntimeException e) {
            response.onError(status(e, "list the keys of", request.getCache()));
        }
    }

    @Override
    public void clear(CacheRequest request, StreamObserver<CacheReply> response) {
        answer(request.getHeader(), request.getCache(), "clear", response,
                () -> cache(request.getCache()).clearOwned());
    }

    @Override
    public void createCache(CreateCacheRequest request, StreamObserver<CacheReply> response) {
        answer(request.getHeader(), request.getCache(), "create", response, () -> {
            Object decoded = codec.decode(request.getConfiguration().toByteArray());
            if (!(decoded instanceof CompleteConfiguration<?, ?> configuration)) {
                throw new IllegalArgumentException("the configuration of cache '" + request.getCache()
                        + "' is a " + (decoded == null ? "null" : decoded.getClass().getName())
                        + ", not a javax.cache.configuration.CompleteConfiguration");
            }
            manager.createShipped(request.getCache(), withTypes(configuration, request), request.getKeepExisting(),
                    request.hasSettings() ? settings(manager.config().cacheDefaults(), request.getSettings()) : null);
        });
    }

    /** The configuration with the types the request names, loaded here. */
    @SuppressWarnings({"unchecked", "rawtypes"})
    private CompleteConfiguration<?, ?> withTypes(CompleteConfiguration<?, ?> configuration, CreateCacheRequest request) {
        return new MutableConfiguration(configuration).setTypes(type(request.getKeyType(), "key", request.getCache()),
                type(request.getValueType(), "value", request.getCache()));
    }

    private Class<?> type(String name, String role, String cache) {
        try {
            return Class.forName(name, false, manager.getClassLoader());
        } catch (ClassNotFoundException | LinkageError e) {
            throw new IllegalArgumentException("the " + role + " type of cache '" + cache + "', " + name
                    + ", is not on the class path of node " + manager.selfAddress(), e);
        }
    }

    @Override
    public void destroyCache(CacheRequest request, StreamObserver<CacheReply> response) {
        answer(request.getHeader(), request.getCache(), "destroy", response,
                () -> manager.destroyShipped(request.getCache()));
    }

    @Override
    public void reconfigureCache(ReconfigureCacheRequest request, StreamObserver<CacheReply> response) {
        String name = request.getCache();
        answer(request.getHeader(), name, "reconfigure", response, () -> {
            cache(name); // NOT_FOUND for a cache this node does not know yet: the caller ships it
            io.kamacache.proto.v1.CacheSettings shipped = request.getSettings();
            manager.applySettings(name, settings(manager.settings(name), shipped));
        });
    }

    @Override
    public void listen(ListenRequest request, StreamObserver<CacheReply> response) {
        answer(request.getHeader(), request.getCache(), "note the listeners of", response,
                () -> {
                    manager.messageLimit(Protocol.origin(request.getHeader()), request.getHeader().getMaxMessageBytes());
                    manager.listening(request.getCache(), Protocol.origin(request.getHeader()), request.getEventMask());
                });
    }

    /**
     * Another member's or a client's event stream: noted before the acknowledgement goes
     * out, and every delivery waits for it, so the first message is the acknowledgement.
     */
    @Override
    public void subscribe(SubscribeRequest request, StreamObserver<EventsRequest> response) {
        String client;
        try {
            Protocol.check(request.getHeader());
            manager.awaitStarted();
            client = Protocol.origin(request.getHeader());
        } catch (StatusRuntimeException e) {
            response.onError(e);
            return;
        }
        ServerCallStreamObserver<EventsRequest> stream = (ServerCallStreamObserver<EventsRequest>) response;
        EventStream sink = new EventStream(client, stream);
        stream.setOnCancelHandler(sink::ended);
        synchronized (stream) {
            manager.messageLimit(client, request.getHeader().getMaxMessageBytes());
            sink.outbox = manager.subscribed(client, request.getStreamId(), request.getEventMasksMap(), sink);
            stream.onNext(EventsRequest.getDefaultInstance());
        }
    }

    /** Event messages a client may leave unread before its stream is closed. */
    static final int MAX_UNREAD_EVENT_MESSAGES = 10_000;
    /** Bytes of event messages a client may leave unread before its stream is closed. */
    static final long MAX_UNREAD_EVENT_BYTES = 64L << 20;

    /**
     * A client's event stream, bounded: a client that stops reading (frozen, or cut off
     * with its connection open) leaves at most {@link #MAX_UNREAD_EVENT_MESSAGES} messages
     * or {@link #MAX_UNREAD_EVENT_BYTES} bytes beyond what the transport holds here; then
     * its stream is closed with RESOURCE_EXHAUSTED, and its listeners miss events until the
     * client opens a new one.
     */
    private final class EventStream implements Consumer<EventsRequest> {
        private final String client;
        private final ServerCallStreamObserver<EventsRequest> stream;
        /** Messages and bytes sent since the transport last had room; guarded by {@code stream}. */
        private int unread;
        private long unreadBytes;
        private boolean closed;
        /** What goes on this stream; guarded by {@code stream}. */
        private EventOutbox outbox;

        EventStream(String client, ServerCallStreamObserver<EventsRequest> stream) {
            this.client = client;
            this.stream = stream;
        }

        /** The client cancelled the stream, or it broke. */
        void ended() {
            synchronized (stream) {
                manager.unsubscribed(client, outbox);
            }
        }

        @Override
        public void accept(EventsRequest events) {
            synchronized (stream) {
                if (closed) {
                    return;
                }
                if (stream.isReady()) {
                    unread = 0;
                    unreadBytes = 0;
                } else {
                    unread++;
                    unreadBytes += events.getSerializedSize();
                }
                if (unread > MAX_UNREAD_EVENT_MESSAGES || unreadBytes > MAX_UNREAD_EVENT_BYTES) {
                    closed = true;
                    manager.unsubscribed(client, outbox);
                    stream.onError(Status.RESOURCE_EXHAUSTED.withDescription(client + " left " + unread
                            + " event messages (" + unreadBytes + " bytes) unread; its listeners miss the events "
                            + "from here until it opens a new event stream").asRuntimeException());
                    return;
                }
                stream.onNext(events);
            }
        }
    }

    @Override
    public void listCaches(ListCachesRequest request, StreamObserver<ListCachesReply> response) {
        try {
            Protocol.check(request.getHeader());
            manager.awaitStarted();
            ListCachesReply.Builder reply = ListCachesReply.newBuilder();
            for (String name : manager.getCacheNames()) {
                KamaCache<Object, Object> cache = manager.cacheForPeers(name);
                if (cache == null) {
                    continue; // closed meanwhile
                }
                CacheSettings settings = manager.settings(name);
                @SuppressWarnings("unchecked")
                CompleteConfiguration<Object, Object> configuration = cache.getConfiguration(CompleteConfiguration.class);
                reply.addCaches(CacheDescription.newBuilder()
                        .setName(name)
                        .setSettings(CacheCluster.shippable(settings))
                        .setKeyType(configuration.getKeyType().getName())
                        .setValueType(configuration.getValueType().getName())
                        .setReadThrough(configuration.isReadThrough())
                        .setCounters(counters(cache.unwrap(Group.class).stats())));
            }
            response.onNext(reply.build());
            response.onCompleted();
        } catch (StatusRuntimeException e) {
            response.onError(e);
        } catch (RuntimeException e) {
            response.onError(Status.INTERNAL.withDescription("node " + manager.selfAddress() + " could not list its caches: "
                    + e).asRuntimeException());
        }
    }

    private static CacheCounters counters(GroupStats stats) {
        return CacheCounters.newBuilder()
                .setGets(stats.gets())
                .setHits(stats.hits())
                .setMisses(stats.misses())
                .setLoads(stats.loads())
                .setLoadErrors(stats.loadErrors())
                .setEvictions(stats.evictions())
                .setExpirations(stats.expirations())
                .setEntries(stats.entries())
                .setBytes(stats.bytes())
                .setLoadsCoalesced(stats.loadsCoalesced())
                .setLoadNanos(stats.loadNanos())
                .setRemoteSent(stats.remoteSent())
                .setRemoteServed(stats.remoteServed())
                .build();
    }

    /** Checks the header, does {@code work} and answers with an empty reply, or with what went wrong. */
    private void answer(RequestHeader header, String cache, String what, StreamObserver<CacheReply> response,
                        Runnable work) {
        try {
            Protocol.check(header);
            manager.awaitStarted();
            work.run();
            response.onNext(CacheReply.getDefaultInstance());
            response.onCompleted();
        } catch (RuntimeException e) {
            response.onError(status(e, what, cache));
        }
    }

    /** The shipped policy and bounds over {@code base}, which keeps what does not travel (expiry, statistics, management). */
    private static CacheSettings settings(CacheSettings base, io.kamacache.proto.v1.CacheSettings shipped) {
        return base.withBounds(PolicyKind.fromName(shipped.getPolicy()), shipped.getMaxBytes(), shipped.getMaxEntries());
    }

    private KamaCache<Object, Object> cache(String name) {
        if (manager.isClosed()) {
            // handing its entries over: the caller waits until the membership drops this node, then routes again
            throw Status.UNAVAILABLE.withDescription(CacheCluster.LEAVING + "node " + manager.selfAddress()
                    + " is leaving the cluster").asRuntimeException();
        }
        KamaCache<Object, Object> cache = manager.cacheForPeers(name);
        if (cache == null) {
            throw Status.NOT_FOUND.withDescription(CacheCluster.UNKNOWN_CACHE + " '" + name + "' on node "
                    + manager.selfAddress()).asRuntimeException();
        }
        return cache;
    }

    private Operation<Object, Object> operation(OperationRequest request) {
        Operation<Object, Object> operation;
        switch (request.getOp()) {
            case GET_ALL, LOAD_ALL, PUT_ALL, REMOVE_ALL, INVOKE_ALL -> {
                List<byte[]> ks = new ArrayList<>(request.getKeysCount());
                request.getKeysList().forEach(k -> ks.add(ReceivedBytes.of(k)));
                List<byte[]> vs = null;
                if (request.getValuesCount() > 0) {
                    vs = new ArrayList<>(request.getValuesCount());
                    for (ByteString v : request.getValuesList()) {
                        vs.add(ReceivedBytes.of(v));
                    }
                }
                operation = Operation.batch(request.getOp(), null, ks, null, vs);
                operation.replaceExisting = request.getReplaceExisting();
                if (request.getOp() == Op.INVOKE_ALL) {
                    operation.processor = processor(request);
                    operation.arguments = arguments(request);
                }
            }
            case INVOKE -> operation = Operation.invoke(null, ReceivedBytes.of(request.getKey()), processor(request),
                    arguments(request));
            case OP_UNSPECIFIED, UNRECOGNIZED -> throw new IllegalArgumentException("no operation given");
            default -> operation = Operation.onKey(request.getOp(), null, ReceivedBytes.of(request.getKey()), null,
                    ReceivedBytes.orNull(request.getValue()), null, ReceivedBytes.orNull(request.getExpected()));
        }
        return operation;
    }

    @SuppressWarnings("unchecked")
    private EntryProcessor<Object, Object, ?> processor(OperationRequest request) {
        Object processor = codec.decode(request.getProcessor().toByteArray());
        if (!(processor instanceof EntryProcessor<?, ?, ?>)) {
            throw new IllegalArgumentException("not an entry processor: " + processor);
        }
        return (EntryProcessor<Object, Object, ?>) processor;
    }

    private Object[] arguments(OperationRequest request) {
        Object[] arguments = new Object[request.getArgumentsCount()];
        for (int i = 0; i < arguments.length; i++) {
            byte[] argument = ReceivedBytes.orNull(request.getArguments(i));
            arguments[i] = argument == null ? null : codec.decode(argument);
        }
        return arguments;
    }

    /** Refuses, before running anything, an operation on a key this node does not own. */
    private void checkOwned(Operation<?, ?> operation) {
        if (operation.k != null) {
            checkOwned(operation.k);
        }
        if (operation.ks != null) {
            operation.ks.forEach(this::checkOwned);
        }
    }

    private void checkOwned(byte[] k) {
        String owner = manager.ownerOf(k);
        if (owner != null) {
            throw Status.UNAVAILABLE.withDescription(CacheCluster.MovedException.MARK + "node "
                    + manager.selfAddress() + " sees " + owner + " as the owner").asRuntimeException();
        }
    }

    private byte[] encodeFailure(Throwable failure) {
        try {
            return codec.encode(failure);
        } catch (RuntimeException notSerializable) {
            return codec.encode(new CacheException(failure.toString() + " (at node " + manager.selfAddress() + ")"));
        }
    }

    private StatusRuntimeException status(RuntimeException e, String what, String cache) {
        if (e instanceof StatusRuntimeException status) {
            return status;
        }
        if (e instanceof RejectedExecutionException) {
            // closing: the caller waits for the membership and goes to the key's next owner
            return Status.UNAVAILABLE.withDescription("node " + manager.selfAddress() + " is closing").asRuntimeException();
        }
        return Status.INVALID_ARGUMENT.withDescription("node " + manager.selfAddress() + " could not " + what
                + " cache '" + cache + "': " + e).asRuntimeException();
    }
}
