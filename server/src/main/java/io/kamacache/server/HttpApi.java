package io.kamacache.server;

import io.javalin.Javalin;
import io.javalin.http.Context;
import io.javalin.http.HttpStatus;
import io.kamacache.config.CacheSettings;
import io.kamacache.jcache.KamaCacheManager;
import io.kamacache.ring.HashRing;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The server's HTTP face, on {@code http.port} of the node's host: health checks for
 * orchestrators and the read-only view of the node an operator asks for first.
 *
 * <ul>
 *   <li>{@code GET /health/live}: 200 while the process serves HTTP at all;</li>
 *   <li>{@code GET /health/ready}: 200 once the node knows its members (it is on its own
 *       ring and the manager is open), 503 otherwise;</li>
 *   <li>{@code GET /api/v1/cluster}: this node, the members with their share of the ring,
 *       the version;</li>
 *   <li>{@code GET /api/v1/groups}: the caches this node serves, with their settings.</li>
 * </ul>
 *
 * Every answer is JSON; an error is {@code {"error": "..."}} with its status (404 for a path
 * that names nothing). {@link #close()} stops the HTTP server and its threads.
 */
final class HttpApi implements AutoCloseable {

    private final Javalin app;

    private HttpApi(Javalin app) {
        this.app = app;
    }

    /**
     * Serves {@code manager}'s node, known as {@code self}, on {@code host:port} (port 0: any free port).
     *
     * @throws IllegalStateException when the port cannot be bound; the message names it
     */
    static HttpApi start(KamaCacheManager manager, String self, String version, String host, int port) {
        Javalin app = Javalin.create(config -> {
            config.startup.showJavalinBanner = false;
            config.jetty.host = host;
            config.jetty.port = port;
            config.routes.get("/health/live", ctx -> ctx.json(Map.of("status", "live")));
            config.routes.get("/health/ready", ctx -> ready(ctx, manager, self));
            config.routes.get("/api/v1/cluster", ctx -> ctx.json(cluster(manager, self, version)));
            config.routes.get("/api/v1/groups", ctx -> ctx.json(groups(manager)));
            config.routes.error(HttpStatus.NOT_FOUND, ctx -> {
                String type = ctx.res().getContentType();
                if (type == null || !type.startsWith("application/json")) { // not a handler's own 404
                    ctx.json(error("no such resource: " + ctx.method() + " " + ctx.path()));
                }
            });
            config.routes.exception(Exception.class, (e, ctx) -> ctx.status(HttpStatus.INTERNAL_SERVER_ERROR)
                    .json(error(e.getClass().getSimpleName() + ": " + e.getMessage())));
        });
        try {
            app.start();
        } catch (RuntimeException e) {
            app.stop();
            throw new IllegalStateException("the HTTP API cannot listen on " + host + ":" + port + ": " + e.getMessage(), e);
        }
        return new HttpApi(app);
    }

    /** The port it listens on. */
    int port() {
        return app.port();
    }

    private static void ready(Context ctx, KamaCacheManager manager, String self) {
        HashRing ring = manager.isClosed() ? null : manager.ring();
        if (ring == null || !ring.contains(self)) {
            ctx.status(HttpStatus.SERVICE_UNAVAILABLE).json(Map.of("status", "not ready",
                    "reason", manager.isClosed() ? "the node is stopping" : "the node is not on its ring yet"));
            return;
        }
        ctx.json(Map.of("status", "ready", "members", ring.size()));
    }

    private static Map<String, Object> cluster(KamaCacheManager manager, String self, String version) {
        HashRing ring = manager.ring();
        List<Map<String, Object>> members = new ArrayList<>();
        new TreeMap<>(ring.shares()).forEach((address, share) -> {
            Map<String, Object> member = new LinkedHashMap<>();
            member.put("address", address);
            member.put("share", share);
            member.put("self", address.equals(self));
            members.add(member);
        });
        Map<String, Object> cluster = new LinkedHashMap<>();
        cluster.put("self", self);
        cluster.put("version", version);
        cluster.put("hashFunction", ring.hashFunction().configName());
        cluster.put("virtualNodes", ring.virtualNodes());
        cluster.put("members", members);
        return cluster;
    }

    private static List<Map<String, Object>> groups(KamaCacheManager manager) {
        List<Map<String, Object>> groups = new ArrayList<>();
        for (String name : manager.getCacheNames()) {
            CacheSettings settings = manager.config().cache(name);
            Map<String, Object> group = new LinkedHashMap<>();
            group.put("name", name);
            group.put("policy", settings.policy().configName());
            group.put("maxBytes", settings.maxBytes());
            group.put("maxEntries", settings.maxEntries());
            groups.add(group);
        }
        return groups;
    }

    private static Map<String, String> error(String message) {
        return Map.of("error", message);
    }

    @Override
    public void close() {
        app.stop();
    }
}
