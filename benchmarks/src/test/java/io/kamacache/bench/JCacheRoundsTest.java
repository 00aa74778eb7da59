package io.kamacache.bench;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The options of the JCache rounds; the forks themselves are JMH's. */
class JCacheRoundsTest {

    @Test
    void everyProviderOfTheBenchmarkHasAColumn() {
        assertThat(JCacheRounds.HEADINGS.keySet()).allSatisfy(provider ->
                assertThat(JCacheBenchmark.providerClassName(provider)).isNotBlank());
        assertThat(JCacheRounds.HEADINGS).containsKeys("kamacache", "caffeine", "ehcache", "hazelcast", "ri");
    }

    @Test
    void anUnknownNameOrABadCountIsAnErrorInTheOptions() {
        assertThat(run("--providers", "kamacache,memcached")).startsWith("2:")
                .contains("unknown provider 'memcached'; known providers are: kamacache, caffeine, ehcache, hazelcast, ri");
        assertThat(run("--operations", "get,scan")).startsWith("2:")
                .contains("unknown operation 'scan'; known operations are: get, put, mixed");
        assertThat(run("--values", "bytes4k")).startsWith("2:")
                .contains("unknown values 'bytes4k'; known values are: string, bytes1k");
        assertThat(run("--rounds", "0")).startsWith("2:").contains("--rounds must be at least 1");
        assertThat(run("--threads", "1,0")).startsWith("2:").contains("--threads must be at least 1");
    }

    private static String run(String... args) {
        return CommandLineRuns.exitCodeAndErrors(JCacheRounds.commandLine(), args);
    }
}
