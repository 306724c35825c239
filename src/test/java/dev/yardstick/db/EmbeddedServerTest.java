package dev.yardstick.db;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The embedded PostgreSQL as the service runs it: durable when its data persists, a password for
 * everyone (TCP and the Unix socket), data directories from before passwords upgraded, and a
 * postmaster left running by a killed service stopped before a new start (and no other process).
 */
class EmbeddedServerTest {

    /** AuthenticationSASL: the server asks for scram-sha-256. */
    private static final int SASL = 10;

    @TempDir
    Path base;

    @Test
    void aPersistentServerIsDurableAndAsksEveryoneForItsGeneratedPassword() throws Exception {
        String password;
        try (EmbeddedServer server = EmbeddedServer.start(base, true)) {
            password = server.password();
            Path file = base.resolve(EmbeddedServer.PASSWORD_FILE);
            assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
            assertEquals(password, Files.readString(file).trim());
            assertTrue(password.length() >= 40, "256 random bits");

            assertEquals("on", show(server, password, "fsync"));
            assertEquals("on", show(server, password, "synchronous_commit"));
            assertEquals(SASL, authentication(tcp(server)));
            assertEquals(SASL, authentication(unixSocket(server, password)));
            assertRefused(server, null);
            SQLException wrong = assertRefused(server, "not-the-password");
            assertEquals("28P01", wrong.getSQLState());
            assertFalse(EmbeddedServer.trusts(base.resolve("postgres").resolve("pg_hba.conf")));
        }
        try (EmbeddedServer again = EmbeddedServer.start(base, true)) {
            assertEquals(password, again.password(), "the password is kept with the data");
            assertEquals("on", show(again, password, "fsync"));
        }
    }

    @Test
    void aThrowawayServerSkipsFsyncButStillAsksForItsPassword() throws Exception {
        try (EmbeddedServer server = EmbeddedServer.start(base, false)) {
            assertEquals("off", show(server, server.password(), "fsync"));
            assertEquals(SASL, authentication(tcp(server)));
            assertRefused(server, null);
        }
    }

    @Test
    void aDataDirectoryFromBeforePasswordsIsUpgradedAndKeepsItsData() throws Exception {
        Path data = base.resolve("postgres");
        try (EmbeddedPostgres old = EmbeddedPostgres.builder().setDataDirectory(data).setCleanDataDirectory(false)
                .setRegisterShutdownHook(false).start();
                Connection c = old.getPostgresDatabase().getConnection();
                Statement s = c.createStatement()) {
            s.execute("create table kept (n int)");
            s.execute("insert into kept values (42)");
        }
        assertTrue(EmbeddedServer.trusts(data.resolve("pg_hba.conf")), "the old layout trusts local users");
        assertFalse(Files.exists(base.resolve(EmbeddedServer.PASSWORD_FILE)));

        try (EmbeddedServer server = EmbeddedServer.start(base, true)) {
            assertEquals("42", query(server, server.password(), "select n::text from kept"));
            assertEquals(SASL, authentication(tcp(server)));
            assertEquals(SASL, authentication(unixSocket(server, server.password())));
            assertRefused(server, null);
            assertFalse(EmbeddedServer.trusts(data.resolve("pg_hba.conf")));
            assertEquals("rw-------", PosixFilePermissions.toString(
                    Files.getPosixFilePermissions(base.resolve(EmbeddedServer.PASSWORD_FILE))));
        }
        try (EmbeddedServer again = EmbeddedServer.start(base, true)) {
            assertEquals("42", query(again, again.password(), "select n::text from kept"));
        }
    }

    @Test
    void aPostmasterLeftRunningOnItsDataDirectoryIsStoppedButNoOtherProcess(@TempDir Path otherBase)
            throws Exception {
        Path data = base.resolve("postgres");
        Path postgres;
        int port;
        try (EmbeddedServer first = EmbeddedServer.start(base, true)) {
            postgres = Path.of(ProcessHandle.of(postmasterPid(data)).orElseThrow().info().command().orElseThrow());
            port = first.port();
        }
        // what a killed service leaves behind: its postmaster still running on the data directory, started
        // by pg_ctl as zonky starts it (in a user namespace when root, where PostgreSQL refuses to run)
        List<String> command = new ArrayList<>();
        if ("root".equals(System.getProperty("user.name"))) {
            command.addAll(List.of("unshare", "-U"));
        }
        command.addAll(List.of(postgres.resolveSibling("pg_ctl").toString(), "-D", data.toString(), "-o",
                "-p " + port, "-l", base.resolve("orphan.log").toString(), "-w", "start"));
        Process pgCtl = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(base.resolve("pg_ctl.log").toFile()).start();
        assertTrue(pgCtl.waitFor(60, TimeUnit.SECONDS) && pgCtl.exitValue() == 0,
                () -> command + ": " + read(base.resolve("pg_ctl.log")) + read(base.resolve("orphan.log")));
        ProcessHandle orphan = ProcessHandle.of(postmasterPid(data)).orElseThrow();
        assertEquals(Orphans.Owner.THIS_DIRECTORY, Orphans.owner(orphan.pid(), data));
        try (EmbeddedServer second = EmbeddedServer.start(base, true)) {
            assertFalse(orphan.isAlive(), "the orphaned postmaster was stopped");
            assertNotEquals(orphan.pid(), postmasterPid(data));
            assertEquals("1", query(second, second.password(), "select 1::text"));
        } finally {
            orphan.destroyForcibly();
        }

        // a live process that is not a postmaster of this directory: another program, another server's
        Process unrelated = new ProcessBuilder("sleep", "300").start();
        try (EmbeddedServer other = EmbeddedServer.start(otherBase, true)) {
            for (long pid : new long[]{unrelated.pid(), postmasterPid(otherBase.resolve("postgres"))}) {
                Files.writeString(data.resolve("postmaster.pid"), pid + "\n" + data + "\n");
                assertEquals(Orphans.Owner.OTHER, Orphans.owner(pid, data));
                try (EmbeddedServer server = EmbeddedServer.start(base, true)) {
                    assertEquals("1", query(server, server.password(), "select 1::text"));
                }
                assertTrue(unrelated.isAlive(), "never another process");
                assertEquals("1", query(other, other.password(), "select 1::text"), "nor another server");
            }
        } finally {
            unrelated.destroyForcibly();
        }
    }

    private static String read(Path file) {
        try {
            return Files.exists(file) ? Files.readString(file) : "";
        } catch (IOException e) {
            return e.toString();
        }
    }

    private static long postmasterPid(Path data) throws IOException {
        return Long.parseLong(Files.readAllLines(data.resolve("postmaster.pid")).get(0).trim());
    }

    private static String show(EmbeddedServer server, String password, String setting) throws SQLException {
        return query(server, password, "show " + setting);
    }

    private static String query(EmbeddedServer server, String password, String sql) throws SQLException {
        try (Connection c = connect(server, password);
                Statement s = c.createStatement();
                ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getString(1);
        }
    }

    private static Connection connect(EmbeddedServer server, String password) throws SQLException {
        Properties props = new Properties();
        props.setProperty("user", EmbeddedServer.USER);
        if (password != null) {
            props.setProperty("password", password);
        }
        return DriverManager.getConnection(server.jdbcUrl(), props);
    }

    private static SQLException assertRefused(EmbeddedServer server, String password) {
        return assertThrows(SQLException.class, () -> connect(server, password).close());
    }

    private static SocketAddress tcp(EmbeddedServer server) {
        return new InetSocketAddress(InetAddress.getLoopbackAddress(), server.port());
    }

    private static SocketAddress unixSocket(EmbeddedServer server, String password) throws SQLException {
        String dir = show(server, password, "unix_socket_directories").split(",")[0].trim();
        return UnixDomainSocketAddress.of(Path.of(dir, ".s.PGSQL." + server.port()));
    }

    /**
     * What the server answers a StartupMessage for user postgres with: the authentication request's
     * code (0: let in without a password, 10: SASL, that is scram-sha-256).
     */
    private static int authentication(SocketAddress address) throws IOException {
        try (SocketChannel channel = address instanceof UnixDomainSocketAddress
                ? SocketChannel.open(StandardProtocolFamily.UNIX)
                : SocketChannel.open()) {
            channel.connect(address);
            byte[] params = "user\0postgres\0database\0postgres\0\0".getBytes(StandardCharsets.US_ASCII);
            ByteBuffer startup = ByteBuffer.allocate(8 + params.length);
            startup.putInt(8 + params.length).putInt(196608).put(params).flip();
            while (startup.hasRemaining()) {
                channel.write(startup);
            }
            ByteBuffer reply = ByteBuffer.allocate(9);
            while (reply.hasRemaining() && channel.read(reply) >= 0) {
                // until the message type, its length and the authentication code are in
            }
            reply.flip();
            assertEquals('R', (char) reply.get(), "an authentication request");
            reply.getInt();
            return reply.getInt();
        }
    }
}
