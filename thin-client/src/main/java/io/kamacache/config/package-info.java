/**
 * The kamacache configuration model, read from YAML by {@link io.kamacache.config.KamaConfig}.
 * The file is composed into a tree of text, list and mapping nodes, never into Java objects,
 * and then walked against a fixed schema; every problem (an unknown or repeated key, a value of
 * the wrong shape, a size, duration or name that does not parse, a YAML syntax error) is a
 * {@link io.kamacache.config.ConfigException} naming the source, the line and the dotted key.
 * {@code cacheDefaults} applies to every cache; each cache under {@code caches} overrides it
 * key by key, expiry times included, and a cache the file does not name gets the defaults.
 *
 * <pre>{@code
 * mode: embedded              # optional; only "embedded" for now
 * node:
 *   address: 127.0.0.1:8001   # this node's host:port ([::1]:8001 for IPv6)
 *   hashFunction: murmur3     # murmur3 | crc32 | xxhash64
 *   virtualNodes: 2048        # 1..10000 points per node on the hash ring
 * serialization:
 *   allow:                    # extra classes Java serialization may read, ObjectInputFilter syntax
 *     - com.example.model.*   # the classes of one package
 *     - com.example.dto.**    # a package and its subpackages
 *     - com.example.Money     # one class
 * cacheDefaults:              # applies to every cache; each cache overrides per key
 *   policy: lru               # lru | 2q | clock
 *   maxBytes: 256MiB          # integer = bytes; B, KB, MB, GB (x1000), KiB, MiB, GiB (x1024); 0 = unbounded
 *   maxEntries: 0             # 0 = unbounded
 *   expiry:
 *     creation: 10m           # time to live after creation; 500ms, 30s, 10m, 2h, 1d, PT10M, or eternal
 *     update: 10m             # new time to live after an update, or unchanged
 *     access: 5m              # new time to live after a read, or unchanged
 *   statistics: false
 *   management: false
 * caches:
 *   users:                    # a cache name; the settings above apply, overridden here
 *     keyType: java.lang.String         # what getCache("users") creates it with (named caches only),
 *     valueType: com.example.model.User #   loaded by the cache manager's class loader: its types,
 *     loader: com.example.UserLoader    #   the CacheLoader it reads through
 *     writer: com.example.UserWriter    #   and the CacheWriter it writes through
 *     policy: 2q
 *     maxBytes: 64MiB
 * }</pre>
 *
 * Every key is optional. A duration of 0 means "expire immediately", as in JCache; a plain
 * number other than 0 is refused as a duration because its unit would be a guess.
 */
package io.kamacache.config;
