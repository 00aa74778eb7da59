package io.kamacache.discovery;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.KeyValue;
import io.etcd.jetcd.options.GetOption;
import io.kamacache.testing.EtcdExtension;
import io.kamacache.testing.FreePorts;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * {@link EtcdRegistration} and the {@link EtcdMembership} it builds on, against a real etcd:
 * views, observers, leaving, a lost lease, an outage.
 */
class EtcdRegistrationTest {

    @RegisterExtension
    static final EtcdExtension ETCD = new EtcdExtension();

    private static final AtomicInteger SERVICES = new AtomicInteger();

    private final String service = "membership-test-" + SERVICES.incrementAndGet();
    private final List<EtcdMembership> opened = new ArrayList<>();

    @AfterEach
    void closeMemberships() {
        opened.forEach(EtcdMembership::close);
    }

    private EtcdRegistration membership() {
        EtcdRegistration membership = EtcdRegistration.of(settings());
        opened.add(membership);
        return membership;
    }

    /** What a client watches with. */
    private EtcdMembership observer() {
        EtcdMembership observer = settings().build();
        opened.add(observer);
        return observer;
    }

    private EtcdMembership.Builder settings() {
        return EtcdMembership.builder().endpoints(ETCD.endpoints()).serviceName(service)
                .leaseTtl(Duration.ofSeconds(2)).connectTimeout(Duration.ofSeconds(2));
    }

    @Test
    void theFirstViewContainsSelfBeforeJoinReturns() {
        Views views = new Views();
        membership().join("127.0.0.1:7001", views);
        assertThat(views.count()).isEqualTo(1);
        assertThat(views.last()).containsExactly("127.0.0.1:7001");
        assertThat(keysInEtcd()).containsExactly("/kamacache/" + service + "/nodes/127.0.0.1:7001");
    }

    @Test
    void twoMembersSeeEachOtherAndALeaverIsDropped() {
        Views first = new Views();
        Views second = new Views();
        EtcdRegistration a = membership();
        a.join("127.0.0.1:7001", first);
        membership().join("127.0.0.1:7002", second);
        assertThat(second.last()).containsExactlyInAnyOrder("127.0.0.1:7001", "127.0.0.1:7002");
        first.await(Set.of("127.0.0.1:7001", "127.0.0.1:7002"));

        a.close();
        int afterClose = first.count();
        a.close(); // idempotent
        second.await(Set.of("127.0.0.1:7002"));
        assertThat(keysInEtcd()).containsExactly("/kamacache/" + service + "/nodes/127.0.0.1:7002");
        assertThat(first.count()).as("views reported after close").isEqualTo(afterClose);
        assertThat(second.threads()).as("threads views were reported on").hasSize(1);
    }

    @Test
    void anObserverSeesTheMembersWithoutBecomingOne() {
        membership().join("127.0.0.1:7001", new Views());
        Views observed = new Views();
        EtcdMembership observer = observer();
        assertThatThrownBy(() -> observer.join("127.0.0.1:7003", new Views()))
                .isInstanceOf(UnsupportedOperationException.class).hasMessageContaining("EtcdRegistration");
        observer.observe(observed);
        assertThat(observed.last()).as("the first view, before observe returns").containsExactly("127.0.0.1:7001");

        EtcdMembership second = membership();
        second.join("127.0.0.1:7002", new Views());
        observed.await(Set.of("127.0.0.1:7001", "127.0.0.1:7002"));
        second.close();
        observed.await(Set.of("127.0.0.1:7001"));
        assertThat(keysInEtcd()).as("an observer registers nothing")
                .containsExactly("/kamacache/" + service + "/nodes/127.0.0.1:7001");
        assertThatThrownBy(() -> observer.observe(new Views())).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void staticPeersAreObservedAsTheyAreAndNoneHasNothingToObserve() {
        Views observed = new Views();
        Membership.staticPeers(List.of("127.0.0.1:7001", "127.0.0.1:7002")).observe(observed);
        assertThat(observed.last()).containsExactlyInAnyOrder("127.0.0.1:7001", "127.0.0.1:7002");
        assertThatThrownBy(() -> Membership.none().observe(new Views()))
                .isInstanceOf(UnsupportedOperationException.class).hasMessageContaining("give peers or etcd");
    }

    @Test
    void aRevokedLeaseIsReplacedAndTheMemberSeenAgain() throws Exception {
        Views watcher = new Views();
        membership().join("127.0.0.1:7001", new Views());
        membership().join("127.0.0.1:7002", watcher);
        try (Client client = Client.builder().endpoints(ETCD.endpoint()).build()) {
            String key = "/kamacache/" + service + "/nodes/127.0.0.1:7001";
            KeyValue kv = client.getKVClient().get(bytes(key)).get(5, TimeUnit.SECONDS).getKvs().get(0);
            client.getLeaseClient().revoke(kv.getLease()).get(5, TimeUnit.SECONDS);
        }
        watcher.await(Set.of("127.0.0.1:7002"));
        watcher.await(Set.of("127.0.0.1:7001", "127.0.0.1:7002"));
        assertThat(keysInEtcd()).hasSize(2);
    }

    @Test
    void anUnreachableEtcdFailsJoinWithinTheConnectTimeout() {
        String nowhere = "http://127.0.0.1:" + FreePorts.port();
        EtcdRegistration membership = EtcdRegistration.of(EtcdMembership.builder().endpoints(List.of(nowhere))
                .serviceName(service).connectTimeout(Duration.ofSeconds(2)));
        Views views = new Views();
        long start = System.nanoTime();
        assertThatThrownBy(() -> membership.join("127.0.0.1:7001", views))
                .isInstanceOf(MembershipException.class)
                .hasMessageContaining(nowhere)
                .hasMessageContaining("127.0.0.1:7001");
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(4));
        assertThat(views.count()).isZero();
        membership.close();
    }

    @Test
    void anOutageKeepsTheLastViewAndTheMembersRegisterAgainAfterIt() {
        Views first = new Views();
        Views second = new Views();
        membership().join("127.0.0.1:7001", first);
        membership().join("127.0.0.1:7002", second);
        first.await(Set.of("127.0.0.1:7001", "127.0.0.1:7002"));
        int viewsBefore = first.count() + second.count();

        ETCD.stop();
        try {
            pause(4_000); // two lease TTLs without etcd
            assertThat(first.last()).containsExactlyInAnyOrder("127.0.0.1:7001", "127.0.0.1:7002");
            assertThat(second.last()).containsExactlyInAnyOrder("127.0.0.1:7001", "127.0.0.1:7002");
            assertThat(first.count() + second.count()).isEqualTo(viewsBefore);
        } finally {
            ETCD.start();
        }
        // after the restart both are listed (again) and both see both
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        while (keysInEtcd().size() < 2 && System.nanoTime() < deadline) {
            pause(100);
        }
        assertThat(keysInEtcd()).containsExactlyInAnyOrder("/kamacache/" + service + "/nodes/127.0.0.1:7001",
                "/kamacache/" + service + "/nodes/127.0.0.1:7002");
        first.await(Set.of("127.0.0.1:7001", "127.0.0.1:7002"));
        second.await(Set.of("127.0.0.1:7001", "127.0.0.1:7002"));
    }

    @Test
    void settingsAreChecked() {
        assertThatThrownBy(() -> EtcdMembership.builder().leaseTtl(Duration.ofMillis(1_500)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("at least 2 s");
        assertThatThrownBy(() -> EtcdMembership.builder().endpoints(List.of("127.0.0.1:2379")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'127.0.0.1:2379'");
        assertThatThrownBy(() -> EtcdMembership.builder().build())
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("endpoints are required");
        assertThatThrownBy(() -> EtcdRegistration.of(EtcdMembership.builder()))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("endpoints are required");
        assertThat(EtcdMembership.builder().endpoints(List.of("http://10.0.0.5:2379")).serviceName("shop").build())
                .hasToString("etcd [http://10.0.0.5:2379] service 'shop'");
    }

    private List<String> keysInEtcd() {
        try (Client client = Client.builder().endpoints(ETCD.endpoint()).build()) {
            String prefix = "/kamacache/" + service + "/nodes/";
            return client.getKVClient().get(bytes(prefix), GetOption.builder().isPrefix(true).build())
                    .get(5, TimeUnit.SECONDS).getKvs().stream()
                    .map(kv -> kv.getKey().toString(StandardCharsets.UTF_8)).toList();
        } catch (Exception e) {
            throw new IllegalStateException("cannot read etcd at " + ETCD.endpoint(), e);
        }
    }

    static ByteSequence bytes(String s) {
        return ByteSequence.from(s, StandardCharsets.UTF_8);
    }

    static void pause(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
