package io.kamacache.testing;

import io.kamacache.jcache.KamaCacheManager;

import java.util.concurrent.TimeUnit;

/** Waiting for a cache manager's view of the cluster. */
public final class Rings {

    private Rings() {
    }

    /**
     * Waits up to 30 seconds until the members {@code manager} routes among number
     * {@code count}: nodes and clients learn of each other through etcd's watch.
     *
     * @throws AssertionError naming the members seen, when they do not
     */
    public static void awaitMembers(KamaCacheManager manager, int count) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (manager.ring().members().size() != count) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("expected " + count + " members, " + manager.getURI() + " sees "
                        + manager.ring().members());
            }
            Thread.sleep(20);
        }
    }
}
