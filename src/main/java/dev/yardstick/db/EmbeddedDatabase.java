package dev.yardstick.db;

import io.quarkus.runtime.Application;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Optional;
import java.util.stream.Stream;
import org.jboss.logging.Logger;

/**
 * The embedded PostgreSQL server used when no {@code QUARKUS_DATASOURCE_JDBC_URL} is configured.
 *
 * <p>One server per JVM, started on first use and stopped when the JVM exits (after the service),
 * so that dev-mode live reload keeps talking to the same server. A persistent server keeps its data in
 * {@code <YARDSTICK_DATA_DIR>/postgres} and its generated password in
 * {@code <YARDSTICK_DATA_DIR>/postgres-password}; a throwaway one (tests) lives in a temporary directory
 * that is deleted on exit. See {@link EmbeddedServer} for durability, passwords and crash recovery.
 */
public final class EmbeddedDatabase {

    private static final Logger LOG = Logger.getLogger(EmbeddedDatabase.class);
    /**
     * Remember the running server across class loaders: dev-mode live reload loads this class anew,
     * and must find the server the previous class loader started (its URL, and the file with its
     * password, never the password itself).
     */
    private static final String RUNNING_URL = "dev.yardstick.embedded-postgres-url";
    private static final String RUNNING_PASSWORD_FILE = "dev.yardstick.embedded-postgres-password-file";
    private static EmbeddedServer server;
    private static Path throwawayDir;

    private EmbeddedDatabase() {
    }

    /**
     * Starts the server if it is not running yet and returns its JDBC URL (user and password are
     * {@link #user()} and {@link #password(String)}).
     *
     * @param dataDir where the data lives, or {@code null} for a throwaway server
     */
    public static synchronized String jdbcUrl(Path dataDir) {
        String running = System.getProperty(RUNNING_URL);
        if (running != null) {
            return running;
        }
        Path base = start(dataDir);
        Runtime.getRuntime().addShutdownHook(new Thread(EmbeddedDatabase::stopAfterTheService,
                "embedded-postgres-stop"));
        System.setProperty(RUNNING_PASSWORD_FILE, base.resolve(EmbeddedServer.PASSWORD_FILE).toString());
        System.setProperty(RUNNING_URL, server.jdbcUrl());
        return server.jdbcUrl();
    }

    /** The user the service connects as. */
    public static String user() {
        return EmbeddedServer.USER;
    }

    /**
     * The password of {@link #user()} when {@code jdbcUrl} is the embedded server's (read from its file
     * for each new connection, so never held in configuration); empty for any other database.
     */
    public static Optional<String> password(String jdbcUrl) {
        String running = System.getProperty(RUNNING_URL);
        String file = System.getProperty(RUNNING_PASSWORD_FILE);
        if (running == null || file == null || !running.equals(jdbcUrl)) {
            return Optional.empty();
        }
        try {
            return Optional.of(Files.readString(Path.of(file), StandardCharsets.UTF_8).trim());
        } catch (IOException e) {
            throw new UncheckedIOException("Could not read the embedded PostgreSQL's password file", e);
        }
    }

    private static Path start(Path dataDir) {
        try {
            Path base;
            if (dataDir == null) {
                throwawayDir = Files.createTempDirectory("yardstick-pg-");
                base = throwawayDir;
            } else {
                base = dataDir.toAbsolutePath();
            }
            server = EmbeddedServer.start(base, dataDir != null);
            LOG.infof("Embedded PostgreSQL started on port %d with data in %s", server.port(),
                    dataDir == null ? "a throwaway directory" : base.resolve("postgres"));
            return base;
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
        System.clearProperty(RUNNING_PASSWORD_FILE);
        if (throwawayDir != null) {
            try (Stream<Path> files = Files.walk(throwawayDir)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            } catch (IOException ignored) {
                // best effort: a temporary directory
            }
        }
    }
}
