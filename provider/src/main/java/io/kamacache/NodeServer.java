package io.kamacache;

import io.grpc.BindableService;
import io.grpc.Server;
import io.grpc.ServerBuilder;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** The node's gRPC server, listening on its own address. */
final class NodeServer {

    private final Server server;
    private final String address;

    private NodeServer(Server server, String address) {
        this.server = server;
        this.address = address;
    }

    /** The address it listens on: the one asked for, with the port actually bound. */
    String address() {
        return address;
    }

    /**
     * Listens on {@code address} ({@code host:port}), serving the node and the faces built on it.
     *
     * @throws UncheckedIOException when the port cannot be bound; the message names it
     */
    static NodeServer start(Node node, String address, int maxMessageBytes, List<BindableService> services) {
        int colon = address.lastIndexOf(':');
        String host = address.substring(0, colon).replace("[", "").replace("]", "");
        int port = Integer.parseInt(address.substring(colon + 1));
        try {
            ServerBuilder<?> builder = NettyServerBuilder.forAddress(new InetSocketAddress(host, port))
                    .addService(new NodeService(node))
                    .maxInboundMessageSize(maxMessageBytes);
            services.forEach(builder::addService);
            Server server = builder.build().start();
            return new NodeServer(server, address.substring(0, colon) + ":" + server.getPort());
        } catch (IOException e) {
            throw new UncheckedIOException("node " + address + " cannot listen on " + address + ": " + e.getMessage(), e);
        }
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
        }
    }
}
