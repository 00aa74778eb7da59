/**
 * The kamaCache API, groupcache-style: a {@link io.kamacache.Node} holds named
 * {@link io.kamacache.Group}s; each group is a byte cache with a {@link io.kamacache.Getter}
 * behind it that loads missing keys (read-through), called once per key however many
 * callers miss at the same time. Values come back as immutable {@link io.kamacache.ByteView}s.
 *
 * <pre>{@code
 * try (Node node = Node.builder().build()) {
 *     Group scores = node.newGroup("scores", key -> db.get(key),
 *             StoreOptions.builder().maxBytes(64 << 20).build());
 *     ByteView tom = scores.get("Tom");   // loads through the getter, then cached
 * }
 * }</pre>
 */
package io.kamacache;
