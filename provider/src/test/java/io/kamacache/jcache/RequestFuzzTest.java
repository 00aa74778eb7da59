package io.kamacache.jcache;

import com.google.protobuf.ByteString;
import io.grpc.CallOptions;
import io.grpc.ClientCall;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.ServiceDescriptor;
import io.grpc.Status;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.kamacache.codec.Codec;
import io.kamacache.config.KamaConfig;
import io.kamacache.proto.v1.CacheServiceGrpc;
import io.kamacache.proto.v1.JCacheServiceGrpc;
import io.kamacache.proto.v1.Op;
import io.kamacache.proto.v1.OperationCall;
import io.kamacache.proto.v1.OperationRequest;
import io.kamacache.remote.Protocol;
import io.kamacache.ring.HashRing;
import io.kamacache.testing.FreePorts;
import io.kamacache.testing.LogRecords;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import javax.cache.Cache;
import javax.cache.configuration.MutableConfiguration;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.ObjectOutputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URL;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Properties;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Level;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Hostile requests to a real node's gRPC port, from a seeded random generator (the seed is
 * in each failure's message, so a failing case can be replayed): undecodable bytes to every
 * method, and well-framed operations whose fields are random. Each call must end, within
 * its deadline, with a reply or a status that says what was wrong; and the node must serve
 * as before afterwards.
 */
class RequestFuzzTest {

    private static final long SEED = 20261125L;
    /** The codec's tag of a value in Java serialization. */
    private static final byte SERIALIZED = 20;
    private static final int CASES_PER_METHOD = 60;
    private static final int OPERATIONS = 3_000;
    private static final long DEADLINE_SECONDS = 10;
    private static final MethodDescriptor.Marshaller<byte[]> BYTES = new MethodDescriptor.Marshaller<>() {
        @Override
        public InputStream stream(byte[] value) {
            return new ByteArrayInputStream(value);
        }

        @Override
        public byte[] parse(InputStream stream) {
            try {
                return stream.readAllBytes();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    };

    private KamaCacheManager node;
    private ManagedChannel channel;

    @AfterEach
    void close() {
        if (channel != null) {
            channel.shutdownNow();
        }
        if (node != null) {
            node.close();
        }
    }

    private Cache<String, String> start() {
        String address = FreePorts.loopbackAddress();
        KamaConfig config = KamaConfig.parse("cluster:\n  peers: [" + address + "]\n", "test").withNodeAddress(address);
        node = new KamaCacheManager(null, URI.create("kamacache:fuzz"), getClass().getClassLoader(), new Properties(),
                config, InstantSource.system());
        channel = NettyChannelBuilder.forTarget(address).usePlaintext().build();
        Cache<String, String> scores = node.createCache("scores", new MutableConfiguration<String, String>()
                .setTypes(String.class, String.class));
        node.createCache("objects", new MutableConfiguration<>());
        scores.put("before", "kept");
        return scores;
    }

    @Test
    void undecodableBytesToEveryMethodAreRefusedAndTheNodeServesOn() throws Exception {
        Cache<String, String> scores = start();
        // grpc-java would log each message it cannot parse at SEVERE with a stack trace: a log
        // flood for whoever sends garbage; the node turns them into debug lines
        try (LogRecords severe = LogRecords.watch("io.grpc", Level.SEVERE)) {
            sendUndecodableBytes();
            assertThat(severe.messages()).as("SEVERE records of grpc-java").isEmpty();
        }
        assertServes(scores);
    }

    private void sendUndecodableBytes() throws Exception {
        Random random = new Random(SEED);
        for (ServiceDescriptor service : List.of(JCacheServiceGrpc.getServiceDescriptor(),
                CacheServiceGrpc.getServiceDescriptor())) {
            for (MethodDescriptor<?, ?> method : service.getMethods()) {
                MethodDescriptor<byte[], byte[]> raw = MethodDescriptor.<byte[], byte[]>newBuilder()
                        .setType(method.getType()).setFullMethodName(method.getFullMethodName())
                        .setRequestMarshaller(BYTES).setResponseMarshaller(BYTES).build();
                for (int i = 0; i < CASES_PER_METHOD; i++) {
                    byte[] message = new byte[random.nextInt(random.nextBoolean() ? 16 : 2048)];
                    random.nextBytes(message);
                    Status status = exchange(raw, List.of(message), DEADLINE_SECONDS, answer -> { });
                    String what = method.getFullMethodName() + " case " + i + " (seed " + SEED + ")";
                    assertThat(status.getCode()).as("%s ended in time", what).isNotEqualTo(Status.Code.DEADLINE_EXCEEDED);
                    if (!status.isOk()) {
                        assertThat(status.getDescription()).as("%s: %s says what was wrong", what, status.getCode())
                                .isNotBlank();
                    }
                }
            }
        }
    }

    @Test
    void operationsWithRandomFieldsEachGetAnAnswerAndTheNodeServesOn() throws Exception {
        Cache<String, String> scores = start();
        Random random = new Random(SEED);
        List<OperationRequest> requests = new ArrayList<>();
        for (int i = 0; i < OPERATIONS; i++) {
            requests.add(randomRequest(random));
        }
        List<io.kamacache.proto.v1.OperationResult> results = runOperations(requests);
        for (io.kamacache.proto.v1.OperationResult result : results) {
            if (result.getStatusCode() != 0) {
                assertThat(result.getStatusDescription()).as("operation %s (seed %s): status %s says what was wrong",
                        result.getId(), SEED, result.getStatusCode()).isNotBlank();
                assertThat(result.getStatusCode()).as("operation %s is refused, not a failure of the node: %s",
                        result.getId(), result.getStatusDescription())
                        .isNotIn(Status.Code.INTERNAL.value(), Status.Code.UNKNOWN.value());
            }
        }
        assertServes(scores);
    }

    /**
     * A stream's hello is answered with the largest message the node takes in, so that a
     * caller never sends one too large for it; a caller of another protocol version is
     * told so in the answer.
     */
    @Test
    void aStreamsHelloIsAnsweredWithTheLargestMessageTheNodeTakesIn() throws Exception {
        Cache<String, String> scores = start();
        for (int version : new int[] {Protocol.VERSION, Protocol.VERSION - 1}) {
            OperationCall hello = OperationCall.newBuilder().setId(Protocol.HELLO).setRequest(OperationRequest.newBuilder()
                    .setHeader(Protocol.clientHeader("fuzz").toBuilder().setProtocolVersion(version))).build();
            List<io.kamacache.proto.v1.OperationResult> answers = new CopyOnWriteArrayList<>();
            Status status = exchange(JCacheServiceGrpc.getOperationsMethod(), List.of(hello), 30, answers::add);
            assertThat(status.isOk()).as("the stream ends as asked: %s", status).isTrue();
            assertThat(answers).hasSize(1);
            io.kamacache.proto.v1.OperationResult answer = answers.get(0);
            assertThat(answer.getId()).isEqualTo(Protocol.HELLO);
            if (version == Protocol.VERSION) {
                assertThat(answer.getStatusCode()).isZero();
                assertThat(answer.getMaxMessageBytes()).isEqualTo(node.config().cluster().maxMessageBytes())
                        .isEqualTo(4 << 20);
            } else {
                assertThat(answer.getStatusCode()).isEqualTo(Status.Code.FAILED_PRECONDITION.value());
                assertThat(answer.getStatusDescription()).contains("protocol version " + version + " from client fuzz"
                        + " is not supported; this node speaks version " + Protocol.VERSION);
            }
        }
        assertServes(scores);
    }

    /**
     * The transport takes in messages of twice the node's limit, for events; a request over
     * the limit itself is refused alone, nothing of it stored, and the stream goes on.
     */
    @Test
    void aRequestOverTheNodesLimitIsRefusedAloneAndTheStreamGoesOn() throws Exception {
        Cache<String, String> scores = start();
        Codec codec = Codec.create(List.of(), null);
        ByteString key = ByteString.copyFrom(codec.encode("big"));
        List<io.kamacache.proto.v1.OperationResult> results = runOperations(List.of(
                OperationRequest.newBuilder().setHeader(Protocol.clientHeader("fuzz")).setCache("objects")
                        .setOp(Op.PUT).setKey(key).setValue(ByteString.copyFrom(codec.encode(new byte[5 << 20])))
                        .build(),
                get(ByteString.copyFrom(codec.encode("before")), 0)));
        assertThat(results.get(0).getStatusCode()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED.value());
        assertThat(results.get(0).getStatusDescription()).contains("takes this request in at most 4194304 bytes "
                + "(by cluster.maxMessageBytes), not 524").contains("nothing was run");
        assertThat(results.get(1).getStatusCode()).isZero();
        assertThat(codec.decode(results.get(1).getReply().getValue().toByteArray())).isEqualTo("kept");
        assertThat(node.getCache("objects").containsKey("big")).isFalse();
        assertServes(scores);
    }

    /**
     * The URLDNS gadget (a HashMap whose key is a java.net.URL: reading it resolves the URL's
     * host), sent as a value and as an entry processor: the node's allow-list refuses
     * java.net.URL, naming it, before anything of it runs, and stores nothing.
     */
    @Test
    void aSerializationGadgetIsRefusedByTheAllowList() throws Exception {
        Cache<String, String> scores = start();
        Cache<Object, Object> objects = node.getCache("objects");
        ByteArrayOutputStream stream = new ByteArrayOutputStream();
        stream.write(SERIALIZED);
        try (ObjectOutputStream out = new ObjectOutputStream(stream)) {
            HashMap<URL, String> gadget = new HashMap<>();
            gadget.put(new URL("http://gadget.invalid/"), "x");
            out.writeObject(gadget);
        }
        ByteString payload = ByteString.copyFrom(stream.toByteArray());
        Codec codec = Codec.create(List.of("javax.cache.*", "io.kamacache.**"), null); // reads the failures sent back
        ByteString key = ByteString.copyFrom(codec.encode("g"));
        List<io.kamacache.proto.v1.OperationResult> results = runOperations(List.of(
                OperationRequest.newBuilder().setHeader(Protocol.clientHeader("fuzz")).setCache("objects")
                        .setOp(Op.PUT).setKey(key).setValue(payload).build(),
                OperationRequest.newBuilder().setHeader(Protocol.clientHeader("fuzz")).setCache("objects")
                        .setOp(Op.INVOKE).setKey(key).setProcessor(payload).build()));
        String refusal = "class java.net.URL is not in the serialization allow-list";
        // the value comes back as the operation's failure, the processor, which the node reads first, as a status
        assertThat(codec.decode(results.get(0).getReply().getFailure().toByteArray())).asString().contains(refusal);
        assertThat(results.get(1).getStatusCode()).isEqualTo(Status.Code.INVALID_ARGUMENT.value());
        assertThat(results.get(1).getStatusDescription()).contains(refusal);
        assertThat(objects.containsKey("g")).as("nothing of it was stored").isFalse();
        assertServes(scores);
    }

    /**
     * A node checks that it owns every key of an operation unless the caller chose it by a
     * ring like its own: a caller that routed by another ring, or names none, is told that a
     * key another member owns has moved, and nothing runs.
     */
    @Test
    void aKeyAnotherMemberOwnsIsAnsweredAsMovedToACallerThatRoutedByAnotherRing() throws Exception {
        String self = FreePorts.loopbackAddress();
        String peer = FreePorts.loopbackAddress();
        String peers = "cluster:\n  peers: [" + self + ", " + peer + "]\n";
        try (KamaCacheManager other = new KamaCacheManager(null, URI.create("kamacache:peer"),
                getClass().getClassLoader(), new Properties(), KamaConfig.parse(peers, "test").withNodeAddress(peer),
                InstantSource.system())) {
            node = new KamaCacheManager(null, URI.create("kamacache:fuzz"), getClass().getClassLoader(),
                    new Properties(), KamaConfig.parse(peers, "test").withNodeAddress(self), InstantSource.system());
            channel = NettyChannelBuilder.forTarget(self).usePlaintext().build();
            Cache<String, String> scores = node.createCache("scores", new MutableConfiguration<String, String>()
                    .setTypes(String.class, String.class));
            scores.put("before", "kept");
            HashRing ring = node.ring();
            assertThat(ring.members()).containsExactlyInAnyOrder(self, peer);
            Codec codec = Codec.create(List.of(), null);
            ByteString mine = null;
            ByteString theirs = null;
            for (int i = 0; mine == null || theirs == null; i++) {
                byte[] key = codec.encode("key-" + i);
                if (ring.ownerOf(key).equals(self)) {
                    mine = ByteString.copyFrom(key);
                } else {
                    theirs = ByteString.copyFrom(key);
                }
            }
            long otherRing = HashRing.of(List.of(self)).fingerprint();
            List<io.kamacache.proto.v1.OperationResult> results = runOperations(List.of(
                    get(theirs, 0), get(theirs, otherRing), getAll(List.of(mine, theirs), otherRing),
                    get(mine, otherRing), get(mine, ring.fingerprint()), getAll(List.of(mine), 0)));
            for (io.kamacache.proto.v1.OperationResult moved : results.subList(0, 3)) {
                assertThat(moved.getStatusCode()).isEqualTo(Status.Code.UNAVAILABLE.value());
                assertThat(moved.getStatusDescription()).startsWith(CacheCluster.MovedException.MARK).contains(peer);
            }
            for (io.kamacache.proto.v1.OperationResult served : results.subList(3, 6)) {
                assertThat(served.getStatusCode()).as(served.getStatusDescription()).isZero();
            }
            assertServes(scores);
        }
    }

    private static OperationRequest get(ByteString key, long ring) {
        return OperationRequest.newBuilder().setHeader(Protocol.clientHeader("fuzz")).setCache("scores")
                .setOp(Op.GET).setKey(key).setRing(ring).build();
    }

    private static OperationRequest getAll(List<ByteString> keys, long ring) {
        return OperationRequest.newBuilder().setHeader(Protocol.clientHeader("fuzz")).setCache("scores")
                .setOp(Op.GET_ALL).addAllKeys(keys).setRing(ring).build();
    }

    /** Sends {@code requests} on one operation stream and returns their results, in the order sent. */
    private List<io.kamacache.proto.v1.OperationResult> runOperations(List<OperationRequest> requests) throws Exception {
        List<OperationCall> calls = new ArrayList<>();
        for (int i = 0; i < requests.size(); i++) { // id 0 is the hello
            calls.add(OperationCall.newBuilder().setId(i + 1).setRequest(requests.get(i)).build());
        }
        io.kamacache.proto.v1.OperationResult[] results = new io.kamacache.proto.v1.OperationResult[requests.size()];
        Status status = exchange(JCacheServiceGrpc.getOperationsMethod(), calls, 90, result -> {
            synchronized (results) {
                results[(int) result.getId() - 1] = result;
            }
        });
        assertThat(status.isOk()).as("the stream ends as asked: %s", status).isTrue();
        synchronized (results) {
            assertThat(results).as("one answer per operation").doesNotContainNull();
            return List.of(results);
        }
    }

    /** An operation with a valid header, and everything else random: op, cache, keys, values, processors. */
    private static OperationRequest randomRequest(Random random) {
        OperationRequest.Builder request = OperationRequest.newBuilder()
                .setHeader(random.nextInt(20) == 0 ? Protocol.header("127.0.0.1:1", false).toBuilder()
                        .setProtocolVersion(random.nextInt(Protocol.VERSION + 2)).build() : Protocol.clientHeader("fuzz"))
                .setCache(random.nextInt(10) == 0 ? "no-such-cache" : random.nextBoolean() ? "scores" : "objects")
                .setOpValue(random.nextInt(Op.values().length + 1))
                .setKey(bytes(random))
                .setValue(bytes(random))
                .setExpected(bytes(random))
                .setReplaceExisting(random.nextBoolean())
                .setEventMask(random.nextInt());
        if (random.nextInt(4) == 0) {
            request.setProcessor(bytes(random)).addArguments(bytes(random));
        }
        for (int i = random.nextInt(4); i > 0; i--) {
            request.addKeys(bytes(random));
            if (random.nextBoolean()) {
                request.addValues(bytes(random));
            }
        }
        return request.build();
    }

    /**
     * Random bytes, or an encoding the codec knows with a random body: a String, a
     * serialized stream, or nothing at all.
     */
    private static ByteString bytes(Random random) {
        byte[] body = new byte[random.nextInt(64)];
        random.nextBytes(body);
        return switch (random.nextInt(4)) {
            case 0 -> ByteString.EMPTY;
            case 1 -> ByteString.copyFrom(body);
            case 2 -> ByteString.copyFrom(new byte[] {(byte) random.nextInt(16)}).concat(ByteString.copyFrom(body));
            default -> ByteString.copyFrom(new byte[] {(byte) 0xAC, (byte) 0xED, 0, 5}).concat(ByteString.copyFrom(body));
        };
    }

    /**
     * Sends {@code messages} on one call of {@code method}, half-closes it and hands every
     * answer to {@code answers}; the status it ends with, which must come within
     * {@code seconds}.
     */
    private <Q, A> Status exchange(MethodDescriptor<Q, A> method, List<Q> messages, long seconds, Consumer<A> answers)
            throws Exception {
        ClientCall<Q, A> call = channel.newCall(method, CallOptions.DEFAULT.withDeadlineAfter(seconds, TimeUnit.SECONDS));
        CompletableFuture<Status> ended = new CompletableFuture<>();
        call.start(new ClientCall.Listener<>() {
            @Override
            public void onMessage(A answer) {
                answers.accept(answer);
                call.request(1);
            }

            @Override
            public void onClose(Status status, Metadata trailers) {
                ended.complete(status);
            }
        }, new Metadata());
        call.request(1);
        messages.forEach(call::sendMessage);
        call.halfClose();
        return ended.get(seconds + 5, TimeUnit.SECONDS);
    }

    private void assertServes(Cache<String, String> scores) {
        assertThat(scores.get("before")).isEqualTo("kept");
        scores.put("after", "stored");
        assertThat(scores.get("after")).isEqualTo("stored");
    }
}
