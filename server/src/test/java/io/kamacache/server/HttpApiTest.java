package io.kamacache.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.kamacache.config.KamaConfig;
import io.kamacache.testing.FreePorts;
import org.junit.jupiter.api.Test;

import javax.cache.configuration.MutableConfiguration;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The server's HTTP API on a real server node, through a real HTTP client. */
class HttpApiTest {

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
            server.manager().getCache("scores");
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
            assertThat(groups).hasSize(2);
            Map<String, JsonNode> byName = Map.of(groups.get(0).get("name").asText(), groups.get(0),
                    groups.get(1).get("name").asText(), groups.get(1));
            assertThat(byName.get("scores").get("policy").asText()).isEqualTo("2q");
            assertThat(byName.get("scores").get("maxBytes").asLong()).isEqualTo(64L << 20);
            assertThat(byName.get("plain").get("policy").asText()).isEqualTo("lru");

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

    private HttpResponse<String> get(int port, String path) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static JsonNode json(HttpResponse<String> response) throws IOException {
        return JSON.readTree(response.body());
    }
}
