package dev.yardstick.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.yardstick.Api;
import dev.yardstick.Db;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import jakarta.inject.Inject;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Claude Code session-start hook ({@code docs/hooks/claude-code-session-start.sh}) run with bash against a real
 * git repository, posting to this test's server; and its promise: exit 0 within 2 seconds, whatever goes wrong.
 */
@QuarkusTest
class SessionStartHookTest {

    private static final Path SCRIPT = Path.of("docs/hooks/claude-code-session-start.sh");
    /** The contract is 2 s; the script returns in milliseconds, the bound leaves room for a loaded machine. */
    private static final Duration PROMISE = Duration.ofSeconds(2);

    @Inject
    DataSource ds;

    @TempDir
    Path dir;

    Path repo;
    String token;

    @BeforeEach
    void setUp() throws Exception {
        token = Api.ingestToken();
        repo = dir.resolve("widgets");
        Files.createDirectories(repo);
        git("init", "-q");
        git("-c", "user.email=ana@example.com", "-c", "user.name=Ana", "commit", "-q", "--allow-empty", "-m", "Start");
        git("remote", "add", "origin", "git@github.com:acme/widgets.git");
        git("checkout", "-q", "-b", "ana/eng-123-retry");
    }

    @Test
    void itLinksTheSessionToTheRepositoryAndBranchGitReports() throws Exception {
        String session = UUID.randomUUID().toString();
        Run run = hook(session, repo, "http://localhost:" + RestAssured.port);
        assertEquals(0, run.exit());
        assertTrue(run.took().compareTo(PROMISE) < 0, "took " + run.took());
        assertEquals("", run.output(), "a SessionStart hook's output would go into the session's context");

        String head = git("rev-parse", "HEAD").trim();
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> Db.scalar(ds,
                "select count(*) from session_link where session_id = ?", session) == 1);
        assertEquals("acme/widgets|ana/eng-123-retry|" + head, Db.string(ds,
                "select repository || '|' || branch || '|' || head_sha from session_link where session_id = ?",
                session));
    }

    @Test
    void anHttpsOriginIsNormalisedToo() throws Exception {
        git("remote", "set-url", "origin", "https://github.com/Acme/Gadgets.git");
        String session = UUID.randomUUID().toString();
        assertEquals(0, hook(session, repo, "http://localhost:" + RestAssured.port).exit());
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> Db.scalar(ds,
                "select count(*) from session_link where session_id = ? and repository = 'acme/gadgets'"
                        + " and branch = 'ana/eng-123-retry'",
                session) == 1);
    }

    @Test
    void withYardstickDownItStillExitsZeroWithinTwoSeconds() throws Exception {
        int closed;
        try (ServerSocket s = new ServerSocket(0)) {
            closed = s.getLocalPort();
        }
        Run run = hook(UUID.randomUUID().toString(), repo, "http://127.0.0.1:" + closed);
        assertEquals(0, run.exit());
        assertTrue(run.took().compareTo(PROMISE) < 0, "took " + run.took());
        // a server that accepts the connection and never answers: the post is in the background, bounded by curl
        try (ServerSocket silent = new ServerSocket(0)) {
            Run hanging = hook(UUID.randomUUID().toString(), repo, "http://127.0.0.1:" + silent.getLocalPort());
            assertEquals(0, hanging.exit());
            assertTrue(hanging.took().compareTo(PROMISE) < 0, "took " + hanging.took());
        }
    }

    @Test
    void outsideARepositoryWithoutGitOrCurlOrWithoutItsSettingsItDoesNothingAndExitsZero() throws Exception {
        String url = "http://localhost:" + RestAssured.port;
        String session = UUID.randomUUID().toString();
        Path plain = Files.createDirectories(dir.resolve("not-a-repo"));
        List<Run> runs = List.of(hook(session, plain, url),
                hook(session, repo, url, Map.of("PATH", dir.resolve("empty-bin").toString())),
                hook(session, repo, "", Map.of()),
                run("not json at all", repo, url, Map.of()));
        for (Run r : runs) {
            assertEquals(0, r.exit());
            assertTrue(r.took().compareTo(PROMISE) < 0, "took " + r.took());
        }
        // the real-repository run above proves a post lands within this wait; none of these may
        hook(UUID.randomUUID().toString(), repo, url);
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> Db.scalar(ds,
                "select count(*) from session_link where session_id <> ? and repository = 'acme/widgets'"
                        + " and linked_at > now() - interval '1 minute'",
                session) >= 1);
        assertEquals(0, Db.scalar(ds, "select count(*) from session_link where session_id = ?", session));
    }

    // --- Helpers ------------------------------------------------------------------------------

    private record Run(int exit, Duration took, String output) {
    }

    private Run hook(String session, Path cwd, String url) throws Exception {
        return hook(session, cwd, url, Map.of());
    }

    private Run hook(String session, Path cwd, String url, Map<String, String> env) throws Exception {
        String input = "{\"session_id\":\"" + session + "\",\"transcript_path\":\"" + dir.resolve("t.jsonl")
                + "\",\"cwd\":\"" + cwd + "\",\"hook_event_name\":\"SessionStart\",\"source\":\"startup\"}";
        return run(input, cwd, url, env);
    }

    private Run run(String input, Path cwd, String url, Map<String, String> env) throws Exception {
        ProcessBuilder pb = new ProcessBuilder("bash", SCRIPT.toAbsolutePath().toString()).directory(cwd.toFile())
                .redirectErrorStream(true);
        pb.environment().put("YARDSTICK_URL", url);
        pb.environment().put("YARDSTICK_INGEST_TOKEN", token);
        pb.environment().putAll(env);
        long start = System.nanoTime();
        Process p = pb.start();
        p.getOutputStream().write(input.getBytes(StandardCharsets.UTF_8));
        p.getOutputStream().close();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(10, TimeUnit.SECONDS), "the hook did not end");
        return new Run(p.exitValue(), Duration.ofNanos(System.nanoTime() - start), output);
    }

    private String git(String... args) throws IOException, InterruptedException {
        List<String> cmd = new java.util.ArrayList<>(List.of("git", "-C", repo.toString()));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor(), out);
        return out;
    }
}
