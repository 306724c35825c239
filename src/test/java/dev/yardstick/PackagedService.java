package dev.yardstick;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;

import dev.yardstick.chat.slack.FakeSlack;
import io.restassured.http.ContentType;
import io.restassured.specification.RequestSpecification;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * One instance of the packaged service ({@code java -jar target/quarkus-app/quarkus-run.jar}) for the
 * Failsafe integration tests: several can run on one database, and one can be killed mid-work.
 */
public final class PackagedService implements AutoCloseable {

    /** The admin token every packaged instance of the tests uses. */
    public static final String ADMIN = "packaged-admin-token";

    private final int port;
    private final Process process;

    private PackagedService(int port, Process process) {
        this.port = port;
        this.process = process;
    }

    /**
     * Starts an instance on a free port with the given environment (on top of the admin token and
     * port); its output is appended to {@code target/<log>.log}.
     */
    public static PackagedService start(String log, Map<String, String> env) {
        return start(log, env, List.of());
    }

    /** Starts an instance as {@link #start(String, Map)} does, with extra JVM options (a heap size, say). */
    public static PackagedService start(String log, Map<String, String> env, List<String> jvmOptions) {
        Path jar = Path.of("target", "quarkus-app", "quarkus-run.jar");
        if (!Files.exists(jar)) {
            throw new IllegalStateException("package the service first: " + jar);
        }
        int port = freePort();
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.add("-Dfile.encoding=UTF-8");
        command.addAll(jvmOptions);
        command.addAll(List.of("-jar", jar.toString()));
        ProcessBuilder pb = new ProcessBuilder(command);
        pb.environment().remove("QUARKUS_DATASOURCE_JDBC_URL");
        pb.environment().put("YARDSTICK_ADMIN_TOKEN", ADMIN);
        pb.environment().put("QUARKUS_HTTP_PORT", Integer.toString(port));
        pb.environment().putAll(env);
        pb.redirectErrorStream(true);
        pb.redirectOutput(ProcessBuilder.Redirect.appendTo(Path.of("target", log + ".log").toFile()));
        try {
            return new PackagedService(port, pb.start());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The environment of an instance on an external PostgreSQL (user postgres). */
    public static Map<String, String> database(String jdbcUrl) {
        return Map.of("QUARKUS_DATASOURCE_JDBC_URL", jdbcUrl, "QUARKUS_DATASOURCE_USERNAME", "postgres");
    }

    /** The environment of an instance talking to a fake Slack in single-workspace mode. */
    public static Map<String, String> slack(FakeSlack slack) {
        return Map.of("SLACK_SIGNING_SECRET", "packaged-signing-secret", "SLACK_BOT_TOKEN", "xoxb-packaged",
                "SLACK_API_URL", slack.apiUrl(), "SLACK_SETTLE_WITH_HISTORY", "true");
    }

    /** Several environments merged, later ones winning. */
    @SafeVarargs
    public static Map<String, String> env(Map<String, String>... parts) {
        Map<String, String> all = new HashMap<>();
        for (Map<String, String> p : parts) {
            all.putAll(p);
        }
        return all;
    }

    /** Waits until the instance answers its readiness probe. */
    public PackagedService awaitReady() {
        await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(250)).ignoreExceptions()
                .until(() -> given().port(port).get("/q/health/ready").statusCode() == 200);
        return this;
    }

    public int port() {
        return port;
    }

    /** A request with the admin token. */
    public RequestSpecification admin() {
        return given().port(port).header("Authorization", "Bearer " + ADMIN).contentType(ContentType.JSON);
    }

    /** A request with an ingest token. */
    public RequestSpecification ingest(String token) {
        return given().port(port).header("Authorization", "Bearer " + token).contentType(ContentType.JSON);
    }

    /** Kills the process at once (SIGKILL): no shutdown hooks, nothing finished. */
    public void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(60, TimeUnit.SECONDS);
    }

    /** Asks the process to stop (SIGTERM) and returns at once. */
    public void terminate() {
        process.destroy();
    }

    /** Whether the process is still running. */
    public boolean alive() {
        return process.isAlive();
    }

    /** Stops the process gracefully (SIGTERM), killing it after a minute. */
    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly();
        }
    }

    private static int freePort() {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
