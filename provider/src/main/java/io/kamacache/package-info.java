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
 *
 * <p>Nodes form a cluster through a {@link io.kamacache.discovery.Membership} (a static
 * list of addresses, or etcd). Every node builds the same consistent-hash ring from the
 * members it sees, and each key belongs to one node, its owner: a node serves the keys it
 * owns from its own store and getter, and sends every other get, set and delete to the
 * owner over gRPC ({@code NodeService} answers, {@code PeerClient} asks). Concurrent gets of
 * one key from one node share one call, the owner's not-found is final, and nothing is
 * cached away from the owner, so no node ever serves a stale copy. When the members change,
 * each node hands the entries it no longer owns to their owners; a node that closes hands
 * over everything before it leaves. A node that joins serves its ranges at once: until the
 * members that owned them before have handed them over and said so, it fetches a key it
 * does not hold yet from the key's previous owner before it answers ({@code TakeOver}).
 */
package io.kamacache;
