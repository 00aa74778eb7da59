package io.kamacache.server;

import io.kamacache.codec.Codec;
import io.kamacache.ring.HashRing;

import java.util.List;

/** Which member owns a String key: the ring position of the key's encoded bytes, as nodes and clients route it. */
final class KeyOwner {

    /** Strings have an encoding of their own, so no class is ever read through the allow-list. */
    private static final Codec CODEC = Codec.create(List.of(), KeyOwner.class.getClassLoader());

    private KeyOwner() {
    }

    /**
     * The member of {@code ring} that owns {@code key}.
     *
     * @throws IllegalStateException when the ring has no members
     */
    static String of(HashRing ring, String key) {
        return ring.ownerOf(CODEC.encode(key));
    }
}
