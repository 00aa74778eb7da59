package io.kamacache;

import com.google.protobuf.ByteString;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import io.kamacache.proto.v1.DeleteRequest;
import io.kamacache.proto.v1.GetRequest;
import io.kamacache.proto.v1.GetResponse;
import io.kamacache.proto.v1.HandedOffRequest;
import io.kamacache.proto.v1.SetRequest;
import io.kamacache.proto.v1.TransferBatch;
import io.kamacache.proto.v1.TransferEntry;
import io.kamacache.proto.v1.TransferSummary;
import io.kamacache.remote.OneAnswer;
import io.kamacache.remote.PeerChannels;
import io.kamacache.remote.Protocol;
import io.kamacache.store.StoredValue;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A node's calls to the owners of keys it does not own: typed wrappers of the
 * {@code kamacache.v1} calls, every one under the channels' deadline, failures turned
 * into {@link ClusterException}s that say which node, group and key.
 */
final class PeerClient implements AutoCloseable {

    /** Room left in a message for everything but the value: key, names, header. */
    private static final int ENVELOPE_BYTES = 1024;
    private static final int TRANSFER_BATCH_ENTRIES = 512;

    private final String self;
    private final PeerChannels channels;

    PeerClient(String self, PeerChannels channels) {
        this.self = self;
        this.channels = channels;
    }

    ByteView get(String owner, String group, byte[] key, boolean forwarded) {
        try {
            GetResponse response = channels.blocking(owner).get(GetRequest.newBuilder()
                    .setHeader(Protocol.header(self, forwarded))
                    .setGroup(group)
                    .setKey(ByteString.copyFrom(key))
                    .build());
            return response.getFound() ? ByteView.wrap(response.getValue().toByteArray()) : null;
        } catch (StatusRuntimeException e) {
            throw failure("get", owner, group, key, e);
        }
    }

    /** Sends a value to its owner; the caller has checked it fits ({@link #checkSize}). */
    void set(String owner, String group, byte[] key, byte[] value, boolean forwarded) {
        try {
            channels.blocking(owner).set(SetRequest.newBuilder()
                    .setHeader(Protocol.header(self, forwarded))
                    .setGroup(group)
                    .setKey(ByteString.copyFrom(key))
                    .setValue(ByteString.copyFrom(value))
                    .build());
        } catch (StatusRuntimeException e) {
            throw failure("set", owner, group, key, e);
        }
    }

    boolean delete(String owner, String group, byte[] key, boolean forwarded) {
        try {
            return channels.blocking(owner).delete(DeleteRequest.newBuilder()
                    .setHeader(Protocol.header(self, forwarded))
                    .setGroup(group)
                    .setKey(ByteString.copyFrom(key))
                    .build()).getDeleted();
        } catch (StatusRuntimeException e) {
            throw failure("delete", owner, group, key, e);
        }
    }

    /**
     * The entry {@code holder} has for a key, and whether it owes this node no hand-off.
     * Within half the deadline: the operation that waits for it must still answer its own
     * caller within the deadline.
     */
    Fetched fetch(String holder, String group, byte[] key) {
        try {
            GetResponse response = channels.blocking(holder)
                    .withDeadlineAfter(channels.deadline().toNanos() / 2, TimeUnit.NANOSECONDS)
                    .fetch(GetRequest.newBuilder()
                            .setHeader(Protocol.header(self, false))
                            .setGroup(group)
                            .setKey(ByteString.copyFrom(key))
                            .build());
            StoredValue value = response.getFound()
                    ? StoredValue.of(response.getValue().toByteArray(), expiresAtFromWire(response.getExpiresAt()))
                    : null;
            return new Fetched(value, response.getHandedOff());
        } catch (StatusRuntimeException e) {
            if (e.getStatus().getCode() == Status.Code.NOT_FOUND) {
                return new Fetched(null, false); // not even the group
            }
            throw failure("fetch", holder, group, key, e);
        }
    }

    /**
     * What a fetch brought: the holder's entry, or null when it has none, and whether the
     * holder owes the fetching node no hand-off (it need not be asked again).
     */
    record Fetched(StoredValue value, boolean handedOff) {
    }

    /** An entry's expiry time as the protocol carries it: 0 for never. */
    static long expiresAtOnWire(long expiresAt) {
        return expiresAt == StoredValue.ETERNAL ? 0 : expiresAt;
    }

    /** An expiry time the protocol carried, as the store keeps it. */
    static long expiresAtFromWire(long expiresAt) {
        return expiresAt == 0 ? StoredValue.ETERNAL : expiresAt;
    }

    /** Tells {@code member}, which joined, that this node has handed it every entry it owns. */
    void handedOff(String member) {
        try {
            channels.blocking(member).handedOff(HandedOffRequest.newBuilder().setHeader(Protocol.header(self, false)).build());
        } catch (StatusRuntimeException e) {
            throw new ClusterException("node " + member + " was not told that " + self + " has handed off: " + describe(e), e);
        }
    }

    /**
     * Streams entries to their new owner in batches of at most {@code limit} bytes ({@link #messageLimit}); returns
     * once it has confirmed them all.
     *
     * @throws ClusterException when the owner did not confirm within the deadline
     */
    void transfer(String owner, String group, List<Map.Entry<byte[], StoredValue>> entries, int limit) {
        OneAnswer<TransferSummary> done = new OneAnswer<>();
        StreamObserver<TransferBatch> stream = channels.async(owner).transfer(done);
        TransferBatch.Builder batch = newBatch(group);
        long batchBytes = 0;
        for (Map.Entry<byte[], StoredValue> entry : entries) {
            byte[] value = entry.getValue().value();
            long expiresAt = entry.getValue().expiresAt();
            TransferEntry transferred = TransferEntry.newBuilder()
                    .setKey(ByteString.copyFrom(entry.getKey()))
                    .setValue(ByteString.copyFrom(value))
                    .setExpiresAt(expiresAtOnWire(expiresAt))
                    .build();
            int size = transferred.getSerializedSize();
            if (batch.getEntriesCount() > 0 && (batch.getEntriesCount() == TRANSFER_BATCH_ENTRIES
                    || batchBytes + size + ENVELOPE_BYTES > limit)) {
                stream.onNext(batch.build());
                batch = newBatch(group);
                batchBytes = 0;
            }
            batch.addEntries(transferred);
            batchBytes += size;
        }
        if (batch.getEntriesCount() > 0) {
            stream.onNext(batch.build());
        }
        stream.onCompleted();
        try {
            done.future().get(channels.deadline().toNanos(), TimeUnit.NANOSECONDS);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            throw new ClusterException("node " + owner + " did not take over " + entries.size() + " entries of group '"
                    + group + "': " + describe(cause), cause);
        } catch (TimeoutException e) {
            stream.onError(e);
            throw new ClusterException("node " + owner + " did not confirm " + entries.size() + " entries of group '"
                    + group + "' within " + channels.deadline(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            stream.onError(e);
            throw new ClusterException("interrupted while handing entries of group '" + group + "' to " + owner, e);
        }
    }

    /** Whether a value this large can travel at all. */
    boolean fits(byte[] key, byte[] value) {
        return fits(key, value, channels.maxMessageBytes());
    }

    /** Whether a value this large can travel in a message of at most {@code limit} bytes. */
    static boolean fits(byte[] key, byte[] value, int limit) {
        return (long) key.length + value.length + ENVELOPE_BYTES <= limit;
    }

    /**
     * The largest message this node sends {@code member} ({@link PeerChannels#messageLimit});
     * a member that cannot be asked is given this node's limit: a call to it fails the same way.
     */
    int messageLimit(String member) {
        try {
            return channels.messageLimit(member, Protocol.header(self, false));
        } catch (StatusRuntimeException e) {
            return channels.maxMessageBytes();
        }
    }

    @Override
    public void close() {
        channels.close();
    }

    PeerChannels channels() {
        return channels;
    }

    private TransferBatch.Builder newBatch(String group) {
        return TransferBatch.newBuilder().setHeader(Protocol.header(self, false)).setGroup(group);
    }

    /** @throws IllegalArgumentException when a value cannot travel with its key in one message */
    void checkSize(String group, byte[] key, byte[] value) {
        if (!fits(key, value)) {
            throw new IllegalArgumentException("a value of " + value.length + " bytes for key '" + text(key)
                    + "' of group '" + group + "' is over the cluster's message limit of " + channels.maxMessageBytes()
                    + " bytes (Node.Builder.maxMessageBytes); nothing was stored");
        }
    }

    private static ClusterException failure(String operation, String owner, String group, byte[] key,
                                            StatusRuntimeException e) {
        return new ClusterException("node " + owner + " could not " + operation + " key '" + text(key) + "' of group '"
                + group + "': " + describe(e), e);
    }

    private static String describe(Throwable t) {
        if (t instanceof StatusRuntimeException status) {
            String description = status.getStatus().getDescription();
            return status.getStatus().getCode() + (description == null ? "" : ": " + description);
        }
        return String.valueOf(t);
    }

    private static String text(byte[] key) {
        return new String(key, StandardCharsets.UTF_8);
    }
}
