package io.kamacache;

import io.grpc.BindableService;
import io.grpc.Context;
import io.grpc.Metadata;
import io.grpc.Server;
import io.grpc.ServerBuilder;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.kamacache.concurrent.SerialExecutor;
import io.kamacache.remote.PeerChannels;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The node's gRPC server, listening on its own address. Calls start on the network
 * threads; those of the inline methods stay there (their handlers never block), every
 * other call moves to the server's pool, its messages in order. A call that stays saves
 * two thread hand-offs, a good part of a call's cost on loopback.
 */
final class NodeServer {

    private final Server server;
    private final ExecutorService pool;
    private final String address;

    private NodeServer(Server server, ExecutorService pool, String address) {
        this.server = server;
        this.pool = pool;
        this.address = address;
    }

    /** The address it listens on: the one asked for, with the port actually bound. */
    String address() {
        return address;
    }

    /**
     * Listens on {@code address} ({@code host:port}), serving the node and the faces built on
     * it; calls of {@code inlineMethods} (full gRPC method names) run on the network thread.
     *
     * @throws UncheckedIOException when the port cannot be bound; the message names it
     */
    static NodeServer start(Node node, String address, int maxMessageBytes, List<BindableService> services,
                            Set<String> inlineMethods) {
        int colon = address.lastIndexOf(':');
        String host = address.substring(0, colon).replace("[", "").replace("]", "");
        int port = Integer.parseInt(address.substring(colon + 1));
        AtomicInteger threads = new AtomicInteger();
        ExecutorService pool = Executors.newCachedThreadPool(task -> {
            Thread thread = new Thread(task, "kamacache-rpc-" + threads.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        });
        try {
            ServerBuilder<?> builder = NettyServerBuilder.forAddress(new InetSocketAddress(host, port))
                    .directExecutor()
                    .permitKeepAliveTime(PeerChannels.KEEPALIVE_SECONDS / 2, TimeUnit.SECONDS) // with room for timer jitter
                    .intercept(offloading(pool, inlineMethods))
                    .addService(new NodeService(node))
                    .maxInboundMessageSize(maxMessageBytes);
            services.forEach(builder::addService);
            Server server = builder.build().start();
            return new NodeServer(server, pool, address.substring(0, colon) + ":" + server.getPort());
        } catch (IOException e) {
            pool.shutdownNow();
            throw new UncheckedIOException("node " + address + " cannot listen on " + address + ": " + e.getMessage(), e);
        }
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

    /** Stops taking calls and gives the ones in flight two seconds to finish. */
    void stop() {
        server.shutdown();
        try {
            if (!server.awaitTermination(2, TimeUnit.SECONDS)) {
                server.shutdownNow();
            }
        } catch (InterruptedException e) {
            server.shutdownNow();
            Thread.currentThread().interrupt();
        } finally {
            pool.shutdownNow();
        }
    }
}
