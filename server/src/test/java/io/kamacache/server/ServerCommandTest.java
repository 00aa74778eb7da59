package io.kamacache.server;

import io.grpc.netty.shaded.io.netty.util.ResourceLeakDetector;
import io.grpc.netty.shaded.io.netty.util.ResourceLeakDetector.Level;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class ServerCommandTest {

    private Level levelBefore;
    private String propertyBefore;

    @BeforeEach
    void remember() {
        levelBefore = ResourceLeakDetector.getLevel();
        propertyBefore = System.getProperty(ServerCommand.LEAK_DETECTION_PROPERTY);
    }

    @AfterEach
    void restore() {
        ResourceLeakDetector.setLevel(levelBefore);
        if (propertyBefore == null) {
            System.clearProperty(ServerCommand.LEAK_DETECTION_PROPERTY);
        } else {
            System.setProperty(ServerCommand.LEAK_DETECTION_PROPERTY, propertyBefore);
        }
    }

    @Test
    void aServerTurnsNettysLeakDetectionOff() {
        System.clearProperty(ServerCommand.LEAK_DETECTION_PROPERTY);
        ResourceLeakDetector.setLevel(Level.SIMPLE); // Netty's default

        ServerCommand.quietLeakDetection();

        assertThat(ResourceLeakDetector.getLevel()).isEqualTo(Level.DISABLED);
    }

    @Test
    void aLevelTheOperatorSetIsKept() {
        System.setProperty(ServerCommand.LEAK_DETECTION_PROPERTY, "paranoid");
        ResourceLeakDetector.setLevel(Level.PARANOID); // what Netty read from the property when it loaded

        ServerCommand.quietLeakDetection();

        assertThat(ResourceLeakDetector.getLevel()).isEqualTo(Level.PARANOID);
    }
}
