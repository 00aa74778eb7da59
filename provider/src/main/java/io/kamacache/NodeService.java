package io.kamacache;

import com.google.protobuf.ByteString;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import io.kamacache.proto.v1.CacheServiceGrpc;
import io.kamacache.proto.v1.DeleteRequest;
import io.kamacache.proto.v1.DeleteResponse;
import io.kamacache.proto.v1.GetRequest;
import io.kamacache.proto.v1.GetResponse;
import io.kamacache.proto.v1.HandedOffRequest;
import io.kamacache.proto.v1.HandedOffResponse;
import io.kamacache.proto.v1.HealthRequest;
import io.kamacache.proto.v1.HealthResponse;
import io.kamacache.proto.v1.RequestHeader;
import io.kamacache.proto.v1.SetRequest;
import io.kamacache.proto.v1.SetResponse;
import io.kamacache.proto.v1.TransferBatch;
import io.kamacache.proto.v1.TransferEntry;
import io.kamacache.proto.v1.TransferSummary;
import io.kamacache.remote.Protocol;
import io.kamacache.store.StoredValue;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;

/**
 * What a node answers to other nodes. A request for a key is served locally when this
 * node owns the key in its current view, and passed on once to the owner it sees
 * otherwise; a request already passed on that still reaches a non-owner is refused
 * (UNAVAILABLE: the views differ while membership changes), except when it comes from the
 * very node this one takes for the owner, which is handing the key over as it leaves.
 * A fetch is answered from the store whoever owns the key: it comes from a node that
 * joined and takes the key over.
 */
final class NodeService extends CacheServiceGrpc.CacheServiceImplBase {

    private final Node node;

    NodeService(Node node) {
        this.node = node;
    }

    @Override
    public void get(GetRequest request, StreamObserver<GetResponse> response) {
        try {
            Group group = group(request.getHeader(), request.getGroup());
            byte[] key = request.getKey().toByteArray();
            String owner = route(request.getHeader(), key);
            String text = text(key);
            if (owner == null) {
                group.recordServed();
            }
            CompletableFuture<ByteView> value = owner == null ? group.localGetAsync(text, key)
                    : group.remoteGet(owner, text, key, true);
            value.whenComplete((found, failure) -> {
                if (failure != null) {
                    response.onError(status(failure, "get", group.name(), text));
                    return;
                }
                GetResponse.Builder answer = GetResponse.newBuilder().setFound(found != null);
                if (found != null) {
                    answer.setValue(ByteString.copyFrom(found.array()));
                }
                response.onNext(answer.build());
                response.onCompleted();
            });
        } catch (RuntimeException e) {
            response.onError(status(e, "get", request.getGroup(), text(request.getKey().toByteArray())));
        }
    }

    @Override
    public void set(SetRequest request, StreamObserver<SetResponse> response) {
        try {
            Group group = group(request.getHeader(), request.getGroup());
            byte[] key = request.getKey().toByteArray();
            byte[] value = request.getValue().toByteArray();
            node.peers().checkSize(group.name(), key, value); // the transport takes more, for events
            String owner = route(request.getHeader(), key);
            if (owner == null) {
                group.localSet(key, value);
            } else {
                node.peers().set(owner, group.name(), key, value, true);
            }
            response.onNext(SetResponse.getDefaultInstance());
            response.onCompleted();
        } catch (RuntimeException e) {
            response.onError(status(e, "set", request.getGroup(), text(request.getKey().toByteArray())));
        }
    }

    @Override
    public void delete(DeleteRequest request, StreamObserver<DeleteResponse> response) {
        try {
            Group group = group(request.getHeader(), request.getGroup());
            byte[] key = request.getKey().toByteArray();
            String owner = route(request.getHeader(), key);
            boolean deleted = owner == null ? group.localDelete(key)
                    : node.peers().delete(owner, group.name(), key, true);
            response.onNext(DeleteResponse.newBuilder().setDeleted(deleted).build());
            response.onCompleted();
        } catch (RuntimeException e) {
            response.onError(status(e, "delete", request.getGroup(), text(request.getKey().toByteArray())));
        }
    }

    @Override
    public StreamObserver<TransferBatch> transfer(StreamObserver<TransferSummary> response) {
        return new StreamObserver<>() {
            private long accepted;
            private long skipped;
            private boolean failed;

            @Override
            public void onNext(TransferBatch batch) {
                if (failed) {
                    return;
                }
                try {
                    Group group = group(batch.getHeader(), batch.getGroup());
                    for (TransferEntry entry : batch.getEntriesList()) {
                        long expiresAt = PeerClient.expiresAtFromWire(entry.getExpiresAt());
                        if (group.acceptTransfer(entry.getKey().toByteArray(), entry.getValue().toByteArray(), expiresAt)) {
                            accepted++;
                        } else {
                            skipped++;
                        }
                    }
                } catch (RuntimeException e) {
                    failed = true;
                    response.onError(status(e, "take over entries of", batch.getGroup(), null));
                }
            }

            @Override
            public void onError(Throwable t) {
                failed = true;
            }

            @Override
            public void onCompleted() {
                if (!failed) {
                    response.onNext(TransferSummary.newBuilder().setAccepted(accepted).setSkipped(skipped).build());
                    response.onCompleted();
                }
            }
        };
    }

    @Override
    public void fetch(GetRequest request, StreamObserver<GetResponse> response) {
        try {
            Group group = group(request.getHeader(), request.getGroup());
            StoredValue held = group.store().get(request.getKey().toByteArray());
            GetResponse.Builder answer = GetResponse.newBuilder().setFound(held != null)
                    .setHandedOff(node.owesNoHandOff(request.getHeader().getSender()));
            if (held != null) {
                answer.setValue(ByteString.copyFrom(held.value()))
                        .setExpiresAt(PeerClient.expiresAtOnWire(held.expiresAt()));
            }
            response.onNext(answer.build());
            response.onCompleted();
        } catch (RuntimeException e) {
            response.onError(status(e, "fetch", request.getGroup(), text(request.getKey().toByteArray())));
        }
    }

    @Override
    public void handedOff(HandedOffRequest request, StreamObserver<HandedOffResponse> response) {
        try {
            Protocol.check(request.getHeader());
            node.handedOff(request.getHeader().getSender());
            response.onNext(HandedOffResponse.getDefaultInstance());
            response.onCompleted();
        } catch (StatusRuntimeException e) {
            response.onError(e); // another protocol version
        }
    }

    @Override
    public void health(HealthRequest request, StreamObserver<HealthResponse> response) {
        try {
            Protocol.check(request.getHeader());
            response.onNext(HealthResponse.newBuilder()
                    .setProtocolVersion(Protocol.VERSION)
                    .setAddress(node.selfAddress())
                    .addAllMembers(node.ring().members())
                    .build());
            response.onCompleted();
        } catch (RuntimeException e) {
            response.onError(status(e, "answer health of", "", null));
        }
    }

    private Group group(RequestHeader header, String name) {
        Protocol.check(header);
        Group group = name.isBlank() ? null : node.getGroup(name);
        if (group == null) {
            throw Status.NOT_FOUND.withDescription("no group '" + name + "' on node " + node.selfAddress()
                    + "; it has " + node.groups().stream().map(Group::name).sorted().toList()).asRuntimeException();
        }
        return group;
    }

    /** Null to serve the key here, or the owner to pass it on to. */
    private String route(RequestHeader header, byte[] key) {
        String owner = node.ring().ownerOf(key);
        if (owner.equals(node.selfAddress())) {
            return null;
        }
        if (!header.getForwarded()) {
            return owner;
        }
        if (header.getSender().equals(owner)) {
            return null; // the owner itself is handing the key over as it leaves
        }
        throw Status.UNAVAILABLE.withDescription("node " + node.selfAddress() + " does not own key '" + text(key)
                + "'; in its view the owner is " + owner + " (views differ while membership changes; retry)")
                .asRuntimeException();
    }

    private StatusRuntimeException status(Throwable failure, String operation, String group, String key) {
        Throwable cause = failure;
        while ((cause instanceof CompletionException || cause instanceof ExecutionException) && cause.getCause() != null) {
            cause = cause.getCause();
        }
        if (cause instanceof StatusRuntimeException status) {
            return status;
        }
        if (cause instanceof ClusterException && cause.getCause() instanceof StatusRuntimeException status) {
            return status.getStatus().augmentDescription("via " + node.selfAddress()).asRuntimeException();
        }
        Status code = cause instanceof IllegalArgumentException ? Status.INVALID_ARGUMENT
                : cause instanceof IllegalStateException ? Status.UNAVAILABLE : Status.UNKNOWN;
        String what = key == null ? " group '" + group + "'" : " key '" + key + "' of group '" + group + "'";
        return code.withDescription("node " + node.selfAddress() + " could not " + operation + what + ": " + cause)
                .asRuntimeException();
    }

    private static String text(byte[] key) {
        return new String(key, StandardCharsets.UTF_8);
    }
}
