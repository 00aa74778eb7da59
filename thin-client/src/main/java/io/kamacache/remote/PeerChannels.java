package io.kamacache.remote;

import io.grpc.Channel;
import io.grpc.ManagedChannel;
import io.grpc.stub.AbstractStub;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.netty.channel.EventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.epoll.Epoll;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollEventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollSocketChannel;
import io.grpc.netty.shaded.io.netty.channel.nio.NioEventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.socket.nio.NioSocketChannel;
import io.grpc.netty.shaded.io.netty.handler.ssl.SslContext;
import io.grpc.netty.shaded.io.netty.util.concurrent.DefaultThreadFactory;
import io.kamacache.config.ClusterSettings;
import io.kamacache.proto.v1.CacheServiceGrpc;
import io.kamacache.proto.v1.OperationReply;
import io.kamacache.proto.v1.OperationRequest;
import io.kamacache.proto.v1.RequestHeader;

import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * One gRPC channel per peer address, opened on first use and reused by every call to that
 * peer, and on it one {@link OperationStream} for the JCache operations. Stubs and
 * operations carry the call deadline, so no remote call waits longer than it; messages
 * are limited to {@code maxMessageBytes} both ways. {@link #close()} shuts every channel
 * and stops the network threads.
 *
 * <p>The channels share network threads of their own, {@link #networkThreads()} of them,
 * rather than gRPC's process-wide ones: there each channel lands on whichever thread comes
 * next, so the channels to three servers shared one thread in one run and were spread over
 * two or three in the next, and each thread more is one more to wake per reply. Fewer
 * threads read more replies per wake-up: a batch's answers from every owner, the replies to
 * several callers.
 */
public final class PeerChannels implements AutoCloseable {

    /** How often a channel with a call open pings a silent peer; nodes allow pings twice as often. */
    public static final long KEEPALIVE_SECONDS = 30;

    private final Map<String, ManagedChannel> channels = new ConcurrentHashMap<>();
    private final Map<String, OperationStream> operations = new ConcurrentHashMap<>();
    private final Duration deadline;
    private final int maxMessageBytes;
    private final OperationStream.Waiting waiting;
    private final String token;
    private final SslContext tls;
    private final EventLoopGroup network;
    private final Class<? extends io.grpc.netty.shaded.io.netty.channel.Channel> channelType;
    private volatile boolean closed;

    /**
     * Channels with the cluster's deadline ({@code rpcTimeout}), message limit, reply spin
     * (how long a caller whose operation is the only one in flight spins for its reply before
     * it sleeps), token (sent with every call) and TLS; its peers and etcd are not used.
     *
     * @throws IllegalArgumentException when the TLS files cannot be used
     */
    public PeerChannels(ClusterSettings settings) {
        this.deadline = settings.rpcTimeout();
        this.maxMessageBytes = settings.maxMessageBytes();
        this.waiting = new OperationStream.Waiting(settings.replySpin());
        this.token = settings.token();
        this.tls = settings.tls() == null ? null : Tls.forCalls(settings.tls());
        DefaultThreadFactory threads = new DefaultThreadFactory("kamacache-network", true);
        if (Epoll.isAvailable()) {
            this.network = new EpollEventLoopGroup(networkThreads(), threads);
            this.channelType = EpollSocketChannel.class;
        } else {
            this.network = new NioEventLoopGroup(networkThreads(), threads);
            this.channelType = NioSocketChannel.class;
        }
    }

    /**
     * How many network threads a set of channels has: one per four processors, at least one.
     * On two cores one thread for a client's channels to three servers did more than two or
     * three threads on every load measured (docs/benchmarks.md); larger hosts, not measured,
     * get a thread per four cores and leave the others to the callers.
     */
    public static int networkThreads() {
        return Math.max(1, Runtime.getRuntime().availableProcessors() / 4);
    }

    public Duration deadline() {
        return deadline;
    }

    public int maxMessageBytes() {
        return maxMessageBytes;
    }

    /** A blocking stub for {@code address}, its deadline starting now. */
    public CacheServiceGrpc.CacheServiceBlockingStub blocking(String address) {
        return CacheServiceGrpc.newBlockingStub(channel(address))
                .withDeadlineAfter(deadline.toNanos(), TimeUnit.NANOSECONDS);
    }

    /** An asynchronous stub for {@code address}, its deadline starting now. */
    public CacheServiceGrpc.CacheServiceStub async(String address) {
        return CacheServiceGrpc.newStub(channel(address))
                .withDeadlineAfter(deadline.toNanos(), TimeUnit.NANOSECONDS);
    }

    /** A stub of any service for {@code address}, made by {@code newStub}, its deadline starting now. */
    public <S extends AbstractStub<S>> S stub(String address, Function<Channel, S> newStub) {
        return newStub.apply(channel(address)).withDeadlineAfter(deadline.toNanos(), TimeUnit.NANOSECONDS);
    }

    /**
     * A stub of any service for {@code address} without a deadline: for a subscription,
     * which lasts until its caller cancels it or the peer goes away.
     */
    public <S extends AbstractStub<S>> S subscriptionStub(String address, Function<Channel, S> newStub) {
        return newStub.apply(channel(address));
    }

    /**
     * Runs a JCache operation at {@code address} on its operation stream.
     *
     * @throws io.grpc.StatusRuntimeException as a unary call would fail
     */
    public OperationReply run(String address, OperationRequest request) {
        return stream(address).call(request);
    }

    /**
     * Sends a JCache operation to {@code address} on its operation stream without waiting;
     * the reply is the returned call's to await.
     *
     * @throws io.grpc.StatusRuntimeException UNAVAILABLE when the stream has failed, RESOURCE_EXHAUSTED
     *                                        when the request is larger than the member takes in
     */
    public SentCall send(String address, OperationRequest request) {
        return stream(address).send(request);
    }

    /**
     * The largest message to send the member at {@code address}: this side's
     * {@link #maxMessageBytes()}, or the member's own limit when that is smaller. The member
     * tells it once per stream, in answer to the hello, which carries {@code header}.
     *
     * @throws io.grpc.StatusRuntimeException when the member cannot be asked within the deadline
     */
    public int messageLimit(String address, RequestHeader header) {
        return MessagePieces.limit(maxMessageBytes, stream(address).limit(header, System.nanoTime() + deadline.toNanos()));
    }

    private OperationStream stream(String address) {
        return operations.computeIfAbsent(address, a -> new OperationStream(channel(a), a, deadline, waiting));
    }

    /** Closes the channels of peers that are no longer members. */
    public void retain(Set<String> members) {
        channels.entrySet().removeIf(entry -> {
            if (members.contains(entry.getKey())) {
                return false;
            }
            OperationStream stream = operations.remove(entry.getKey());
            if (stream != null) {
                stream.close(); // a stream would keep its channel from shutting down
            }
            entry.getValue().shutdown();
            return true;
        });
    }

    private ManagedChannel channel(String address) {
        if (closed) {
            throw new IllegalStateException("peer channels are closed");
        }
        return channels.computeIfAbsent(address, a -> {
            NettyChannelBuilder builder = NettyChannelBuilder.forTarget(a)
                    .eventLoopGroup(network)
                    .channelType(channelType)
                    .maxInboundMessageSize(MessagePieces.inbound(maxMessageBytes))
                    // a subscription has no deadline: pings notice a peer that went silent under it
                    .keepAliveTime(KEEPALIVE_SECONDS, TimeUnit.SECONDS)
                    .keepAliveTimeout(KEEPALIVE_SECONDS / 3, TimeUnit.SECONDS);
            if (token != null) {
                builder.intercept(Tokens.sending(token));
            }
            if (tls == null) {
                builder.usePlaintext();
            } else {
                builder.sslContext(tls);
            }
            return builder.build();
        });
    }

    /** Shuts every channel down, waiting up to a second for calls in flight, then stops the network threads. */
    @Override
    public void close() {
        closed = true;
        operations.values().forEach(OperationStream::close);
        operations.clear();
        channels.values().forEach(ManagedChannel::shutdown);
        for (ManagedChannel channel : channels.values()) {
            try {
                if (!channel.awaitTermination(1, TimeUnit.SECONDS)) {
                    channel.shutdownNow();
                }
            } catch (InterruptedException e) {
                channel.shutdownNow();
                Thread.currentThread().interrupt();
            }
        }
        channels.clear();
        network.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(2, TimeUnit.SECONDS);
    }
}
