package io.kamacache.config;

import org.junit.jupiter.api.Test;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * docs/configuration.md is the reference of the configuration file: its example, with the
 * commented-out keys taken in, has exactly the keys the parser accepts, section by section.
 */
class ConfigurationReferenceTest {

    /** A commented-out key: "# key: value" or "#   key:", at any indentation. */
    private static final Pattern COMMENTED_KEY = Pattern.compile("^(\\s*)# ((\\s*)[A-Za-z]+:(\\s.*)?)$");

    @Test
    void theReferenceListsEveryKeyAndNoOther() throws IOException {
        Map<String, Object> reference = documentedExample();
        assertSection(reference, "", ConfigParser.TOP_KEYS);
        assertSection(reference, "node", ConfigParser.NODE_KEYS);
        assertSection(reference, "cluster", ConfigParser.CLUSTER_KEYS);
        assertSection(reference, "cluster.etcd", ConfigParser.ETCD_KEYS);
        assertSection(reference, "cluster.tls", ConfigParser.TLS_KEYS);
        assertSection(reference, "server", ConfigParser.SERVER_KEYS);
        assertSection(reference, "http", ConfigParser.HTTP_KEYS);
        assertSection(reference, "http.tls", ConfigParser.CERT_KEYS);
        assertSection(reference, "grpc", ConfigParser.PORT_KEYS);
        assertSection(reference, "serialization", ConfigParser.SERIALIZATION_KEYS);
        assertSection(reference, "cacheDefaults", ConfigParser.CACHE_KEYS);
        assertSection(reference, "cacheDefaults.expiry", ConfigParser.EXPIRY_KEYS);
        @SuppressWarnings("unchecked")
        Map<String, Object> users = (Map<String, Object>) ((Map<String, Object>) reference.get("caches")).get("users");
        assertThat(users.keySet()).as("the keys docs/configuration.md gives under caches.users: the ones only a "
                        + "named cache has, and others of cacheDefaults")
                .containsAll(ConfigParser.CLASS_KEYS)
                .isSubsetOf(ConfigParser.NAMED_CACHE_KEYS);
    }

    /** The first YAML block of docs/configuration.md, its commented-out keys taken in, as plain YAML. */
    @SuppressWarnings("unchecked")
    private static Map<String, Object> documentedExample() throws IOException {
        String page = Files.readString(Path.of("..", "docs", "configuration.md"));
        int start = page.indexOf("```yaml\n");
        assertThat(start).as("docs/configuration.md has a YAML example").isNotNegative();
        String block = page.substring(start + "```yaml\n".length(), page.indexOf("```\n", start + 8));
        StringBuilder yaml = new StringBuilder();
        for (String line : block.split("\n", -1)) {
            Matcher commented = COMMENTED_KEY.matcher(line);
            yaml.append(commented.matches() ? commented.group(1) + commented.group(2) : line).append('\n');
        }
        return (Map<String, Object>) new Load(LoadSettings.builder().build()).loadFromString(yaml.toString());
    }

    @SuppressWarnings("unchecked")
    private static void assertSection(Map<String, Object> reference, String path, List<String> keys) {
        Map<String, Object> section = reference;
        if (!path.isEmpty()) {
            for (String part : path.split("\\.")) {
                assertThat(section.get(part)).as("docs/configuration.md documents %s", path).isInstanceOf(Map.class);
                section = (Map<String, Object>) section.get(part);
            }
        }
        assertThat(section.keySet()).as("the keys docs/configuration.md gives %s",
                path.isEmpty() ? "at the top level" : "under " + path).containsExactlyInAnyOrderElementsOf(keys);
    }
}
