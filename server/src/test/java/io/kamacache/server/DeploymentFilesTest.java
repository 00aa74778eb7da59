package io.kamacache.server;

import io.kamacache.config.KamaConfig;
import org.junit.jupiter.api.Test;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The Dockerfile and docker-compose.yml at the repository root. There is no Docker engine to
 * run them here; docker-compose validates the file without one, and the servers' settings
 * are read by the same rule the server uses.
 */
class DeploymentFilesTest {

    private static final Path ROOT = Path.of("").toAbsolutePath().getParent();

    @Test
    void dockerComposeAcceptsTheFile() throws IOException, InterruptedException {
        Path compose = ROOT.resolve("docker-compose.yml");
        Process check;
        try {
            check = new ProcessBuilder("docker-compose", "-f", compose.toString(), "config", "-q")
                    .redirectErrorStream(true).start();
        } catch (IOException e) {
            throw new AssertionError("docker-compose is needed to validate " + compose
                    + ": install it (apt-get install --no-install-recommends docker-compose; scripts/verify does)", e);
        }
        assertThat(check.waitFor(60, TimeUnit.SECONDS)).isTrue();
        String output = new String(check.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(check.exitValue()).as("docker-compose config -q says:%n%s", output).isZero();
    }

    @Test
    void threeServersFindEachOtherThroughEtcd() throws IOException {
        @SuppressWarnings("unchecked")
        Map<String, Object> compose = (Map<String, Object>) new Load(LoadSettings.builder().build())
                .loadFromString(Files.readString(ROOT.resolve("docker-compose.yml")));
        @SuppressWarnings("unchecked")
        Map<String, Map<String, Object>> services = (Map<String, Map<String, Object>>) compose.get("services");
        assertThat(services).containsKeys("etcd", "server1", "server2", "server3");
        for (String name : List.of("server1", "server2", "server3")) {
            @SuppressWarnings("unchecked")
            Map<String, String> environment = (Map<String, String>) services.get(name).get("environment");
            KamaConfig config = KamaConfig.fromEnvironment(environment);
            assertThat(config.node().address()).isEqualTo(name + ":8001");
            assertThat(config.cluster().etcd().endpoints()).containsExactly("http://etcd:2379");
            assertThat(config.server().httpPort()).isEqualTo(8080);
            @SuppressWarnings("unchecked")
            List<String> ports = (List<String>) services.get(name).get("ports");
            assertThat(ports).as("gRPC and HTTP reach the host")
                    .contains("800" + name.charAt(6) + ":8001", "808" + name.charAt(6) + ":8080");
        }
    }

    @Test
    void theDemoClientIsTheThinClientAloneAskingEtcdForTheServers() throws IOException {
        @SuppressWarnings("unchecked")
        Map<String, Object> compose = (Map<String, Object>) new Load(LoadSettings.builder().build())
                .loadFromString(Files.readString(ROOT.resolve("docker-compose.yml")));
        @SuppressWarnings("unchecked")
        Map<String, Object> demo = ((Map<String, Map<String, Object>>) compose.get("services")).get("demo-client");
        assertThat(demo).isNotNull();
        assertThat(demo.get("build")).isEqualTo(Map.of("context", ".", "target", "demo-client"));
        assertThat(demo.get("command")).isEqualTo(List.of("--etcd", "http://etcd:2379", "--service", "kama-cache"));
        String dockerfile = Files.readString(ROOT.resolve("Dockerfile"));
        assertThat(dockerfile).contains("AS demo-client")
                .contains("COPY --from=build /src/examples/target/kamacache-client-demo.jar")
                .contains("ENTRYPOINT [\"java\", \"-jar\", \"/opt/kamacache/kamacache-client-demo.jar\"]");
        assertThat(ROOT.resolve("examples/pom.xml")).content().contains("<finalName>kamacache-client-demo</finalName>")
                .contains("<mainClass>io.kamacache.examples.ClientDemo</mainClass>");
    }

    @Test
    void theImageRunsTheServerJarTheBuildMakes() throws IOException {
        String dockerfile = Files.readString(ROOT.resolve("Dockerfile"));
        assertThat(dockerfile).contains("COPY --from=build /src/server/target/kamacache-server.jar")
                .contains("ENTRYPOINT [\"java\", \"-jar\", \"/opt/kamacache/kamacache-server.jar\", \"server\"]");
        assertThat(ROOT.resolve("server/pom.xml")).content().contains("<finalName>kamacache-server</finalName>");
    }
}
