package io.kamacache.bench;

import com.google.protobuf.ByteString;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.StreamObserver;
import io.kamacache.Group;
import io.kamacache.Node;
import io.kamacache.discovery.Membership;
import io.kamacache.proto.v1.CacheServiceGrpc;
import io.kamacache.proto.v1.GetRequest;
import io.kamacache.proto.v1.GetResponse;
import io.kamacache.remote.Protocol;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

/**
 * A get that crosses the network: node A asks node B, the owner of every key used, over
 * loopback ({@code impl=kamacache}), beside the floor we cannot beat, a bare grpc-java
 * unary call carrying the same payload to a server that answers it from memory
 * ({@code impl=grpc-echo}). Values of 100 B and 10 KiB. Run in {@link Mode#SampleTime} for
 * the latency percentiles and in {@link Mode#Throughput}.
 */
@State(Scope.Benchmark)
@BenchmarkMode({Mode.SampleTime, Mode.Throughput})
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class ClusterGetBenchmark {

    static final int KEYS = 256;

    @Param({"kamacache", "grpc-echo"})
    public String impl;

    @Param({"100", "10240"})
    public int valueBytes;

    private Node caller;
    private Node owner;
    private Group group;
    private String[] keys;
    private Server echoServer;
    private ManagedChannel echoChannel;
    private CacheServiceGrpc.CacheServiceBlockingStub echo;
    private GetRequest echoRequest;

    @State(Scope.Thread)
    public static class Cursor {
        int next;
    }

    @Setup(Level.Trial)
    public void setUp() throws IOException {
        byte[] value = new byte[valueBytes];
        new SplittableRandom(7).nextBytes(value);
        if (impl.equals("kamacache")) {
            String a = freeAddress();
            String b = freeAddress();
            caller = Node.builder().selfAddress(a).membership(Membership.staticPeers(List.of(a, b))).build();
            owner = Node.builder().selfAddress(b).membership(Membership.staticPeers(List.of(a, b))).build();
            group = caller.newGroup("bench", key -> null);
            Group owned = owner.newGroup("bench", key -> null);
            List<String> ownedKeys = new ArrayList<>();
            for (int i = 0; ownedKeys.size() < KEYS; i++) {
                String key = "key-" + i;
                if (owner.ring().ownerOf(key).equals(b)) {
                    owned.set(key, value);
                    ownedKeys.add(key);
                }
            }
            keys = ownedKeys.toArray(String[]::new);
        } else {
            GetResponse answer = GetResponse.newBuilder().setFound(true).setValue(ByteString.copyFrom(value)).build();
            echoServer = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0))
                    .addService(new CacheServiceGrpc.CacheServiceImplBase() {
                        @Override
                        public void get(GetRequest request, StreamObserver<GetResponse> response) {
                            response.onNext(answer);
                            response.onCompleted();
                        }
                    }).build().start();
            echoChannel = NettyChannelBuilder.forAddress("127.0.0.1", echoServer.getPort()).usePlaintext().build();
            echo = CacheServiceGrpc.newBlockingStub(echoChannel);
            echoRequest = GetRequest.newBuilder().setHeader(Protocol.header("bench", false))
                    .setGroup("bench").setKey(ByteString.copyFromUtf8("key-1")).build();
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() throws InterruptedException {
        if (caller != null) {
            caller.close();
            owner.close();
        }
        if (echoChannel != null) {
            echoChannel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
            echoServer.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
    }

    @Benchmark
    public Object get(Cursor cursor) {
        if (group != null) {
            return group.get(keys[cursor.next++ & (KEYS - 1)]);
        }
        return echo.withDeadlineAfter(5, TimeUnit.SECONDS).get(echoRequest);
    }

    /** A loopback address with a port free now. */
    static String freeAddress() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return "127.0.0.1:" + socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
