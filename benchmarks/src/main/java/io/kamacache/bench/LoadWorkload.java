package io.kamacache.bench;

import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * The data of one value size in {@link ClientServerLoad}: {@code "key-0"} to {@code
 * "key-<n-1>"}, one random value of the size for every key, and {@value #BATCHES} batches
 * of distinct random keys for {@code getAll}, made beforehand so that no call spends time
 * building its batch.
 */
record LoadWorkload(String[] keys, byte[] value, LoadTarget.KeyBatch[] batches) {

    static final int BATCHES = 4096;

    static LoadWorkload create(int keyCount, int valueBytes, int batchSize, long seed) {
        if (batchSize > keyCount) {
            throw new IllegalArgumentException("a batch of " + batchSize + " distinct keys needs at least as many keys, "
                    + "there are " + keyCount);
        }
        SplittableRandom random = new SplittableRandom(seed);
        String[] keys = new String[keyCount];
        Arrays.setAll(keys, i -> "key-" + i);
        byte[] value = new byte[valueBytes];
        random.nextBytes(value);
        LoadTarget.KeyBatch[] batches = new LoadTarget.KeyBatch[BATCHES];
        for (int b = 0; b < BATCHES; b++) {
            Set<String> batch = new LinkedHashSet<>();
            while (batch.size() < batchSize) {
                batch.add(keys[random.nextInt(keyCount)]);
            }
            batches[b] = new LoadTarget.KeyBatch(Set.copyOf(batch), batch.toArray(String[]::new));
        }
        return new LoadWorkload(keys, value, batches);
    }

    int batchSize() {
        return batches[0].array().length;
    }

    /** One operation of the load, made by one caller with its own random source. */
    enum Operation {
        /** A get of a random key; every key is there, so every get should hit. */
        GET("get") {
            @Override
            boolean call(LoadTarget target, LoadWorkload workload, SplittableRandom random) {
                return target.get(workload.keys[random.nextInt(workload.keys.length)]) != null;
            }
        },
        /** A put of a random key, replacing its value. */
        PUT("put") {
            @Override
            boolean call(LoadTarget target, LoadWorkload workload, SplittableRandom random) {
                target.put(workload.keys[random.nextInt(workload.keys.length)], workload.value);
                return true;
            }
        },
        /** One getAll of a batch of distinct random keys, counted as one operation. */
        GET_ALL("getAll") {
            @Override
            boolean call(LoadTarget target, LoadWorkload workload, SplittableRandom random) {
                LoadTarget.KeyBatch batch = workload.batches[random.nextInt(BATCHES)];
                return target.getAll(batch) == batch.array().length;
            }
        };

        final String label;

        Operation(String label) {
            this.label = label;
        }

        /** Runs the operation once; false when a key that should be there was missing. */
        abstract boolean call(LoadTarget target, LoadWorkload workload, SplittableRandom random);
    }
}
