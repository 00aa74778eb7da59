package io.kamacache;

import com.google.protobuf.InvalidProtocolBufferException;
import io.grpc.BindableService;
import io.grpc.Context;
import io.grpc.ForwardingServerCallListener;
import io.grpc.Metadata;
import io.grpc.Server;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.kamacache.concurrent.SerialExecutor;
import io.kamacache.config.TlsSettings;
import io.kamacache.metrics.NodeMetrics;
import io.kamacache.remote.MessagePieces;
import io.kamacache.remote.PeerChannels;
import io.kamacache.remote.Tls;
import io.kamacache.remote.Tokens;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.LogRecord;

/**
 * The node's gRPC server, listening on its own address. Calls start on the network
 * threads; those of the inline methods stay there (their handlers never block), every
 * other call moves to the server's pool, its messages in order. A call that stays saves
 * two thread hand-offs, a good part of a call's cost on loopback. Stopping waits a little
 * for the calls in flight, but not for the lasting ones (streams open as long as their
 * caller wants), which it ends.
 */
final class NodeServer {

    private static final System.Logger LOG = System.getLogger(NodeServer.class.getName());
    /**
     * Where grpc-java logs, at SEVERE with a stack trace, each message it could not parse. A
     * caller that sends garbage gets INTERNAL with the reason already; one such record each
     * would let it flood the log, so {@link #quietUndecodable} turns them into a debug line.
     * Held here, as a JUL logger without a strong reference may be collected with its filter.
     */
    private static final java.util.logging.Logger GRPC_EXECUTOR =
            java.util.logging.Logger.getLogger("io.grpc.internal.SerializeReentrantCallsDirectExecutor");

    static {
        GRPC_EXECUTOR.setFilter(NodeServer::quietUndecodable);
    }

    private final Server server;
    private final ExecutorService pool;
    private final String address;
    /** Calls started and not yet over, lasting ones aside. */
    private final AtomicInteger inFlight;

    private NodeServer(Server server, ExecutorService pool, String address, AtomicInteger inFlight) {
        this.server = server;
        this.pool = pool;
        this.address = address;
        this.inFlight = inFlight;
    }

    /** The address it listens on: the one asked for, with the port actually bound. */
    String address() {
        return address;
    }

    /**
     * Listens on {@code address} ({@code host:port}), serving the node and the faces built on
     * it; calls of {@code inlineMethods} (full gRPC method names) run on the network thread,
     * calls of {@code lastingMethods} are not waited for when it stops; with a {@code token}
     * (null for none) every call must carry it; with {@code tls} (null for none) it serves TLS.
     *
     * @throws UncheckedIOException when the port cannot be bound; the message names it
     */
    static NodeServer start(Node node, String address, int maxMessageBytes, List<BindableService> services,
                            Set<String> inlineMethods, Set<String> lastingMethods, String token,
                            TlsSettings tls) {
        int colon = address.lastIndexOf(':');
        String host = address.substring(0, colon).replace("[", "").replace("]", "");
        int port = Integer.parseInt(address.substring(colon + 1));
        AtomicInteger threads = new AtomicInteger();
        AtomicInteger inFlight = new AtomicInteger();
        ExecutorService pool = Executors.newCachedThreadPool(task -> {
            Thread thread = new Thread(task, "kamacache-rpc-" + threads.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        });
        try {
            NettyServerBuilder builder = NettyServerBuilder.forAddress(new InetSocketAddress(host, port))
                    .directExecutor()
                    .permitKeepAliveTime(PeerChannels.KEEPALIVE_SECONDS / 2, TimeUnit.SECONDS) // with room for timer jitter
                    .intercept(offloading(pool, inlineMethods))
                    .intercept(counting(inFlight, lastingMethods, node.metrics()))
                    .addService(new NodeService(node))
                    .maxInboundMessageSize(MessagePieces.inbound(maxMessageBytes));
            services.forEach(builder::addService);
            if (token != null) {
                builder.intercept(Tokens.requiring(token)); // added last, so it runs first
            }
            if (tls != null) {
                builder.sslContext(Tls.forServing(tls));
            }
            Server server = builder.build().start();
            return new NodeServer(server, pool, address.substring(0, colon) + ":" + server.getPort(), inFlight);
        } catch (IOException e) {
            pool.shutdownNow();
            throw new UncheckedIOException("node " + address + " cannot listen on " + address + ": " + e.getMessage(), e);
        }
    }

    /** Whether to let a grpc-java record through: not when a caller's message could not be parsed. */
    private static boolean quietUndecodable(LogRecord record) {
        for (Throwable cause = record.getThrown(); cause != null; cause = cause.getCause()) {
            if (cause instanceof InvalidProtocolBufferException) {
                LOG.log(System.Logger.Level.DEBUG, "refused a message that could not be parsed: " + cause.getMessage());
                return false;
            }
        }
        return true;
    }

    /** Moves every call but those of {@code inlineMethods} to {@code pool}, each call's callbacks in order. */
    private static ServerInterceptor offloading(Executor pool, Set<String> inlineMethods) {
        return new ServerInterceptor() {
            @Override
            public <ReqT, RespT> ServerCall.Listener<ReqT> interceptCall(ServerCall<ReqT, RespT> call, Metadata headers,
                                                                         ServerCallHandler<ReqT, RespT> next) {
                ServerCall.Listener<ReqT> listener = next.startCall(call, headers);
                if (inlineMethods.contains(call.getMethodDescriptor().getFullMethodName())) {
                    return listener;
                }
                SerialExecutor serial = new SerialExecutor(pool);
                return new ServerCall.Listener<>() {
                    private void later(Runnable callback) {
                        serial.execute(Context.current().wrap(callback));
                    }

                    @Override
                    public void onMessage(ReqT message) {
                        later(() -> listener.onMessage(message));
                    }

                    @Override
                    public void onHalfClose() {
                        later(listener::onHalfClose);
                    }

                    @Override
                    public void onCancel() {
                        later(listener::onCancel);
                    }

                    @Override
                    public void onComplete() {
                        later(listener::onComplete);
                    }

                    @Override
                    public void onReady() {
                        later(listener::onReady);
                    }
                };
            }
        };
    }

    /**
     * Counts the calls in flight but those of {@code lastingMethods}, and times them by
     * method in {@code metrics} (a lasting call's operations are timed where they are run).
     */
    private static ServerInterceptor counting(AtomicInteger inFlight, Set<String> lastingMethods, NodeMetrics metrics) {
        return new ServerInterceptor() {
            @Override
            public <ReqT, RespT> ServerCall.Listener<ReqT> interceptCall(ServerCall<ReqT, RespT> call, Metadata headers,
                                                                         ServerCallHandler<ReqT, RespT> next) {
                String method = call.getMethodDescriptor().getFullMethodName();
                if (lastingMethods.contains(method)) {
                    return next.startCall(call, headers);
                }
                long start = System.nanoTime();
                inFlight.incrementAndGet();
                AtomicBoolean over = new AtomicBoolean();
                Runnable end = () -> {
                    if (over.compareAndSet(false, true)) {
                        inFlight.decrementAndGet();
                        metrics.served(method).update(System.nanoTime() - start, TimeUnit.NANOSECONDS);
                    }
                };
                try {
                    return new ForwardingServerCallListener.SimpleForwardingServerCallListener<>(
                            next.startCall(call, headers)) {
                        @Override
                        public void onComplete() {
                            end.run();
                            super.onComplete();
                        }

                        @Override
                        public void onCancel() {
                            end.run();
                            super.onCancel();
                        }
                    };
                } catch (RuntimeException e) {
                    end.run();
                    throw e;
                }
            }
        };
    }

    /**
     * Stops taking calls, gives the ones in flight two seconds to finish, and ends the
     * lasting ones (their callers see UNAVAILABLE and go elsewhere).
     */
    void stop() {
        server.shutdown();
        try {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
            while (inFlight.get() > 0 && System.nanoTime() < deadline) {
                Thread.sleep(5);
            }
            server.shutdownNow();
            server.awaitTermination(1, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            server.shutdownNow();
            Thread.currentThread().interrupt();
        } finally {
            pool.shutdownNow();
        }
    }
}
