package io.kamacache.server;

import io.grpc.Status;
import io.kamacache.GroupStats;
import io.kamacache.proto.v1.CacheCounters;
import io.kamacache.proto.v1.CacheDescription;
import io.kamacache.proto.v1.JCacheServiceGrpc;
import io.kamacache.proto.v1.ListCachesReply;
import io.kamacache.proto.v1.ListCachesRequest;
import io.kamacache.proto.v1.RequestHeader;
import io.kamacache.remote.OneAnswer;
import io.kamacache.remote.PeerChannels;

import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;

/**
 * Each group's counters summed over the servers of a cluster: what {@code kamacache stats}
 * prints and what the HTTP API shows as a group's {@code cluster} part.
 *
 * @param groups     by group name, the sum of the parts of the servers that answered
 * @param answered   the servers whose parts are in the sums
 * @param unanswered the servers that did not answer, each with what went wrong
 */
record ClusterCounters(Map<String, GroupStats> groups, SortedSet<String> answered, Map<String, String> unanswered) {

    /**
     * Asks every one of {@code members} for its part at once ({@code ListCaches}), each call
     * within the deadline of {@code channels}.
     *
     * @throws IllegalStateException when interrupted while waiting for the answers
     */
    static ClusterCounters collect(PeerChannels channels, RequestHeader header, Collection<String> members) {
        ListCachesRequest request = ListCachesRequest.newBuilder().setHeader(header).build();
        Map<String, CompletableFuture<ListCachesReply>> calls = new TreeMap<>();
        for (String member : members) {
            OneAnswer<ListCachesReply> reply = new OneAnswer<>();
            channels.stub(member, JCacheServiceGrpc::newStub).listCaches(request, reply);
            calls.put(member, reply.future());
        }
        Map<String, GroupStats> groups = new TreeMap<>();
        SortedSet<String> answered = new TreeSet<>();
        Map<String, String> unanswered = new LinkedHashMap<>();
        for (Map.Entry<String, CompletableFuture<ListCachesReply>> call : calls.entrySet()) {
            try {
                for (CacheDescription cache : call.getValue().get().getCachesList()) {
                    groups.merge(cache.getName(), stats(cache.getCounters()), GroupStats::plus);
                }
                answered.add(call.getKey());
            } catch (ExecutionException e) { // the call's deadline bounds the wait
                unanswered.put(call.getKey(), describe(Status.fromThrowable(e.getCause())));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while asking the servers for their counters", e);
            }
        }
        return new ClusterCounters(Collections.unmodifiableMap(groups), Collections.unmodifiableSortedSet(answered),
                Collections.unmodifiableMap(unanswered));
    }

    /** A server's part of a group as it answered {@code ListCaches}. */
    private static GroupStats stats(CacheCounters counters) {
        return new GroupStats(counters.getGets(), counters.getHits(), counters.getMisses(), counters.getLoads(),
                counters.getLoadsCoalesced(), counters.getLoadErrors(), counters.getLoadNanos(),
                counters.getEvictions(), counters.getExpirations(), counters.getEntries(), counters.getBytes(),
                counters.getRemoteSent(), counters.getRemoteServed());
    }

    /** A group's counters by name, as the HTTP API and the command line show them. */
    static Map<String, Object> fields(GroupStats stats) {
        Map<String, Object> fields = new LinkedHashMap<>();
        fields.put("gets", stats.gets());
        fields.put("hits", stats.hits());
        fields.put("misses", stats.misses());
        fields.put("hitRatio", stats.hitRatio());
        fields.put("loads", stats.loads());
        fields.put("loadErrors", stats.loadErrors());
        fields.put("evictions", stats.evictions());
        fields.put("expirations", stats.expirations());
        fields.put("entries", stats.entries());
        fields.put("bytes", stats.bytes());
        return fields;
    }

    /** A gRPC status as a person reads it: its code and what the server said. */
    static String describe(Status status) {
        return status.getCode() + (status.getDescription() == null ? "" : ": " + status.getDescription());
    }
}
