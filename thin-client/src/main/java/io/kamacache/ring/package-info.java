/**
 * Consistent hashing: which member of a cluster owns a key. Every member is placed on a
 * 64-bit ring at many points (virtual nodes), each the hash of the member's name and an
 * index; a key belongs to the member at the first point at or after the key's own hash,
 * wrapping around. Many points per member even out the members' shares of the ring, and
 * because a member's points do not depend on the others, a member joining or leaving moves
 * only the keys of the arcs it takes or gives up, about 1/n of them, and no key moves
 * between two members that stay. The same members, hash function and virtual-node count
 * give the same owner for every key on every JVM, which is what lets every node and client
 * route a key to the same place without talking to each other.
 */
package io.kamacache.ring;
