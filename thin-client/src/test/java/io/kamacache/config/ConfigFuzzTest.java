package io.kamacache.config;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

/**
 * Hostile configuration files, from a seeded random generator (the seed and the text are in
 * every failure's message): a full, valid file mutated character by character and line by
 * line, and the classic YAML bombs. Each one parses, or fails with a {@link ConfigException}
 * that names the file; nothing else escapes, nothing hangs (a parse may take ten seconds on
 * a loaded machine before it counts as hung).
 */
class ConfigFuzzTest {

    private static final long SEED = 20261125L;
    private static final int CASES = 2_000;
    private static final String SOURCE = "fuzz.yaml";
    private static final String YAML_CHARACTERS = ":- \n\t[]{}#&*!|>'\"%@`,?~<=\\0123456789abcxyz";
    private static final String VALID = """
            mode: embedded
            node:
              address: 127.0.0.1:8001
              hashFunction: murmur3
              virtualNodes: 2048
            cluster:
              peers: [127.0.0.1:8001, 127.0.0.1:8002]
              rpcTimeout: 5s
              maxMessageBytes: 4MiB
              replySpin: 250us
              token: s3cret
            server:
              lib: lib
            http:
              port: 8080
            grpc:
              port: 8001
            serialization:
              allow:
                - com.example.model.*
                - com.example.Money
            cacheDefaults:
              policy: lru
              maxBytes: 256MiB
              maxEntries: 0
              expiry:
                creation: 10m
                update: unchanged
                access: 5m
              statistics: false
              management: false
            caches:
              users:
                policy: 2q
                maxBytes: 64MiB
              sessions:
                expiry:
                  access: 30s
            """;

    private static final ExecutorService PARSER = Executors.newSingleThreadExecutor(task -> {
        Thread thread = new Thread(task, "config-fuzz");
        thread.setDaemon(true);
        return thread;
    });

    @AfterAll
    static void stop() {
        PARSER.shutdownNow();
    }

    @Test
    void mutatedFilesParseOrFailWithAMessageNamingTheFile() throws Exception {
        assertThat(KamaConfig.parse(VALID, SOURCE).cluster().isClustered()).as("the seed file is valid").isTrue();
        Random random = new Random(SEED);
        int refused = 0;
        for (int i = 0; i < CASES; i++) {
            String yaml = mutate(VALID, random, 1 + random.nextInt(4));
            if (!parsesOrNamesTheProblem(yaml, "case " + i + " of seed " + SEED)) {
                refused++;
            }
        }
        assertThat(refused).as("most mutations break the file, and say so").isGreaterThan(CASES / 4);
    }

    @Test
    void yamlBombsAreRefused() throws Exception {
        StringBuilder laughs = new StringBuilder("a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n");
        for (char c = 'b'; c <= 'j'; c++) {
            char previous = (char) (c - 1);
            laughs.append(c).append(": &").append(c).append(" [*").append(previous).append(",*").append(previous)
                    .append(",*").append(previous).append(",*").append(previous).append(",*").append(previous)
                    .append(",*").append(previous).append(",*").append(previous).append(",*").append(previous)
                    .append(",*").append(previous).append("]\n");
        }
        for (String bomb : List.of(laughs.toString(),
                "cluster:\n  peers: " + "[".repeat(10_000) + "]".repeat(10_000) + "\n",
                "caches:\n  c0: {}\n  " + "x".repeat(5_000_000) + ": {}\n",
                "node: &n\n  address: *n\n")) {
            assertThat(parsesOrNamesTheProblem(bomb, "bomb of " + bomb.length() + " characters"))
                    .as("a bomb is refused").isFalse();
        }
    }

    /** Whether it parsed; a failure must be a ConfigException naming the file. */
    private static boolean parsesOrNamesTheProblem(String yaml, String what) throws Exception {
        Future<KamaConfig> parsed = PARSER.submit(() -> KamaConfig.parse(yaml, SOURCE));
        try {
            parsed.get(10, TimeUnit.SECONDS);
            return true;
        } catch (TimeoutException e) {
            parsed.cancel(true);
            fail("%s: parsing took more than ten seconds:\n%s", what, abbreviated(yaml));
        } catch (java.util.concurrent.ExecutionException e) {
            Throwable failure = e.getCause();
            if (!(failure instanceof ConfigException config)) {
                throw new AssertionError(what + ": " + failure + " escaped instead of a ConfigException, for:\n"
                        + abbreviated(yaml), failure);
            }
            assertThat(config.getMessage()).as("%s names the file", what).startsWith(SOURCE + ":");
            assertThat(config.problem()).as("%s says what is wrong", what).isNotBlank();
        }
        return false;
    }

    /** {@code count} random edits: a character inserted, deleted or replaced, a line repeated, dropped or moved. */
    private static String mutate(String text, Random random, int count) {
        StringBuilder yaml = new StringBuilder(text);
        for (int i = 0; i < count && yaml.length() > 0; i++) {
            int at = random.nextInt(yaml.length());
            char c = YAML_CHARACTERS.charAt(random.nextInt(YAML_CHARACTERS.length()));
            switch (random.nextInt(6)) {
                case 0 -> yaml.insert(at, c);
                case 1 -> yaml.deleteCharAt(at);
                case 2 -> yaml.setCharAt(at, c);
                default -> {
                    List<String> lines = new ArrayList<>(List.of(yaml.toString().split("\n", -1)));
                    int line = random.nextInt(lines.size());
                    String moved = lines.get(line);
                    switch (random.nextInt(3)) {
                        case 0 -> lines.add(line, moved);
                        case 1 -> lines.remove(line);
                        default -> lines.add(random.nextInt(lines.size()), lines.remove(line));
                    }
                    yaml = new StringBuilder(String.join("\n", lines));
                }
            }
        }
        return yaml.toString();
    }

    private static String abbreviated(String yaml) {
        return yaml.length() <= 2_000 ? yaml : yaml.substring(0, 2_000) + "... (" + yaml.length() + " characters)";
    }
}
