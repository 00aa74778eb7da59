package io.kamacache.ring;

import net.openhft.hashing.LongHashFunction;

import java.util.Arrays;
import java.util.Objects;
import java.util.stream.Collectors;

/**
 * The hash functions a ring can place members and keys with. All are deterministic across
 * JVMs and platforms; changing a cluster's function moves almost every key.
 */
public enum HashFunction {
    /** MurmurHash3 x64 128-bit, low 64 bits, seed 0; the default. */
    MURMUR3("murmur3") {
        private final LongHashFunction murmur = LongHashFunction.murmur_3();

        @Override
        public long hash(byte[] bytes) {
            return murmur.hashBytes(bytes);
        }
    },
    /** CRC-32 (IEEE), as an unsigned 32-bit value; only 2^32 distinct positions. */
    CRC32("crc32") {
        @Override
        public long hash(byte[] bytes) {
            java.util.zip.CRC32 crc = new java.util.zip.CRC32();
            crc.update(bytes);
            return crc.getValue();
        }
    },
    /** xxHash64, seed 0. */
    XXHASH64("xxhash64") {
        private final LongHashFunction xx = LongHashFunction.xx();

        @Override
        public long hash(byte[] bytes) {
            return xx.hashBytes(bytes);
        }
    };

    /** The function rings use when none is configured. */
    public static final HashFunction DEFAULT = MURMUR3;

    private final String configName;

    HashFunction(String configName) {
        this.configName = configName;
    }

    /** The 64-bit hash of {@code bytes}. */
    public abstract long hash(byte[] bytes);

    /** The name used in configuration: {@code murmur3}, {@code crc32} or {@code xxhash64}. */
    public String configName() {
        return configName;
    }

    /**
     * The function with this configuration name, ignoring case.
     *
     * @throws IllegalArgumentException naming the bad value and the valid ones
     */
    public static HashFunction fromName(String name) {
        Objects.requireNonNull(name, "hash function name must not be null");
        for (HashFunction function : values()) {
            if (function.configName.equalsIgnoreCase(name.trim())) {
                return function;
            }
        }
        String valid = Arrays.stream(values()).map(HashFunction::configName).collect(Collectors.joining(", "));
        throw new IllegalArgumentException("unknown hash function '" + name + "'; valid functions are: " + valid);
    }
}
