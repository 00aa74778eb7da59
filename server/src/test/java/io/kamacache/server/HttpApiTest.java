package io.kamacache.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.kamacache.Group;
import io.kamacache.config.KamaConfig;
import io.kamacache.config.PolicyKind;
import io.kamacache.jcache.KamaCacheManager;
import io.kamacache.testing.EtcdExtension;
import io.kamacache.testing.FreePorts;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import javax.cache.Cache;
import javax.cache.CacheException;
import javax.cache.configuration.MutableConfiguration;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The server's HTTP API on a real server node, through a real HTTP client. */
class HttpApiTest {

    @RegisterExtension
    static final EtcdExtension ETCD = new EtcdExtension();

    private static final ObjectMapper JSON = new ObjectMapper();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @Test
    void healthClusterAndGroupsAnswerInJson() throws Exception {
        String address = FreePorts.loopbackAddress();
        KamaConfig config = KamaConfig.parse("""
                node:
                  address: %s
                http:
                  port: 0
                caches:
                  scores:
                    policy: 2q
                    maxBytes: 64MiB
                """.formatted(address), "test");
        try (CacheServer server = CacheServer.start(config)) {
            server.manager().createCache("plain", new MutableConfiguration<String, String>());
            int port = server.httpPort();
            assertThat(port).isPositive();

            assertThat(get(port, "/health/live").statusCode()).isEqualTo(200);
            HttpResponse<String> ready = get(port, "/health/ready");
            assertThat(ready.statusCode()).isEqualTo(200);
            assertThat(json(ready).get("status").asText()).isEqualTo("ready");
            assertThat(ready.headers().firstValue("Content-Type")).hasValueSatisfying(
                    type -> assertThat(type).startsWith("application/json"));

            JsonNode cluster = json(get(port, "/api/v1/cluster"));
            assertThat(cluster.get("self").asText()).isEqualTo(address);
            assertThat(cluster.get("members")).hasSize(1);
            assertThat(cluster.get("members").get(0).get("address").asText()).isEqualTo(address);
            assertThat(cluster.get("members").get(0).get("share").asDouble()).isCloseTo(1.0, org.assertj.core.data.Offset.offset(1e-9));
            assertThat(cluster.get("members").get(0).get("self").asBoolean()).isTrue();
            assertThat(cluster.get("hashFunction").asText()).isEqualTo("murmur3");

            JsonNode groups = json(get(port, "/api/v1/groups"));
            assertThat(groups).as("scores, which the file names, from the start").hasSize(2);
            Map<String, JsonNode> byName = Map.of(groups.get(0).get("name").asText(), groups.get(0),
                    groups.get(1).get("name").asText(), groups.get(1));
            assertThat(byName.get("scores").get("policy").asText()).isEqualTo("2q");
            assertThat(byName.get("scores").get("maxBytes").asLong()).isEqualTo(64L << 20);
            assertThat(byName.get("plain").get("policy").asText()).isEqualTo("lru");

            JsonNode openApi = json(get(port, HttpApi.OPENAPI));
            assertThat(openApi.get("openapi").asText()).startsWith("3.");
            List<String> described = new ArrayList<>();
            openApi.get("paths").fieldNames().forEachRemaining(described::add);
            assertThat(described).containsExactlyInAnyOrder("/health/live", "/health/ready", "/api/v1/cluster",
                    "/api/v1/groups", "/api/v1/groups/{group}", "/api/v1/groups/{group}/keys/{key}", HttpApi.METRICS,
                    HttpApi.OPENAPI);
            assertThat(openApi.get("paths").get("/api/v1/groups/{group}").has("patch")).isTrue();
            for (String path : described) {
                String concrete = path.replace("{group}", "scores").replace("{key}", "k");
                if (openApi.get("paths").get(path).has("get")) {
                    HttpResponse<String> answer = get(port, concrete);
                    assertThat(answer.body()).as("GET %s is served", concrete).doesNotContain("no such resource");
                }
            }

            HttpResponse<String> missing = get(port, "/api/v1/nothing-here");
            assertThat(missing.statusCode()).isEqualTo(404);
            assertThat(json(missing).get("error").asText()).contains("/api/v1/nothing-here");

            server.close();
            assertThat(server.manager().isClosed()).isTrue();
        }
    }

    @Test
    void theEnvironmentSetsBothPorts() throws Exception {
        int httpPort = FreePorts.port();
        int grpcPort = FreePorts.port();
        KamaConfig config = KamaConfig.fromEnvironment(Map.of(
                "KAMACACHE_HTTP_PORT", String.valueOf(httpPort),
                "KAMACACHE_GRPC_PORT", String.valueOf(grpcPort)));
        try (CacheServer server = CacheServer.start(config)) {
            assertThat(server.address()).isEqualTo("127.0.0.1:" + grpcPort);
            assertThat(server.httpPort()).isEqualTo(httpPort);
            assertThat(json(get(httpPort, "/api/v1/cluster")).get("self").asText()).isEqualTo("127.0.0.1:" + grpcPort);
        }
    }

    @Test
    void aBodyOverTheLimitIsAnsweredWith413EveryTimeWhileTheClientIsStillSending() throws Exception {
        KamaConfig config = KamaConfig.parse("node:\n  address: " + FreePorts.loopbackAddress()
                + "\ncluster:\n  maxMessageBytes: 128KiB\nhttp:\n  port: 0\ncaches:\n  pictures: {}\n", "test");
        try (CacheServer server = CacheServer.start(config)) {
            // before the server read refused bodies to their end, about one in twenty of these lost its answer
            for (int i = 0; i < 200; i++) {
                HttpResponse<String> refused = http.send(HttpRequest.newBuilder(uri(server.httpPort(),
                        "/api/v1/groups/pictures/keys/big")).timeout(Duration.ofSeconds(10))
                        .PUT(HttpRequest.BodyPublishers.ofByteArray(new byte[(200 << 10) + i * 1000])).build(),
                        HttpResponse.BodyHandlers.ofString());
                assertThat(refused.statusCode()).as("attempt %d", i).isEqualTo(413);
            }
            assertThat(get(server.httpPort(), "/api/v1/groups/pictures/keys/big").statusCode()).isEqualTo(404);
        }
    }

    @Test
    void groupsAreCreatedAndTheirKeysWrittenReadAndDeletedThroughAnyMember() throws Exception {
        String a = FreePorts.loopbackAddress();
        String b = FreePorts.loopbackAddress();
        String cluster = "cluster:\n  peers: [" + a + ", " + b + "]\n  maxMessageBytes: 128KiB\nhttp:\n  port: 0\n";
        try (CacheServer first = CacheServer.start(KamaConfig.parse("node:\n  address: " + a + "\n" + cluster, "a"));
             CacheServer second = CacheServer.start(KamaConfig.parse("node:\n  address: " + b + "\n" + cluster, "b"))) {
            int port = first.httpPort();
            HttpResponse<String> created = send(port, "POST", "/api/v1/groups",
                    "{\"name\": \"pictures\", \"policy\": \"clock\", \"maxBytes\": 1048576}");
            assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
            assertThat(json(created).get("policy").asText()).isEqualTo("clock");
            JsonNode onSecond = json(get(second.httpPort(), "/api/v1/groups/pictures"));
            assertThat(onSecond.get("policy").asText()).as("the settings travel to every member").isEqualTo("clock");
            assertThat(onSecond.get("maxBytes").asLong()).isEqualTo(1 << 20);

            // keys written through the first member, read through the second: each lands at its owner
            List<String> keys = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                String key = "k" + i;
                keys.add(key);
                byte[] value = ("value of " + key + " \u0000\u00ff").getBytes(StandardCharsets.ISO_8859_1);
                HttpResponse<String> put = http.send(HttpRequest.newBuilder(uri(port, "/api/v1/groups/pictures/keys/" + key))
                        .timeout(Duration.ofSeconds(10)).PUT(HttpRequest.BodyPublishers.ofByteArray(value)).build(),
                        HttpResponse.BodyHandlers.ofString());
                assertThat(put.statusCode()).as(put.body()).isEqualTo(204);
                HttpResponse<byte[]> read = http.send(HttpRequest.newBuilder(uri(second.httpPort(),
                        "/api/v1/groups/pictures/keys/" + key)).timeout(Duration.ofSeconds(10)).build(),
                        HttpResponse.BodyHandlers.ofByteArray());
                assertThat(read.statusCode()).isEqualTo(200);
                assertThat(read.body()).isEqualTo(value);
                assertThat(read.headers().firstValue("Content-Type")).hasValue("application/octet-stream");
            }
            Group onA = first.manager().getCache("pictures").unwrap(Group.class);
            Group onB = second.manager().getCache("pictures").unwrap(Group.class);
            assertThat(onA.options().policy()).isEqualTo(PolicyKind.CLOCK);
            assertThat(onB.options().policy()).isEqualTo(PolicyKind.CLOCK);
            assertThat(entries(onA)).as("keys the first member owns").isPositive();
            assertThat(entries(onB)).as("keys the second member owns").isPositive();
            assertThat(entries(onA) + entries(onB)).as("one copy of each key, at its owner").isEqualTo(20);
            long reported = json(get(port, "/api/v1/groups/pictures")).get("node").get("entries").asLong()
                    + json(get(second.httpPort(), "/api/v1/groups/pictures")).get("node").get("entries").asLong();
            assertThat(reported).as("each node reports its own part").isEqualTo(20);
            for (int member : new int[] {port, second.httpPort()}) {
                JsonNode sums = json(get(member, "/api/v1/groups/pictures")).get("cluster");
                assertThat(sums.get("entries").asLong()).as("the cluster's sum, whichever member is asked").isEqualTo(20);
                assertThat(sums.get("gets").asLong()).as("one get of each key").isEqualTo(20);
                assertThat(sums.get("hits").asLong()).isEqualTo(20);
                assertThat(sums.get("hitRatio").asDouble()).isEqualTo(1.0);
                assertThat(sums.get("servers")).extracting(JsonNode::asText).containsExactlyInAnyOrder(a, b);
                assertThat(sums.get("unanswered").isEmpty()).isTrue();
            }

            // each key's answer names its owner: the member that holds it
            Map<String, String> holders = DashboardTest.holders(List.of(first, second), "pictures");
            for (String key : keys) {
                HttpResponse<String> read = get(port, "/api/v1/groups/pictures/keys/" + key);
                assertThat(read.headers().firstValue(HttpApi.OWNER_HEADER)).as(key).hasValue(holders.get(key));
            }
            HttpResponse<String> absent = get(port, "/api/v1/groups/pictures/keys/absent");
            assertThat(absent.statusCode()).isEqualTo(404);
            assertThat(absent.headers().firstValue(HttpApi.OWNER_HEADER)).hasValueSatisfying(
                    owner -> assertThat(owner).isIn(a, b));

            assertThat(send(second.httpPort(), "DELETE", "/api/v1/groups/pictures/keys/" + keys.get(1), null).statusCode())
                    .isEqualTo(204);
            HttpResponse<String> gone = get(port, "/api/v1/groups/pictures/keys/" + keys.get(1));
            assertThat(gone.statusCode()).isEqualTo(404);
            assertThat(json(gone).get("error").asText()).contains(keys.get(1)).contains("pictures");

            // bad input: each a clear error, and the server keeps serving
            HttpResponse<String> tooLarge = http.send(HttpRequest.newBuilder(uri(port, "/api/v1/groups/pictures/keys/big"))
                    .timeout(Duration.ofSeconds(10)).PUT(HttpRequest.BodyPublishers.ofByteArray(new byte[200 << 10])).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(tooLarge.statusCode()).isEqualTo(413);
            assertThat(json(tooLarge).get("error").asText()).contains("204800 bytes").contains("nothing was stored");
            assertThat(get(port, "/api/v1/groups/pictures/keys/big").statusCode()).isEqualTo(404);

            HttpResponse<String> unknownGroup = get(port, "/api/v1/groups/nope/keys/x");
            assertThat(unknownGroup.statusCode()).isEqualTo(404);
            assertThat(json(unknownGroup).get("error").asText()).isEqualTo("no group 'nope'");

            HttpResponse<String> malformed = send(port, "POST", "/api/v1/groups", "{\"name\": ");
            assertThat(malformed.statusCode()).isEqualTo(400);
            assertThat(json(malformed).get("error").asText()).startsWith("the body is not JSON");

            HttpResponse<String> badPolicy = send(port, "POST", "/api/v1/groups", "{\"name\": \"x\", \"policy\": \"lfu\"}");
            assertThat(badPolicy.statusCode()).isEqualTo(400);
            assertThat(json(badPolicy).get("error").asText()).contains("lfu").contains("lru").contains("2q").contains("clock");

            HttpResponse<String> badSize = send(port, "POST", "/api/v1/groups", "{\"name\": \"x\", \"maxBytes\": -1}");
            assertThat(badSize.statusCode()).isEqualTo(400);
            assertThat(json(badSize).get("error").asText()).contains("maxBytes");

            HttpResponse<String> again = send(port, "POST", "/api/v1/groups", "{\"name\": \"pictures\"}");
            assertThat(again.statusCode()).isEqualTo(409);

            assertThat(get(port, "/api/v1/groups/pictures/keys/" + keys.get(0)).statusCode()).isEqualTo(200);

            // a member that does not answer: the sums say whose parts they lack, and why
            second.close();
            JsonNode sums = json(get(port, "/api/v1/groups/pictures")).get("cluster");
            assertThat(sums.get("servers")).extracting(JsonNode::asText).containsExactly(a);
            assertThat(sums.get("unanswered").get(b).asText()).startsWith("UNAVAILABLE");
            assertThat(sums.get("entries").asLong()).isEqualTo(entries(onA));
        }
    }

    @Test
    void aValueIsReadWithTheContentTypeItWasPutWith() throws Exception {
        String a = FreePorts.loopbackAddress();
        String b = FreePorts.loopbackAddress();
        String cluster = "cluster:\n  peers: [" + a + ", " + b + "]\nhttp:\n  port: 0\n";
        try (CacheServer first = CacheServer.start(KamaConfig.parse("node:\n  address: " + a + "\n" + cluster, "a"));
             CacheServer second = CacheServer.start(KamaConfig.parse("node:\n  address: " + b + "\n" + cluster, "b"))) {
            assertThat(send(first.httpPort(), "POST", "/api/v1/groups", "{\"name\": \"pictures\"}").statusCode())
                    .isEqualTo(201);

            // the Content-Type a value is put with is the one it is read with, from any member;
            // JCache reads the bytes alone, and compares them as bytes
            byte[] png = {(byte) 0x89, 'P', 'N', 'G', 0, 1, 2};
            for (String key : List.of("logo", "banner", "icon")) {
                HttpResponse<String> typedPut = http.send(HttpRequest.newBuilder(uri(second.httpPort(),
                        "/api/v1/groups/pictures/keys/" + key)).header("Content-Type", "image/png")
                        .timeout(Duration.ofSeconds(10)).PUT(HttpRequest.BodyPublishers.ofByteArray(png)).build(),
                        HttpResponse.BodyHandlers.ofString());
                assertThat(typedPut.statusCode()).as(typedPut.body()).isEqualTo(204);
                HttpResponse<byte[]> typed = http.send(HttpRequest.newBuilder(uri(first.httpPort(), "/api/v1/groups/pictures/keys/"
                        + key)).timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofByteArray());
                assertThat(typed.headers().firstValue("Content-Type")).hasValue("image/png");
                assertThat(typed.body()).isEqualTo(png);
                Cache<Object, Object> pictures = first.manager().getCache("pictures");
                assertThat((byte[]) pictures.get(key)).isEqualTo(png);
                assertThat(pictures.replace(key, png.clone(), new byte[] {1})).as("equal bytes, whatever their type").isTrue();
                assertThat(http.send(HttpRequest.newBuilder(uri(first.httpPort(), "/api/v1/groups/pictures/keys/" + key))
                        .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString())
                        .headers().firstValue("Content-Type")).as("a value put through JCache has no type of its own")
                        .hasValue("application/octet-stream");
                assertThat(pictures.remove(key)).isTrue();
            }
            HttpResponse<String> longType = http.send(HttpRequest.newBuilder(uri(first.httpPort(), "/api/v1/groups/pictures/keys/long"))
                    .header("Content-Type", "x/" + "y".repeat(300)).timeout(Duration.ofSeconds(10))
                    .PUT(HttpRequest.BodyPublishers.ofByteArray(png)).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(longType.statusCode()).isEqualTo(400);
            assertThat(json(longType).get("error").asText()).contains("Content-Type").contains("255");
        }
    }

    @Test
    void aClusterTokenIsAskedOfEveryCallAndNeverPrinted() throws Exception {
        String a = FreePorts.loopbackAddress();
        String b = FreePorts.loopbackAddress();
        String peers = "[" + a + ", " + b + "]";
        String cluster = "cluster:\n  peers: " + peers + "\n  token: s3cret-t0ken\nhttp:\n  port: 0\n";
        KamaConfig firstConfig = KamaConfig.parse("node:\n  address: " + a + "\n" + cluster, "a");
        assertThat(firstConfig.toString()).doesNotContain("s3cret-t0ken").contains("token=***");
        try (CacheServer first = CacheServer.start(firstConfig);
             CacheServer second = CacheServer.start(KamaConfig.parse("node:\n  address: " + b + "\n" + cluster, "b"))) {
            int port = first.httpPort();
            // HTTP: health and the dashboard's files need no token, the API does
            assertThat(get(port, "/health/ready").statusCode()).isEqualTo(200);
            HttpResponse<String> root = get(port, "/");
            assertThat(root.statusCode()).isEqualTo(302);
            assertThat(root.headers().firstValue("Location")).hasValue(HttpApi.DASHBOARD);
            HttpResponse<String> page = get(port, HttpApi.DASHBOARD);
            assertThat(page.statusCode()).isEqualTo(200);
            assertThat(page.headers().firstValue("Content-Type")).hasValueSatisfying(
                    type -> assertThat(type).startsWith("text/html"));
            assertThat(page.body()).contains("<title>kamacache dashboard</title>").doesNotContain("${");
            assertThat(get(port, "/dashboard").body()).as("the page, without the closing slash").isEqualTo(page.body());
            List<String> loaded = new ArrayList<>(); // the stylesheets and scripts the page loads, by the paths it names
            for (String file : page.body().split("(href|src)=\"")) {
                if (file.startsWith("/")) {
                    loaded.add(file.substring(0, file.indexOf('"')));
                }
            }
            assertThat(loaded).hasSize(4);
            for (String path : loaded) {
                assertThat(get(port, path).statusCode()).as(path).isEqualTo(200);
            }
            HttpResponse<String> without = get(port, "/api/v1/groups");
            assertThat(without.statusCode()).isEqualTo(401);
            assertThat(without.headers().firstValue("WWW-Authenticate")).hasValue("Bearer");
            assertThat(json(without).get("error").asText()).contains("needs a token");
            HttpResponse<String> wrong = http.send(HttpRequest.newBuilder(uri(port, "/api/v1/groups"))
                    .header("Authorization", "Bearer guess").timeout(Duration.ofSeconds(10)).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(wrong.statusCode()).isEqualTo(401);
            assertThat(wrong.body()).contains("not this cluster's").doesNotContain("s3cret-t0ken");
            assertThat(get(port, HttpApi.METRICS).statusCode()).as("metrics name the groups: they need the token too")
                    .isEqualTo(401);
            assertThat(http.send(HttpRequest.newBuilder(uri(port, HttpApi.METRICS))
                    .header("Authorization", "Bearer s3cret-t0ken").timeout(Duration.ofSeconds(10)).build(),
                    HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(200);
            HttpResponse<String> created = http.send(HttpRequest.newBuilder(uri(port, "/api/v1/groups"))
                    .header("Authorization", "Bearer s3cret-t0ken").timeout(Duration.ofSeconds(10))
                    .POST(HttpRequest.BodyPublishers.ofString("{\"name\": \"scores\"}")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(created.statusCode()).as("the members talk to each other with the token").isEqualTo(201);
            assertThat(second.manager().getCache("scores")).isNotNull();

            // gRPC: a client without the token, or with another, is refused; with it, it works
            for (String token : new String[] {null, "guess"}) {
                try (KamaCacheManager client = client(peers, token)) {
                    assertThatThrownBy(() -> client.getCache("scores").get("k"))
                            .isInstanceOf(CacheException.class).hasMessageContaining("UNAUTHENTICATED")
                            .hasMessageNotContaining("s3cret-t0ken");
                }
            }
            try (KamaCacheManager client = client(peers, "s3cret-t0ken")) {
                Cache<Object, Object> scores = client.getCache("scores");
                scores.put("tom", "630".getBytes(StandardCharsets.UTF_8));
                assertThat((byte[]) scores.get("tom")).isEqualTo("630".getBytes(StandardCharsets.UTF_8));
            }
        }
    }

    @Test
    void aGroupsPolicyAndSizeChangeOnEveryMemberAndNoEntryIsLost() throws Exception {
        String service = "patch-" + System.nanoTime();
        List<CacheServer> servers = new ArrayList<>();
        try {
            for (int i = 0; i < 3; i++) {
                servers.add(etcdServer(service));
            }
            awaitMembers(servers, 3);
            int port = servers.get(0).httpPort();
            HttpResponse<String> created = send(port, "POST", "/api/v1/groups",
                    "{\"name\": \"scores\", \"policy\": \"lru\", \"maxEntries\": 1000}");
            assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
            int keys = 300;
            for (int i = 0; i < keys; i++) {
                HttpResponse<String> put = send(servers.get(i % 3).httpPort(), "PUT", "/api/v1/groups/scores/keys/k" + i,
                        "value " + i);
                assertThat(put.statusCode()).as(put.body()).isEqualTo(204);
            }

            HttpResponse<String> toTwoQueue = send(servers.get(1).httpPort(), "PATCH", "/api/v1/groups/scores",
                    "{\"policy\": \"2q\"}");
            assertThat(toTwoQueue.statusCode()).as(toTwoQueue.body()).isEqualTo(200);
            assertThat(json(toTwoQueue).get("policy").asText()).isEqualTo("2q");
            assertThat(json(toTwoQueue).get("maxEntries").asLong()).as("what the body leaves out stays").isEqualTo(1000);
            assertEverywhere(servers, "2q", 1000, keys);

            HttpResponse<String> grown = send(servers.get(2).httpPort(), "PATCH", "/api/v1/groups/scores",
                    "{\"maxEntries\": 5000, \"maxBytes\": 67108864}");
            assertThat(grown.statusCode()).as(grown.body()).isEqualTo(200);
            assertEverywhere(servers, "2q", 5000, keys);
            for (CacheServer server : servers) {
                Group group = server.manager().getCache("scores").unwrap(Group.class);
                assertThat(group.options().capacity().maxBytes()).isEqualTo(64 << 20);
                assertThat(group.stats().evictions()).isZero();
            }

            // bad input: each a clear error, nothing changes, and the server keeps serving
            Map<String, List<String>> refusals = Map.of(
                    "{\"policy\": \"lfu\"}", List.of("lfu", "lru", "2q", "clock"),
                    "{\"maxEntries\": -1}", List.of("maxEntries", "-1"),
                    "{\"maxBytes\": \"lots\"}", List.of("maxBytes", "lots"),
                    "{\"policy\": 2}", List.of("policy", "string"),
                    "{\"name\": \"other\"}", List.of("unknown field 'name'"),
                    "[1]", List.of("JSON object"),
                    "{\"policy\": ", List.of("not JSON"));
            for (Map.Entry<String, List<String>> refusal : refusals.entrySet()) {
                HttpResponse<String> refused = send(port, "PATCH", "/api/v1/groups/scores", refusal.getKey());
                assertThat(refused.statusCode()).as(refusal.getKey()).isEqualTo(400);
                assertThat(json(refused).get("error").asText()).as(refusal.getKey())
                        .contains(refusal.getValue().toArray(String[]::new));
            }
            HttpResponse<String> unknown = send(port, "PATCH", "/api/v1/groups/nope", "{\"policy\": \"lru\"}");
            assertThat(unknown.statusCode()).isEqualTo(404);
            assertThat(json(unknown).get("error").asText()).isEqualTo("no group 'nope'");
            assertEverywhere(servers, "2q", 5000, keys);

            // a member that joins later is given the group with its new settings, not the ones it was created with
            servers.add(etcdServer(service));
            awaitMembers(servers, 4);
            int latePort = servers.get(3).httpPort();
            for (int i = 0; get(latePort, "/api/v1/groups/scores").statusCode() == 404 && i < 100; i++) {
                send(port, "PUT", "/api/v1/groups/scores/keys/probe" + i, "p"); // the first that it owns ships the group
            }
            JsonNode late = json(get(latePort, "/api/v1/groups/scores"));
            assertThat(late.get("policy").asText()).isEqualTo("2q");
            assertThat(late.get("maxEntries").asLong()).isEqualTo(5000);
            assertThat(late.get("maxBytes").asLong()).isEqualTo(64 << 20);
        } finally {
            for (CacheServer server : servers) {
                server.close();
            }
        }
    }

    @Test
    void aMemberThatCannotTakeNewSettingsIsNamed() throws Exception {
        String a = FreePorts.loopbackAddress();
        String down = FreePorts.loopbackAddress();
        String cluster = "cluster:\n  peers: [" + a + ", " + down + "]\n  rpcTimeout: 2s\nhttp:\n  port: 0\n";
        try (CacheServer server = CacheServer.start(KamaConfig.parse("node:\n  address: " + a + "\n" + cluster, "a"))) {
            int port = server.httpPort();
            assertThat(send(port, "POST", "/api/v1/groups", "{\"name\": \"scores\"}").statusCode()).isEqualTo(201);
            HttpResponse<String> patched = send(port, "PATCH", "/api/v1/groups/scores", "{\"policy\": \"clock\"}");
            assertThat(patched.statusCode()).isEqualTo(502);
            assertThat(json(patched).get("error").asText()).contains(down).contains("scores");
            assertThat(json(get(port, "/api/v1/groups/scores")).get("policy").asText())
                    .as("the member that answered has them").isEqualTo("clock");
        }
    }

    private static CacheServer etcdServer(String service) {
        return CacheServer.start(KamaConfig.parse("node:\n  address: 127.0.0.1:0\ncluster:\n  etcd:\n    endpoints: ["
                + ETCD.endpoint() + "]\n    service: " + service + "\n    connectTimeout: 15s\nhttp:\n  port: 0\n", service));
    }

    private static void awaitMembers(List<CacheServer> servers, int members) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (!servers.stream().allMatch(server -> server.manager().ring().size() == members)) {
            assertThat(System.nanoTime()).as("every server sees %d members", members).isLessThan(deadline);
            Thread.sleep(50);
        }
    }

    /** Every member shows the group with this policy and maxEntries, and serves every key. */
    private void assertEverywhere(List<CacheServer> servers, String policy, long maxEntries, int keys) throws Exception {
        long held = 0;
        for (CacheServer server : servers) {
            JsonNode group = json(get(server.httpPort(), "/api/v1/groups/scores"));
            assertThat(group.get("policy").asText()).as("on %s", server.address()).isEqualTo(policy);
            assertThat(group.get("maxEntries").asLong()).as("on %s", server.address()).isEqualTo(maxEntries);
            held += group.get("node").get("entries").asLong();
            for (int i = 0; i < keys; i++) {
                HttpResponse<String> read = get(server.httpPort(), "/api/v1/groups/scores/keys/k" + i);
                assertThat(read.statusCode()).as("k%d through %s", i, server.address()).isEqualTo(200);
                assertThat(read.body()).isEqualTo("value " + i);
            }
        }
        assertThat(held).as("one copy of each key, at its owner").isEqualTo(keys);
    }

    private static KamaCacheManager client(String peers, String token) {
        KamaConfig config = KamaConfig.parse("mode: client\ncluster:\n  peers: " + peers + "\n  rpcTimeout: 5s\n"
                + (token == null ? "" : "  token: " + token + "\n") + "caches:\n  scores: {}\n", "client");
        return new KamaCacheManager(null, URI.create("kamacache:client-" + token), HttpApiTest.class.getClassLoader(),
                new Properties(), config, InstantSource.system());
    }

    private static int entries(Group group) {
        int[] count = {0};
        group.store().forEach((k, v) -> count[0]++);
        return count[0];
    }

    private HttpResponse<String> send(int port, String method, String path, String body)
            throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(uri(port, path)).timeout(Duration.ofSeconds(10))
                .header("Content-Type", "application/json")
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body))
                .build(), HttpResponse.BodyHandlers.ofString());
    }

    private static URI uri(int port, String path) {
        return URI.create("http://127.0.0.1:" + port + path);
    }

    private HttpResponse<String> get(int port, String path) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static JsonNode json(HttpResponse<String> response) throws IOException {
        return JSON.readTree(response.body());
    }
}
