package dev.yardstick;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Map;
import java.util.stream.Stream;

/**
 * A PostgreSQL the test owns (not the suite's shared one, nor the machine's), as the service's
 * external database, which a test can stop and start again on the same port and data, as an outage,
 * a restart or a failover looks from the service.
 */
public class RestartablePostgres implements QuarkusTestResourceLifecycleManager {

    private static Path dir;
    private static int port;
    private static EmbeddedPostgres server;

    @Override
    public Map<String, String> start() {
        try {
            dir = Files.createTempDirectory("yardstick-restartable-pg-");
            try (ServerSocket s = new ServerSocket(0)) {
                port = s.getLocalPort();
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        startServer();
        // its own database and schema, whatever database the rest of the run is pointed at (CI's second run sets
        // QUARKUS_FLYWAY_SCHEMAS for the machine's PostgreSQL)
        return Map.of("quarkus.datasource.jdbc.url", "jdbc:postgresql://localhost:" + port + "/postgres",
                "quarkus.datasource.username", "postgres", "quarkus.datasource.password", "unused",
                "quarkus.flyway.schemas", "public");
    }

    /** The port the server listens on, up or down. */
    public static int port() {
        return port;
    }

    /** Starts the server again on its port and data (returns when it accepts connections). */
    public static synchronized void startServer() {
        if (server != null) {
            return;
        }
        try {
            server = EmbeddedPostgres.builder().setDataDirectory(dir.resolve("data")).setCleanDataDirectory(false)
                    .setPort(port).setRegisterShutdownHook(false).setServerConfig("fsync", "off").start();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Stops the server (fast shutdown: sessions are ended, as in a restart or failover). */
    public static synchronized void stopServer() {
        if (server == null) {
            return;
        }
        try {
            server.close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        server = null;
    }

    @Override
    public void stop() {
        stopServer();
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // a temporary directory
        }
    }
}
