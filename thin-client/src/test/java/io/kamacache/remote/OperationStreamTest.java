package io.kamacache.remote;

import com.google.protobuf.ByteString;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.StreamObserver;
import io.kamacache.proto.v1.JCacheServiceGrpc;
import io.kamacache.proto.v1.OperationCall;
import io.kamacache.proto.v1.OperationReply;
import io.kamacache.proto.v1.OperationRequest;
import io.kamacache.proto.v1.OperationResult;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The operation stream against a member on loopback that answers each call with its key. */
class OperationStreamTest {

    private static final int MEMBER_LIMIT = 64 * 1024;

    private Server member;
    private ManagedChannel channel;

    /** Starts a member that takes in messages of {@code limit} bytes and tells so in answer to the hello. */
    private OperationStream connect(int limit, Status helloAnswer) throws IOException {
        member = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0)).directExecutor()
                .maxInboundMessageSize(limit).addService(new Echo(limit, helloAnswer)).build().start();
        String address = "127.0.0.1:" + member.getPort();
        channel = NettyChannelBuilder.forTarget(address).usePlaintext().build();
        return new OperationStream(channel, address, Duration.ofSeconds(5), new OperationStream.Waiting(Duration.ZERO));
    }

    @AfterEach
    void stop() throws InterruptedException {
        if (channel != null) {
            channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
        if (member != null) {
            member.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
    }

    private static OperationRequest request(String key, int valueBytes) {
        return OperationRequest.newBuilder().setHeader(Protocol.clientHeader("test")).setCache("c")
                .setKey(ByteString.copyFromUtf8(key)).setValue(ByteString.copyFrom(new byte[valueBytes])).build();
    }

    @Test
    void callersThatStartTogetherOnANewStreamAllGetTheirAnswers() throws Exception {
        OperationStream stream = connect(MEMBER_LIMIT, Status.OK);
        ExecutorService callers = Executors.newFixedThreadPool(8);
        try {
            for (int round = 0; round < 100; round++) {
                stream.close(); // the next calls open a new stream, all at once
                CountDownLatch start = new CountDownLatch(1);
                List<Future<String>> answers = new ArrayList<>();
                for (int c = 0; c < 8; c++) {
                    String key = "key-" + round + "-" + c;
                    answers.add(callers.submit(() -> {
                        start.await();
                        return stream.call(request(key, 10)).getValue().toStringUtf8();
                    }));
                }
                start.countDown();
                for (int c = 0; c < 8; c++) {
                    assertThat(answers.get(c).get(10, TimeUnit.SECONDS)).isEqualTo("key-" + round + "-" + c);
                }
            }
        } finally {
            callers.shutdownNow();
        }
    }

    @Test
    void aCallLargerThanTheMemberTakesInIsRefusedUnsentAndTheStreamServesOn() throws Exception {
        OperationStream stream = connect(MEMBER_LIMIT, Status.OK);
        assertThat(stream.call(request("first", 10)).getValue().toStringUtf8()).isEqualTo("first");
        SentCall inFlight = stream.send(request("in flight", 10));

        assertThatThrownBy(() -> stream.send(request("huge", MEMBER_LIMIT)))
                .isInstanceOfSatisfying(StatusRuntimeException.class, e -> assertThat(e.getStatus().getCode())
                        .isEqualTo(Status.Code.RESOURCE_EXHAUSTED))
                .hasMessageContaining("is more than the " + MEMBER_LIMIT + " 127.0.0.1:" + member.getPort()
                        + " takes in")
                .hasMessageContaining("nothing was sent");
        assertThat(inFlight.await().getValue().toStringUtf8()).isEqualTo("in flight");
        assertThat(stream.call(request("after", MEMBER_LIMIT - 100)).getValue().toStringUtf8()).isEqualTo("after");
    }

    @Test
    void aHelloRefusedFailsTheCallsWithTheMembersAnswer() throws Exception {
        OperationStream stream = connect(MEMBER_LIMIT, Status.FAILED_PRECONDITION.withDescription("version 9 only"));
        for (int i = 0; i < 2; i++) {
            assertThatThrownBy(() -> stream.call(request("k", 10)))
                    .isInstanceOfSatisfying(StatusRuntimeException.class, e -> assertThat(e.getStatus().getCode())
                            .isEqualTo(Status.Code.FAILED_PRECONDITION))
                    .hasMessageContaining("version 9 only");
        }
    }

    /** Answers the hello with its limit (or {@code helloAnswer} when that is not OK), and every other call with its key. */
    private static final class Echo extends JCacheServiceGrpc.JCacheServiceImplBase {
        private final int limit;
        private final Status helloAnswer;

        Echo(int limit, Status helloAnswer) {
            this.limit = limit;
            this.helloAnswer = helloAnswer;
        }

        @Override
        public StreamObserver<OperationCall> operations(StreamObserver<OperationResult> results) {
            return new StreamObserver<>() {
                @Override
                public synchronized void onNext(OperationCall call) {
                    OperationResult.Builder result = OperationResult.newBuilder().setId(call.getId());
                    if (call.getId() != Protocol.HELLO) {
                        result.setReply(OperationReply.newBuilder().setValue(call.getRequest().getKey()));
                    } else if (helloAnswer.isOk()) {
                        result.setMaxMessageBytes(limit);
                    } else {
                        result.setStatusCode(helloAnswer.getCode().value()).setStatusDescription(helloAnswer.getDescription());
                    }
                    results.onNext(result.build());
                }

                @Override
                public void onError(Throwable t) {
                }

                @Override
                public synchronized void onCompleted() {
                    results.onCompleted();
                }
            };
        }
    }
}
