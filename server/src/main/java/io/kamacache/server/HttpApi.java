package io.kamacache.server;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.javalin.Javalin;
import io.javalin.http.ContentType;
import io.javalin.http.Context;
import io.javalin.http.HttpResponseException;
import io.javalin.http.HttpStatus;
import io.javalin.http.staticfiles.Location;
import io.kamacache.Group;
import io.kamacache.GroupStats;
import io.kamacache.Node;
import io.kamacache.config.CacheSettings;
import io.kamacache.config.PolicyKind;
import io.kamacache.config.ServerSettings;
import io.kamacache.jcache.KamaCache;
import io.kamacache.jcache.KamaCacheManager;
import io.kamacache.proto.v1.RequestHeader;
import io.kamacache.remote.PeerChannels;
import io.kamacache.remote.Protocol;
import io.kamacache.remote.Tokens;
import io.kamacache.ring.HashRing;
import org.eclipse.jetty.util.ssl.SslContextFactory;

import javax.cache.Cache;
import javax.cache.CacheException;
import javax.cache.configuration.CompleteConfiguration;
import javax.cache.configuration.MutableConfiguration;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The server's HTTP face, on {@code http.port} of the node's host: health checks for
 * orchestrators, the view of the node an operator asks for first, and the groups (the
 * server's caches) and their keys.
 *
 * <ul>
 *   <li>{@code GET /health/live}: 200 while the process serves HTTP at all;</li>
 *   <li>{@code GET /health/ready}: 200 once the node knows its members (it is on its own
 *       ring and the manager is open), 503 otherwise;</li>
 *   <li>{@code GET /api/v1/cluster}: this node, the members with their share of the ring,
 *       the version;</li>
 *   <li>{@code GET /api/v1/groups}, {@code GET /api/v1/groups/{group}}: the caches this node
 *       serves, with their settings, what this node counted and holds of each ({@code node}) and
 *       the sum over every member ({@code cluster}); {@code POST /api/v1/groups} creates one on every member,
 *       {@code PATCH /api/v1/groups/{group}} changes its eviction policy and bounds on every member, keeping its entries;</li>
 *   <li>{@code GET|PUT|DELETE /api/v1/groups/{group}/keys/{key}}: a key's value, as bytes (or
 *       as text in a group of String values), through the group like any other call: routed
 *       to the key's owner, loaded by the group's loader on a miss; the {@value #OWNER_HEADER}
 *       header of the answer names the owner;</li>
 *   <li>{@code GET /metrics}: the node's metrics in Prometheus' text format ({@link MetricsExport});</li>
 *   <li>{@code GET /api/v1/openapi.json}: the OpenAPI 3 description of all of it;</li>
 *   <li>{@code GET /dashboard/} (and {@code GET /}, which leads there): a page that shows the
 *       members, the groups' figures as live charts and a key's owner and value, drawn by the
 *       browser from this API.</li>
 * </ul>
 *
 * With {@code http.tls} the port speaks HTTPS only. With a {@code cluster.token}, every
 * {@code /api/} request but the description's, and {@code /metrics}, must carry it
 * ({@code Authorization: Bearer <token>}), or is refused with 401; health checks and the
 * dashboard's files need none (the page asks for the token and sends it).
 *
 * Every answer of the API but a key's value is JSON; an error is {@code {"error": "..."}} with
 * its status (404 for a path that names nothing). {@link #close()} stops the HTTP server and its threads.
 */
final class HttpApi implements AutoCloseable {

    private static final String KEY = "/api/v1/groups/{group}/keys/{key}";
    /** Where the OpenAPI 3 description of this API is served. */
    static final String OPENAPI = "/api/v1/openapi.json";
    /** Where the node's metrics are served in Prometheus' text format. */
    static final String METRICS = "/metrics";
    /** Where the dashboard is served. */
    static final String DASHBOARD = "/dashboard/";
    /** The answer header of a key's requests that names the member owning the key. */
    static final String OWNER_HEADER = "Kamacache-Owner";
    /** Room in a message for what travels with a value: its key, the cache name, framing. */
    private static final int ENVELOPE_BYTES = 16 << 10;
    /** The largest refused body read to its end before the answer ({@link #drain}). */
    private static final long DRAINED_BYTES = 64 << 20;
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Javalin app;

    private HttpApi(Javalin app) {
        this.app = app;
    }

    /**
     * Serves {@code manager}'s node, known as {@code self}, on {@code http.port} of its host
     * (port 0: any free port).
     *
     * @throws IllegalStateException when the port cannot be bound; the message names it
     * @throws IllegalArgumentException when the HTTPS files cannot be used; the message names them
     */
    static HttpApi start(KamaCacheManager manager, String self, String version, MetricsExport metrics) {
        ServerSettings server = manager.config().server();
        String host = self.substring(0, self.lastIndexOf(':')).replace("[", "").replace("]", "");
        int port = server.httpPort();
        SslContextFactory.Server https = server.httpCert() == null ? null : Https.context(server.httpCert(), server.httpKey());
        int maxValueBytes = manager.config().cluster().maxMessageBytes() - ENVELOPE_BYTES;
        byte[] openApi = openApi();
        Counters counters = new Counters(manager.unwrap(Node.class).peerChannels(), Protocol.header(self, false), manager);
        Javalin app = Javalin.create(config -> {
            config.http.maxRequestSize = maxValueBytes + 1L; // larger bodies are refused by putKey, with a message
            config.startup.showJavalinBanner = false;
            config.jetty.host = host;
            config.jetty.modifyServer(jetty -> jetty.setErrorHandler(new JsonErrors()));
            config.jetty.port = port;
            if (https != null) { // the port speaks HTTPS only
                config.jetty.addConnector((jetty, http) -> Https.connector(jetty, http, https, host, port));
            }
            String token = manager.config().cluster().token();
            if (token != null) {
                config.routes.before(ctx -> {
                    if (needsToken(ctx.path()) && !Tokens.matches(ctx.header("Authorization"), token)) {
                        ctx.header("WWW-Authenticate", "Bearer");
                        throw new Refusal(HttpStatus.UNAUTHORIZED, ctx.header("Authorization") == null
                                ? "this cluster needs a token: send Authorization: Bearer <cluster.token>"
                                : "the request's token is not this cluster's (cluster.token)");
                    }
                });
            }
            config.staticFiles.add(files -> {
                files.hostedPath = DASHBOARD.substring(0, DASHBOARD.length() - 1);
                files.directory = "/io/kamacache/server/dashboard";
                files.location = Location.CLASSPATH;
                files.headers = Map.of("Content-Security-Policy", "default-src 'self'", "Cache-Control", "no-cache");
            });
            config.staticFiles.enableWebjars(); // the charting library, from its jar
            config.routes.get("/", ctx -> ctx.redirect(DASHBOARD));
            config.routes.get("/health/live", ctx -> ctx.json(Map.of("status", "live")));
            config.routes.get("/health/ready", ctx -> ready(ctx, manager, self));
            config.routes.get("/api/v1/cluster", ctx -> ctx.json(cluster(manager, self, version)));
            config.routes.get(METRICS, ctx -> {
                ctx.contentType(MetricsExport.PROMETHEUS_CONTENT_TYPE);
                metrics.writePrometheus(ctx.outputStream());
            });
            config.routes.get(OPENAPI, ctx -> ctx.contentType(ContentType.APPLICATION_JSON).result(openApi));
            config.routes.get("/api/v1/groups", ctx -> ctx.json(groups(manager, counters.collect())));
            config.routes.post("/api/v1/groups", ctx -> createGroup(ctx, manager, counters));
            config.routes.get("/api/v1/groups/{group}", ctx -> ctx.json(group(manager, cache(manager, ctx),
                    counters.collect())));
            config.routes.patch("/api/v1/groups/{group}", ctx -> reconfigureGroup(ctx, manager, counters));
            config.routes.get(KEY, ctx -> getKey(ctx, keyed(manager, ctx)));
            config.routes.put(KEY, ctx -> putKey(ctx, keyed(manager, ctx), maxValueBytes));
            config.routes.delete(KEY, ctx -> deleteKey(ctx, keyed(manager, ctx)));
            config.routes.exception(Refusal.class, (e, ctx) -> ctx.status(e.status).json(error(e.getMessage())));
            config.routes.exception(HttpResponseException.class, (e, ctx) -> ctx.status(e.getStatus())
                    .json(error(e.getMessage())));
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

    /** Whether a request for {@code path} must carry the cluster's token: all but health checks and the description. */
    private static boolean needsToken(String path) {
        return (path.startsWith("/api/") && !path.equals(OPENAPI)) || path.equals(METRICS);
    }

    private static byte[] openApi() {
        try (InputStream in = HttpApi.class.getResourceAsStream("openapi.json")) {
            if (in == null) {
                throw new IllegalStateException("openapi.json is missing from the server's jar");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read openapi.json from the server's jar", e);
        }
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

    /** Asks every member for its part of the groups, within the cluster's deadline ({@code rpcTimeout}). */
    private record Counters(PeerChannels channels, RequestHeader header, KamaCacheManager manager) {
        ClusterCounters collect() {
            return ClusterCounters.collect(channels, header, manager.ring().members());
        }
    }

    private static List<Map<String, Object>> groups(KamaCacheManager manager, ClusterCounters counters) {
        List<Map<String, Object>> groups = new ArrayList<>();
        for (String name : manager.getCacheNames()) {
            Cache<Object, Object> cache = manager.getCache(name);
            if (cache != null) {
                groups.add(group(manager, cache, counters));
            }
        }
        return groups;
    }

    private static Map<String, Object> group(KamaCacheManager manager, Cache<Object, Object> cache,
                                             ClusterCounters counters) {
        CacheSettings settings = manager.settings(cache.getName());
        @SuppressWarnings("unchecked")
        CompleteConfiguration<Object, Object> configuration = cache.getConfiguration(CompleteConfiguration.class);
        Map<String, Object> group = new LinkedHashMap<>();
        group.put("name", cache.getName());
        group.put("policy", settings.policy().configName());
        group.put("maxBytes", settings.maxBytes());
        group.put("maxEntries", settings.maxEntries());
        group.put("keyType", configuration.getKeyType().getName());
        group.put("valueType", configuration.getValueType().getName());
        group.put("readThrough", configuration.isReadThrough());
        group.put("node", ClusterCounters.fields(cache.unwrap(Group.class).stats()));
        Map<String, Object> cluster = new LinkedHashMap<>(
                ClusterCounters.fields(counters.groups().getOrDefault(cache.getName(), GroupStats.NONE)));
        cluster.put("servers", counters.answered());
        cluster.put("unanswered", counters.unanswered());
        group.put("cluster", cluster);
        return group;
    }

    /**
     * {@code POST /api/v1/groups} with {@code {"name": ..., "policy": "lru"|"2q"|"clock",
     * "maxBytes": N, "maxEntries": N}} (policy and bounds optional): a cache of String keys
     * and byte[] values, on every member.
     */
    private static void createGroup(Context ctx, KamaCacheManager manager, Counters counters) {
        JsonNode body = jsonObject(ctx, Set.of("name", "policy", "maxBytes", "maxEntries"),
                "{\"name\": \"scores\", \"policy\": \"lru\", \"maxBytes\": 67108864}");
        String name = text(body, "name", null);
        if (name == null || name.isBlank()) {
            throw new Refusal(HttpStatus.BAD_REQUEST, "a group needs a name");
        }
        CacheSettings settings = bounds(body, manager.config().cacheDefaults());
        if (manager.getCache(name) != null) {
            throw new Refusal(HttpStatus.CONFLICT, "group '" + name + "' already exists");
        }
        try {
            manager.createCache(name, new MutableConfiguration<String, byte[]>().setTypes(String.class, byte[].class),
                    settings);
        } catch (CacheException e) {
            throw new Refusal(HttpStatus.CONFLICT, e.getMessage());
        }
        ctx.status(HttpStatus.CREATED).json(group(manager, manager.getCache(name), counters.collect()));
    }

    /**
     * {@code PATCH /api/v1/groups/{group}} with any of {@code {"policy": "lru"|"2q"|"clock",
     * "maxBytes": N, "maxEntries": N}}: the group's new eviction policy and bounds, on every
     * member, its entries kept (a smaller bound evicts down to it); what the body leaves out
     * stays. 502 when a member could not take them: the message names it.
     */
    private static void reconfigureGroup(Context ctx, KamaCacheManager manager, Counters counters) {
        Cache<Object, Object> cache = cache(manager, ctx);
        JsonNode body = jsonObject(ctx, Set.of("policy", "maxBytes", "maxEntries"),
                "{\"policy\": \"2q\", \"maxEntries\": 100000}");
        CacheSettings settings = bounds(body, manager.settings(cache.getName()));
        try {
            manager.reconfigure(cache.getName(), settings);
        } catch (CacheException e) {
            throw new Refusal(HttpStatus.BAD_GATEWAY, "group '" + cache.getName() + "' has its new settings here and on the "
                    + "members that took them, but " + e.getMessage());
        }
        ctx.json(group(manager, cache, counters.collect()));
    }

    /**
     * Reads and drops a refused body of at most {@link #DRAINED_BYTES}: a server that
     * answers while the client is still sending, and then closes the connection with the
     * rest unread, resets it, and the client may lose the answer. A larger body is left
     * unread and the connection closed: such a client may see only the reset.
     */
    private static void drain(Context ctx, long length) {
        if (length > DRAINED_BYTES) {
            return;
        }
        try {
            ctx.req().getInputStream().transferTo(OutputStream.nullOutputStream());
        } catch (IOException e) {
            // the client went away: nobody reads the answer either
        }
    }

    /** The request's body; one that ends before its announced length is a 400, nothing is done with it. */
    private static byte[] body(Context ctx) {
        try {
            return ctx.bodyAsBytes();
        } catch (Exception e) { // Javalin, in Kotlin, throws Jetty's IOException undeclared
            for (Throwable cause = e; cause != null; cause = cause.getCause()) {
                if (cause instanceof IOException) {
                    throw new Refusal(HttpStatus.BAD_REQUEST, "the request's body could not be read to its end ("
                            + cause.getMessage() + "); nothing was done");
                }
            }
            throw e instanceof RuntimeException runtime ? runtime : new IllegalStateException(e);
        }
    }

    /** The body as a JSON object of only these fields, or 400 saying what is wrong with it. */
    private static JsonNode jsonObject(Context ctx, Set<String> fields, String example) {
        JsonNode body;
        try {
            body = JSON.readTree(new String(body(ctx), StandardCharsets.UTF_8));
        } catch (JsonProcessingException e) {
            throw new Refusal(HttpStatus.BAD_REQUEST, "the body is not JSON: " + e.getOriginalMessage());
        }
        if (body == null || !body.isObject()) {
            throw new Refusal(HttpStatus.BAD_REQUEST, "expected a JSON object such as " + example);
        }
        body.fieldNames().forEachRemaining(field -> {
            if (!fields.contains(field)) {
                throw new Refusal(HttpStatus.BAD_REQUEST, "unknown field '" + field + "'; the fields are " + fields);
            }
        });
        return body;
    }

    /** {@code base} with the body's policy, maxBytes and maxEntries where it gives them, or 400. */
    private static CacheSettings bounds(JsonNode body, CacheSettings base) {
        try {
            return base.withBounds(PolicyKind.fromName(text(body, "policy", base.policy().configName())),
                    count(body, "maxBytes", base.maxBytes()), count(body, "maxEntries", base.maxEntries()));
        } catch (IllegalArgumentException e) {
            throw new Refusal(HttpStatus.BAD_REQUEST, e.getMessage());
        }
    }

    private static String text(JsonNode body, String field, String absent) {
        JsonNode value = body.get(field);
        if (value == null || value.isNull()) {
            return absent;
        }
        if (!value.isTextual()) {
            throw new Refusal(HttpStatus.BAD_REQUEST, "'" + field + "' must be a string, got " + value);
        }
        return value.asText();
    }

    private static long count(JsonNode body, String field, long absent) {
        JsonNode value = body.get(field);
        if (value == null || value.isNull()) {
            return absent;
        }
        if (!value.canConvertToLong() || !value.isIntegralNumber() || value.asLong() < 0) {
            throw new Refusal(HttpStatus.BAD_REQUEST, "'" + field + "' must be a whole number of at least 0, got " + value);
        }
        return value.asLong();
    }

    /** The group a path names, or 404. */
    private static Cache<Object, Object> cache(KamaCacheManager manager, Context ctx) {
        String name = ctx.pathParam("group");
        Cache<Object, Object> cache = manager.getCache(name);
        if (cache == null) {
            throw new Refusal(HttpStatus.NOT_FOUND, "no group '" + name + "'");
        }
        return cache;
    }

    /** The group a key's path names (or 404), the key's owner named in the answer's {@value #OWNER_HEADER} header. */
    private static Cache<Object, Object> keyed(KamaCacheManager manager, Context ctx) {
        Cache<Object, Object> cache = cache(manager, ctx);
        ctx.header(OWNER_HEADER, KeyOwner.of(manager.ring(), key(ctx, cache)));
        return cache;
    }

    /** A group's value as it is: bytes as application/octet-stream, text as text/plain; read-through. */
    private static void getKey(Context ctx, Cache<Object, Object> cache) {
        @SuppressWarnings("unchecked")
        KamaCache.Typed<Object> typed = cache.unwrap(KamaCache.class).getTyped(key(ctx, cache));
        if (typed == null) {
            throw new Refusal(HttpStatus.NOT_FOUND, "no key '" + ctx.pathParam("key") + "' in group '"
                    + cache.getName() + "'");
        }
        Object value = typed.value();
        if (value instanceof byte[] bytes) {
            ctx.contentType(typed.mediaType() != null ? typed.mediaType() : ContentType.APPLICATION_OCTET_STREAM.getMimeType())
                    .result(bytes);
        } else if (value instanceof String text) {
            ctx.contentType("text/plain; charset=utf-8").result(text);
        } else {
            throw new Refusal(HttpStatus.CONFLICT, "the value of key '" + ctx.pathParam("key") + "' in group '"
                    + cache.getName() + "' is a " + value.getClass().getName() + ": only bytes and text travel over HTTP");
        }
    }

    /**
     * Stores the body: as bytes with the request's Content-Type (which a GET answers with;
     * none, or application/octet-stream, keeps none), or as text in a group of String values.
     */
    private static void putKey(Context ctx, Cache<Object, Object> cache, int maxValueBytes) {
        long length = ctx.contentLength();
        if (length > maxValueBytes) {
            drain(ctx, length);
            throw new Refusal(HttpStatus.CONTENT_TOO_LARGE, "a value of " + length + " bytes is over the limit of "
                    + maxValueBytes + " bytes (cluster.maxMessageBytes less room for the key); nothing was stored");
        }
        byte[] body = body(ctx);
        Class<?> valueType = valueType(cache);
        String type = ctx.contentType();
        if (valueType == String.class) {
            cache.put(key(ctx, cache), new String(body, StandardCharsets.UTF_8));
        } else if (!valueType.isAssignableFrom(byte[].class)) {
            throw new Refusal(HttpStatus.CONFLICT, "group '" + cache.getName() + "' holds " + valueType.getName()
                    + " values: only bytes and text travel over HTTP");
        } else if (type == null || type.isBlank() || type.startsWith(ContentType.APPLICATION_OCTET_STREAM.getMimeType())) {
            cache.put(key(ctx, cache), body);
        } else {
            try {
                cache.unwrap(KamaCache.class).putTyped(key(ctx, cache), body, type);
            } catch (IllegalArgumentException e) {
                throw new Refusal(HttpStatus.BAD_REQUEST, "Content-Type: " + e.getMessage() + "; nothing was stored");
            }
        }
        ctx.status(HttpStatus.NO_CONTENT);
    }

    private static void deleteKey(Context ctx, Cache<Object, Object> cache) {
        if (!cache.remove(key(ctx, cache))) {
            throw new Refusal(HttpStatus.NOT_FOUND, "no key '" + ctx.pathParam("key") + "' in group '"
                    + cache.getName() + "'");
        }
        ctx.status(HttpStatus.NO_CONTENT);
    }

    /** The path's key, a String: a group must take String keys to be reached over HTTP. */
    private static String key(Context ctx, Cache<Object, Object> cache) {
        @SuppressWarnings("unchecked")
        Class<?> keyType = cache.getConfiguration(CompleteConfiguration.class).getKeyType();
        if (!keyType.isAssignableFrom(String.class)) {
            throw new Refusal(HttpStatus.CONFLICT, "group '" + cache.getName() + "' has " + keyType.getName()
                    + " keys: only String keys travel over HTTP");
        }
        return ctx.pathParam("key");
    }

    private static Class<?> valueType(Cache<Object, Object> cache) {
        @SuppressWarnings("unchecked")
        Class<?> valueType = cache.getConfiguration(CompleteConfiguration.class).getValueType();
        return valueType;
    }

    /** A request refused with a status and a message that says why. */
    private static final class Refusal extends RuntimeException {
        final HttpStatus status;

        Refusal(HttpStatus status, String message) {
            super(message);
            this.status = status;
        }
    }

    private static Map<String, String> error(String message) {
        return Map.of("error", message);
    }

    @Override
    public void close() {
        app.stop();
    }
}
