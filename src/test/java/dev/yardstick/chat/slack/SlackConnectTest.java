package dev.yardstick.chat.slack;

import static dev.yardstick.Api.admin;
import static dev.yardstick.Api.ingest;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.yardstick.Api;
import dev.yardstick.Db;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** {@code /ai-spend connect} on Slack: a person's own token, privately, never through the outbox, never logged. */
@QuarkusTest
@WithTestResource(value = FakeSlackResource.class, scope = TestResourceScope.GLOBAL)
class SlackConnectTest {

    static final Pattern TOKEN = Pattern.compile("ysk_[A-Za-z0-9_-]{43}");

    @Inject
    DataSource ds;

    FakeSlack slack = FakeSlackResource.fake();
    String team;
    String ana;
    String anaSlack;
    String bo;
    final List<String> logged = Collections.synchronizedList(new ArrayList<>());
    final Handler capture = new Handler() {

        @Override
        public void publish(LogRecord r) {
            logged.add(r.getMessage() + " " + java.util.Arrays.toString(r.getParameters()) + " " + r.getThrown());
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    };

    @BeforeEach
    void setUp() {
        Db.awaitOutboxIdle(ds);
        slack.reset();
        team = Api.team("conn", "UTC");
        ana = "ana-" + Api.unique() + "@example.com";
        anaSlack = "U" + Api.unique().toUpperCase();
        admin().body(Map.of("displayName", "Ana", "team", team, "slackUserId", anaSlack)).put("/api/v1/members/" + ana)
                .then().statusCode(201);
        bo = Api.member(team);
        Logger.getLogger("").addHandler(capture);
    }

    @AfterEach
    void tearDown() {
        Logger.getLogger("").removeHandler(capture);
    }

    /** Everything a Slack reply shows: the text of its blocks. */
    private static String shown(String responseBody) {
        JsonPath p = JsonPath.from(responseBody);
        assertEquals("ephemeral", p.getString("response_type"));
        StringBuilder s = new StringBuilder();
        for (Object text : p.getList("blocks.text.text")) {
            s.append(text).append('\n');
        }
        for (Object elements : p.getList("blocks.elements.text")) {
            s.append(elements).append('\n');
        }
        return s.toString();
    }

    private static String token(String shown) {
        Matcher m = TOKEN.matcher(shown);
        assertTrue(m.find(), shown);
        return m.group();
    }

    private long stored(String secret) {
        return Db.scalar(ds, "select count(*) from outbox_message where body like ?", "%" + secret + "%");
    }

    private int usage(String token, String user) {
        return ingest(token).body(Map.of("id", "c-" + Api.unique(), "time", Instant.now().minusSeconds(30).toString(),
                "user", user, "tool", "claude-code", "model", "claude-sonnet-4-5", "costUsd", 0.5))
                .post("/api/v1/usage-events").then().statusCode(202).extract().path("accepted");
    }

    @Test
    void connectGivesALinkedPersonTheirOwnTokenAndTheLinesInTheAckOnly() {
        // an admin-made token for ana: connect never revokes it
        String adminMade = Api.ingestToken(Map.of("user", ana));

        String shown = shown(SlackRequests.command(anaSlack, "connect", slack.responseUrl("c1")).then()
                .statusCode(200).extract().asString());
        String token = token(shown);
        assertTrue(shown.contains("\nexport OTEL_EXPORTER_OTLP_ENDPOINT=https://yardstick.test.example\n"), shown);
        assertTrue(shown.contains("```" + token + "```"), "the token alone, as code: " + shown);
        assertTrue(shown.contains("export OTEL_EXPORTER_OTLP_HEADERS=\"Authorization=Bearer " + token + "\""), shown);
        assertTrue(shown.contains("export CLAUDE_CODE_ENABLE_TELEMETRY=1"), shown);
        assertTrue(shown.contains("export OTEL_RESOURCE_ATTRIBUTES=user.email=" + ana), shown);
        assertTrue(shown.contains("\"OTEL_EXPORTER_OTLP_HEADERS\": \"Authorization=Bearer " + token + "\""), shown);
        assertTrue(shown.contains("\"env\": {"), shown);
        assertTrue(shown.contains("~/.claude/settings.json"), shown);
        assertFalse(shown.contains("stops working now"), "nothing to replace the first time");

        assertEquals(0, stored(token), "the token is never queued or stored in the outbox");
        assertTrue(slack.calls("chat.postMessage").isEmpty() && slack.calls("respond").isEmpty(),
                "answered in the ack only: " + slack.calls());
        Logger.getLogger(SlackConnectTest.class.getName()).warning("capture-probe");
        assertTrue(logged.stream().anyMatch(l -> l.contains("capture-probe")), "the log capture works");
        assertFalse(logged.stream().anyMatch(l -> l.contains(token)), "the token is never logged");

        // the token sends ana's usage and telemetry, nobody else's, and no outcomes
        assertEquals(1, usage(token, ana));
        assertEquals(0, usage(token, bo));
        ingest(token).body(Map.of("id", "o-" + Api.unique(), "time", Instant.now().toString(), "user", ana,
                "kind", "pr_merged")).post("/api/v1/outcome-events").then().statusCode(403);
        JsonPath listed = admin().get("/api/v1/ingest-tokens").then().statusCode(200).extract().jsonPath();
        String chatToken = "find { it.issuedVia == 'chat' && it.scope?.user == '" + ana + "' && it.active }";
        assertEquals(List.of("usage", "otlp", "sessions"), listed.getList(chatToken + ".scope.kinds"));

        // again: a new token, the old one revoked at once, the admin-made one untouched
        String again = shown(SlackRequests.command(anaSlack, "connect", slack.responseUrl("c2")).then()
                .statusCode(200).extract().asString());
        String second = token(again);
        assertNotEquals(token, second);
        assertTrue(again.contains("The token you got before stops working now."), again);
        ingest(token).body(Map.of()).post("/api/v1/usage-events").then().statusCode(401);
        assertEquals(1, usage(second, ana));
        assertEquals(1, usage(adminMade, ana));
        assertEquals(1, Db.scalar(ds, "select count(*) from ingest_token where issued_via = 'chat' and scope_user = ? "
                + "and revoked_at is null", ana));
        assertEquals(2, Db.scalar(ds, "select count(*) from ingest_token where issued_via = 'chat' and scope_user = ?",
                ana));
        assertEquals(0, stored(second));
        assertFalse(logged.stream().anyMatch(l -> l.contains(second)), "the token is never logged");
    }

    @Test
    void aPersonSlackMustFirstTellUsAboutGetsTheTokenByOneDirectPostToTheResponseUrl() {
        String cy = Api.member(team);
        String cySlack = "U" + Api.unique().toUpperCase();
        slack.user(cySlack, cy);
        SlackRequests.command(cySlack, "connect", slack.responseUrl("cy")).then().statusCode(200);
        await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(100))
                .until(() -> slack.calls("respond", c -> c.param("id").equals("cy")).size() == 1);
        String shown = shown(slack.calls("respond", c -> c.param("id").equals("cy")).get(0).body());
        String token = token(shown);
        assertTrue(shown.contains("user.email=" + cy), shown);
        assertEquals(0, stored(token), "a secret never goes through the outbox");
        assertEquals(0, Db.scalar(ds, "select count(*) from outbox_message where created_at > now() - interval '1 "
                + "minute' and dedupe_key like 'respond%' and body like ?", "%" + cy + "%"));
        assertEquals(1, usage(token, cy));
        admin().get("/api/v1/members/" + cy).then().body("slackUserId", equalTo(cySlack));
        assertTrue(slack.calls("chat.postMessage").isEmpty());
    }

    @Test
    void someoneYardstickDoesNotKnowGetsTheUsualAnswerAndNoToken() {
        String stranger = "U" + Api.unique().toUpperCase();
        String email = "nobody-" + Api.unique() + "@elsewhere.example";
        slack.user(stranger, email);
        SlackRequests.command(stranger, "connect", slack.responseUrl("nobody")).then().statusCode(200);
        await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(100))
                .until(() -> slack.calls("respond", c -> c.param("id").equals("nobody")).size() == 1);
        String body = slack.calls("respond", c -> c.param("id").equals("nobody")).get(0).body();
        assertTrue(body.contains("doesn't know you yet"), body);
        assertFalse(TOKEN.matcher(body).find(), body);
        assertEquals(0, Db.scalar(ds, "select count(*) from ingest_token where scope_user = ?", email));
    }

    @Test
    void helpListsConnect() {
        String body = SlackRequests.command(anaSlack, "help", slack.responseUrl("h")).then().statusCode(200).extract()
                .asString();
        assertTrue(body.contains("/ai-spend connect"), body);
    }
}
