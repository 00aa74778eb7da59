package io.kamacache.server;

import io.kamacache.config.KamaConfig;
import org.junit.jupiter.api.Test;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

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

    @Test
    void theHelmChartUsesEveryValueItNamesAndRunsServersFromThem() throws IOException {
        Path chart = ROOT.resolve("deploy/helm/kamacache");
        Map<String, Object> meta = yaml(Files.readString(chart.resolve("Chart.yaml")));
        assertThat(meta).containsEntry("apiVersion", "v2").containsEntry("name", "kamacache");
        Map<String, Object> values = yaml(Files.readString(chart.resolve("values.yaml")));

        // every .Values path a template names exists, and every top-level value is named
        Set<String> named = new TreeSet<>();
        StringBuilder templates = new StringBuilder();
        try (var files = Files.list(chart.resolve("templates"))) {
            for (Path template : files.sorted().toList()) {
                templates.append(Files.readString(template)).append('\n');
            }
        }
        Matcher reference = Pattern.compile("\\.Values\\.([A-Za-z0-9_.]+)").matcher(templates);
        while (reference.find()) {
            named.add(reference.group(1));
        }
        for (String path : named) {
            Object at = values;
            for (String part : path.split("\\.")) {
                assertThat(at).as(".Values.%s", path).isInstanceOf(Map.class);
                assertThat(((Map<?, ?>) at).containsKey(part)).as(".Values.%s names %s", path, part).isTrue();
                at = ((Map<?, ?>) at).get(part);
            }
        }
        assertThat(named.stream().map(path -> path.split("\\.")[0]).collect(Collectors.toSet()))
                .as("values no template uses").containsAll(values.keySet());

        // the servers' environment, rendered from the values, is a configuration they accept
        String statefulSet = Files.readString(chart.resolve("templates/statefulset.yaml"));
        Map<String, String> environment = new LinkedHashMap<>();
        Matcher variable = Pattern.compile("- name: (KAMACACHE_\\w+)\\n\\s+value: \"(.*)\"").matcher(statefulSet);
        while (variable.find()) {
            environment.put(variable.group(1), render(variable.group(2), values).replace("$(POD_IP)", "10.0.0.5"));
        }
        assertThat(environment).containsKeys("KAMACACHE_NODE_ADDRESS", "KAMACACHE_HTTP_PORT",
                "KAMACACHE_CLUSTER_ETCD_ENDPOINTS");
        KamaConfig config = KamaConfig.fromEnvironment(environment);
        assertThat(config.node().address()).isEqualTo("10.0.0.5:8001");
        assertThat(config.server().httpPort()).isEqualTo(8080);
        assertThat(config.cluster().etcd().endpoints()).containsExactly("http://etcd:2379");
        assertThat(statefulSet).contains("path: /health/ready").contains("path: /health/live")
                .contains("mountPath: /etc/kamacache").contains("\"--config\", \"/etc/kamacache/kamacache.yaml\"");

        // the configuration file the chart mounts is one the server reads
        @SuppressWarnings("unchecked")
        Map<String, Object> file = (Map<String, Object>) values.get("config");
        String dumped = new org.snakeyaml.engine.v2.api.Dump(org.snakeyaml.engine.v2.api.DumpSettings.builder().build())
                .dumpToString(file);
        assertThat(KamaConfig.parse(dumped, "values.yaml config").cacheDefaults().maxBytes()).isEqualTo(256L << 20);
    }

    /** The value expressions this chart's environment uses: {{ .Values.a.b }} and {{ join "," .Values.a }}. */
    private static String render(String text, Map<String, Object> values) {
        Matcher expression = Pattern.compile("\\{\\{ (join \",\" )?\\.Values\\.([A-Za-z0-9_.]+) }}").matcher(text);
        StringBuilder rendered = new StringBuilder();
        while (expression.find()) {
            Object at = values;
            for (String part : expression.group(2).split("\\.")) {
                at = ((Map<?, ?>) at).get(part);
            }
            String value = expression.group(1) != null
                    ? ((List<?>) at).stream().map(String::valueOf).collect(Collectors.joining(",")) : String.valueOf(at);
            expression.appendReplacement(rendered, Matcher.quoteReplacement(value));
        }
        expression.appendTail(rendered);
        assertThat(rendered.toString()).as("rendered %s", text).doesNotContain("{{");
        return rendered.toString();
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> yaml(String text) {
        return (Map<String, Object>) new Load(LoadSettings.builder().build()).loadFromString(text);
    }
}
