package dev.yardstick.db;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jboss.logging.Logger;
import org.postgresql.PGConnection;

/**
 * One embedded PostgreSQL server on a directory {@code base}: its data in {@code base/postgres}, the
 * password of its superuser {@code postgres} in {@code base/postgres-password} (mode 600).
 *
 * <p>Every connection, over TCP or the Unix socket, authenticates with that password (scram-sha-256).
 * A new data directory is created that way; one from an older version (trust authentication, no
 * password file) is upgraded on its first start. A persistent server writes with {@code fsync} on; a
 * throwaway one (tests) with it off. A postmaster left running on this data directory by a service
 * that was killed is stopped before the server starts; no other process is ever touched.
 */
final class EmbeddedServer implements AutoCloseable {

    /** The superuser the service connects as. */
    static final String USER = "postgres";
    /** The file, in the base directory, that holds the generated password. */
    static final String PASSWORD_FILE = "postgres-password";

    private static final Logger LOG = Logger.getLogger(EmbeddedServer.class);
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final Pattern HBA_TRUST = Pattern.compile("^(\\s*(?:local|host\\S*)\\s.*?)\\btrust\\b(.*)$");
    private static final Set<PosixFilePermission> OWNER_ONLY = PosixFilePermissions.fromString("rw-------");

    private final EmbeddedPostgres pg;
    private final String password;

    private EmbeddedServer(EmbeddedPostgres pg, String password) {
        this.pg = pg;
        this.password = password;
    }

    /**
     * Starts the server on {@code base} (created if needed).
     *
     * @param persistent whether the data is kept (fsync on) or thrown away on close (fsync off)
     */
    static EmbeddedServer start(Path base, boolean persistent) throws IOException {
        Files.createDirectories(base);
        Path data = base.resolve("postgres");
        Path passwordFile = base.resolve(PASSWORD_FILE);
        boolean existing = persistent && Files.exists(data.resolve("postgresql.conf"));
        if (existing) {
            Orphans.stopOrphanedPostmaster(data);
        }
        boolean trusting = existing && trusts(data.resolve("pg_hba.conf"));
        if (existing && !trusting && !Files.exists(passwordFile)) {
            throw new IllegalStateException("The embedded PostgreSQL in " + data + " asks for a password and its "
                    + "password file " + passwordFile + " is missing: restore that file (it was created with the "
                    + "data directory)");
        }
        String password = password(passwordFile);
        EmbeddedPostgres.Builder builder = EmbeddedPostgres.builder()
                .setDataDirectory(data)
                .setCleanDataDirectory(!persistent)
                .setRegisterShutdownHook(false) // stopped by its owner, after the service
                .setConnectConfig("password", password)
                .setServerConfig("max_connections", "100")
                .setServerConfig("shared_buffers", "256MB")
                .setServerConfig("password_encryption", "scram-sha-256")
                .setServerConfig("fsync", persistent ? "on" : "off")
                .setServerConfig("synchronous_commit", persistent ? "on" : "off");
        if (!existing) {
            // initdb (zonky passes -A trust first; the later option wins): scram-sha-256 for TCP and the
            // Unix socket alike, with the generated password, so the server never trusts anyone
            builder.setLocaleConfig("auth", "scram-sha-256").setLocaleConfig("pwfile", passwordFile.toString());
        }
        EmbeddedPostgres pg = builder.start();
        EmbeddedServer server = new EmbeddedServer(pg, password);
        if (trusting) {
            server.requirePassword(data.resolve("pg_hba.conf"));
        }
        return server;
    }

    int port() {
        return pg.getPort();
    }

    String password() {
        return password;
    }

    /** The JDBC URL, without user or password. */
    String jdbcUrl() {
        return "jdbc:postgresql://localhost:" + pg.getPort() + "/postgres";
    }

    @Override
    public void close() throws IOException {
        pg.close();
    }

    /**
     * Upgrades a data directory created before passwords: sets the password (hashed by the driver, so
     * it is never in a statement), then makes pg_hba.conf ask for it and reloads it.
     */
    private void requirePassword(Path hba) throws IOException {
        Properties props = new Properties();
        props.setProperty("user", USER);
        props.setProperty("password", password);
        try (Connection c = DriverManager.getConnection(jdbcUrl(), props); Statement s = c.createStatement()) {
            c.unwrap(PGConnection.class).alterUserPassword(USER, password.toCharArray(), "scram-sha-256");
            List<String> lines = new ArrayList<>();
            for (String line : Files.readAllLines(hba, StandardCharsets.UTF_8)) {
                Matcher m = HBA_TRUST.matcher(line);
                lines.add(m.matches() ? m.group(1) + "scram-sha-256" + m.group(2) : line);
            }
            writeAtomically(hba, String.join("\n", lines) + "\n");
            s.execute("select pg_reload_conf()");
        } catch (SQLException e) {
            throw new IOException("Could not set the password of the embedded PostgreSQL", e);
        }
        LOG.infof("Embedded PostgreSQL in %s now asks for a password (kept in %s)", hba.getParent(),
                hba.getParent().resolveSibling(PASSWORD_FILE));
    }

    /** Whether pg_hba.conf lets anyone in without a password (data directories from before passwords). */
    static boolean trusts(Path hba) throws IOException {
        return Files.exists(hba) && Files.readAllLines(hba, StandardCharsets.UTF_8).stream()
                .anyMatch(l -> HBA_TRUST.matcher(l).matches());
    }

    /** The password in {@code file}, generated (256 random bits, mode 600) if there is none yet. */
    static String password(Path file) throws IOException {
        if (Files.exists(file)) {
            ownerOnly(file);
            String existing = Files.readString(file, StandardCharsets.UTF_8).trim();
            if (!existing.isEmpty()) {
                return existing;
            }
        }
        byte[] bytes = new byte[32];
        RANDOM.nextBytes(bytes);
        String generated = Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
        writeAtomically(file, generated + "\n");
        return generated;
    }

    /** Replaces {@code file} (mode 600) at once, so a crash leaves the old content or the new one. */
    private static void writeAtomically(Path file, String content) throws IOException {
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        Files.deleteIfExists(tmp);
        Files.createFile(tmp);
        ownerOnly(tmp);
        Files.writeString(tmp, content, StandardCharsets.UTF_8);
        try {
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    private static void ownerOnly(Path file) throws IOException {
        try {
            Files.setPosixFilePermissions(file, OWNER_ONLY);
        } catch (UnsupportedOperationException e) {
            // not a POSIX file system (Windows): the directory's permissions apply
        }
    }
}
