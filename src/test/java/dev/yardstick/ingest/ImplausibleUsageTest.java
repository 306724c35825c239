package dev.yardstick.ingest;

import dev.yardstick.otlp.OtlpTest;
import static dev.yardstick.Api.admin;
import static dev.yardstick.Api.ingest;
import static dev.yardstick.otlp.OtlpTest.apiRequest;
import static dev.yardstick.otlp.OtlpTest.attr;
import static dev.yardstick.otlp.OtlpTest.logs;
import static dev.yardstick.otlp.OtlpTest.metrics;
import static dev.yardstick.otlp.OtlpTest.point;
import static dev.yardstick.otlp.OtlpTest.sum;
import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.allOf;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.yardstick.Api;
import dev.yardstick.Db;
import dev.yardstick.chat.slack.FakeSlack;
import dev.yardstick.chat.slack.FakeSlackResource;
import dev.yardstick.watch.AlertSweepJob;
import dev.yardstick.watch.Watcher;
import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceResponse;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceResponse;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.logs.v1.LogRecord;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import javax.sql.DataSource;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The plausibility limits (docs/api.md#limits): an event whose cost (sent or computed) or whose tokens per
 * request are implausible is a per-event rejection with its reason on every way in, the rest of its batch is
 * kept, and it raises no alert: with the default limits, one event of {@code inputTokens: 1e12} at Sonnet's
 * price ($3,000,000) would otherwise send its owner a runaway alert and the managers both budget alerts.
 */
@QuarkusTest
class ImplausibleUsageTest {

    @Inject
    DataSource ds;
    @Inject
    Watcher watcher;
    @Inject
    AlertSweepJob sweep;

    FakeSlack slack = FakeSlackResource.fake();
    String token;

    @BeforeEach
    void setUp() {
        Db.awaitOutboxIdle(ds);
        slack.reset();
        token = Api.ingestToken();
    }

    /** A team with a weekly budget of $100 and a manager, and a member of it; both reachable on Slack. */
    record Watched(String team, String member, String memberSlack, String managerSlack) {
    }

    private Watched watchedTeam() {
        String team = "plaus-" + Api.unique();
        String manager = "mgr-" + Api.unique() + "@example.com";
        admin().body(Map.of("name", "Team " + team, "timezone", "UTC", "managers", List.of(manager),
                "weeklyBudgetUsd", 100)).put("/api/v1/teams/" + team).then().statusCode(201);
        String managerSlack = "U" + Api.unique().toUpperCase();
        admin().body(Map.of("displayName", "Mia Manager", "team", team, "slackUserId", managerSlack))
                .put("/api/v1/members/" + manager).then().statusCode(201);
        String member = "dev-" + Api.unique() + "@example.com";
        String memberSlack = "U" + Api.unique().toUpperCase();
        admin().body(Map.of("displayName", "Pat Poison", "team", team, "slackUserId", memberSlack))
                .put("/api/v1/members/" + member).then().statusCode(201);
        return new Watched(team, member, memberSlack, managerSlack);
    }

    /**
     * The valid event of the batch has reached the watcher, every check it caused (the session's runaway lines,
     * the team's budget) has run, and the alert sweep too; then neither an alert nor a DM exists.
     */
    private void assertNoAlert(Watched w) {
        long member = Db.scalar(ds, "select id from member where email = ?", w.member());
        await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(50))
                .until(() -> !watcher.liveMinutes(member).isEmpty());
        Db.awaitOutboxIdle(ds);
        sweep.run();
        Db.awaitOutboxIdle(ds);
        admin().get("/api/v1/teams/" + w.team() + "/alerts?since=" + Instant.now().minus(Duration.ofDays(8)))
                .then().statusCode(200).body("$", hasSize(0));
        assertEquals(0, Db.scalar(ds, "select count(*) from alert where team_key = ?", w.team()));
        assertEquals(0, Db.scalar(ds, "select count(*) from outbox_message where target in (?, ?)", w.memberSlack(),
                w.managerSlack()));
        assertTrue(slack.calls("chat.postMessage", c -> w.memberSlack().equals(c.param("channel"))
                || w.managerSlack().equals(c.param("channel"))).isEmpty());
    }

    private double weekCost(String team) {
        return admin()
                .get("/api/v1/teams/" + team + "/summary?from=" + java.time.LocalDate.now(java.time.ZoneOffset.UTC)
                        .minusDays(1) + "&to=" + java.time.LocalDate.now(java.time.ZoneOffset.UTC))
                .then().statusCode(200)
                .extract().jsonPath().getDouble("costUsd");
    }

    private static Map<String, Object> event(String id, String user, Object... fields) {
        Map<String, Object> e = new HashMap<>(Map.of("id", id, "time", Instant.now().minusSeconds(30).toString(),
                "user", user, "tool", "claude-code", "model", "claude-sonnet-4-5", "sessionId", "plaus-s"));
        for (int i = 0; i < fields.length; i += 2) {
            e.put((String) fields[i], fields[i + 1]);
        }
        return e;
    }

    @Test
    void thePoisonedEventOfTheJsonApiIsRejectedAloneAndRaisesNoAlert() {
        Watched w = watchedTeam();
        String p = "poison-" + Api.unique() + "-";
        ingest(token).body(List.of(event(p + "ok", w.member(), "inputTokens", 1000, "outputTokens", 200),
                event(p + "tokens", w.member(), "inputTokens", 1_000_000_000_000L),
                event(p + "requests", w.member(), "requests", 10_000_000_000L))).post("/api/v1/usage-events").then()
                .statusCode(202).body("accepted", equalTo(1)).body("rejected", hasSize(2))
                .body("rejected[0].index", equalTo(1)).body("rejected[0].id", equalTo(p + "tokens"))
                .body("rejected[0].error", allOf(containsString("implausible"),
                        containsString("1000000000000 input, output and cache-write tokens in 1 request"),
                        containsString("limit of 2000000 per request")))
                .body("rejected[1].index", equalTo(2))
                .body("rejected[1].error", equalTo("requests must be at most 2147483647"));
        assertEquals(1, Db.scalar(ds, "select count(*) from usage_event where id_key in "
                + "(select usage_id_key(md5(? || s)::uuid) from unnest(array['ok', 'tokens', 'requests']) s)", p));
        assertNoAlert(w);
        assertEquals(0.006, weekCost(w.team()), 1e-9, "Sonnet: 1,000 input and 200 output tokens");
    }

    @Test
    void thePoisonedClaudeCodeRecordOfOtlpLogsIsRejectedAloneAndRaisesNoAlert() {
        Watched w = watchedTeam();
        String session = "poison-" + Api.unique();
        Instant t = Instant.now().minusSeconds(30);
        LogRecord ok = apiRequest(w.member(), session, 1, t, "claude-sonnet-4-5", 1000, 200, 0, 0, 0.006);
        // no cost_usd: the ledger would price its tokens at $3,000,000
        LogRecord poisoned = without(apiRequest(w.member(), session, 2, t, "claude-sonnet-4-5", 1_000_000_000_000L,
                0, 0, 0, 0), "cost_usd");
        Response r = given().header("Authorization", "Bearer " + token).contentType(OtlpTest.PROTOBUF)
                .body(logs("claude-code", List.of(ok, poisoned)).toByteArray()).post("/v1/logs");
        r.then().statusCode(200);
        ExportLogsServiceResponse resp = OtlpTest.parseLogsResponse(r.asByteArray());
        assertEquals(1, resp.getPartialSuccess().getRejectedLogRecords(), resp.toString());
        String why = resp.getPartialSuccess().getErrorMessage();
        assertTrue(why.contains("1 log records beyond the plausibility limits") && why.contains(
                "1000000000000 input, output and cache-write tokens in 1 request"), why);
        assertEquals(1, Db.scalar(ds, "select count(*) from usage_event where session_id = ?", session));
        assertNoAlert(w);
        assertEquals(0.006, weekCost(w.team()), 1e-9);
    }

    @Test
    void aMetricGroupWhoseComputedCostIsImplausibleIsRejectedAndRaisesNoAlert() {
        Watched w = watchedTeam();
        Instant t = Instant.now().minusSeconds(30);
        KeyValue u = attr("user.email", w.member()), m = attr("model", "claude-sonnet-4-5");
        String s = "mpoison-" + Api.unique();
        KeyValue good = attr("session.id", s), bad = attr("session.id", s + "-bad");
        Response r = given().header("Authorization", "Bearer " + token).contentType(OtlpTest.PROTOBUF)
                .body(metrics("claude-code", sum("claude_code.token.usage", false,
                        point(t.minusSeconds(60), t, 1000, good, u, m, attr("type", "input")),
                        // a request count is not known for metrics: only the cost limit applies, so many cache
                        // reads in one export interval are kept
                        point(t.minusSeconds(60), t, 20_000_000, good, u, m, attr("type", "cacheRead")),
                        point(t.minusSeconds(60), t, 1e12, bad, u, m, attr("type", "input")))).toByteArray())
                .post("/v1/metrics");
        r.then().statusCode(200);
        ExportMetricsServiceResponse resp = OtlpTest.parseMetricsResponse(r.asByteArray());
        assertEquals(1, resp.getPartialSuccess().getRejectedDataPoints(), resp.toString());
        String why = resp.getPartialSuccess().getErrorMessage();
        assertTrue(why.contains("beyond the plausibility limits") && why.contains("its tokens cost 3000000 USD")
                && why.contains("limit of 10000 USD for one event"), why);
        assertEquals(1, Db.scalar(ds, "select count(*) from usage_event where session_id like ?", s + "%"));
        assertEquals(20_000_000,
                Db.scalar(ds, "select cache_read_tokens from usage_event_named where session_id = ?", s));
        assertNoAlert(w);
    }

    @Test
    void tokenLimitsScaleWithRequestsAndOneCostLimitHoldsForSentAndComputedCosts() {
        String user = Api.member(Api.team("plaus", "UTC"));
        String p = "lim-" + Api.unique() + "-";
        List<Map<String, Object>> batch = List.of(
                event(p + "0", user, "inputTokens", 1_500_000, "outputTokens", 400_000, "cacheWriteTokens", 100_000,
                        "costUsd", 1),
                event(p + "1", user, "inputTokens", 1_500_000, "outputTokens", 400_000, "cacheWriteTokens", 100_001,
                        "costUsd", 1),
                event(p + "2", user, "inputTokens", 3_000_000, "requests", 2, "costUsd", 1),
                event(p + "3", user, "inputTokens", 3_000_000, "requests", 0, "costUsd", 1),
                event(p + "4", user, "cacheReadTokens", 10_000_000, "costUsd", 1),
                event(p + "5", user, "cacheReadTokens", 10_000_001, "costUsd", 1),
                event(p + "6", user, "cacheReadTokens", 15_000_000, "requests", 2, "costUsd", 1),
                event(p + "7", user, "costUsd", 10000),
                event(p + "8", user, "costUsd", 10000.01),
                // within the token limits per request, but Opus's output price makes it $75,000
                event(p + "9", user, "model", "claude-opus-4-1", "outputTokens", 1_000_000_000, "requests", 1000),
                event(p + "10", user, "requests", 2_147_483_647),
                event(p + "11", user, "requests", 2_147_483_648L));
        ingest(token).body(batch).post("/api/v1/usage-events").then().statusCode(202)
                .body("accepted", equalTo(6))
                .body("rejected.index", equalTo(List.of(1, 3, 5, 8, 9, 11)))
                .body("rejected[0].error", containsString("2000001 input, output and cache-write tokens in 1 request"))
                .body("rejected[1].error", containsString("3000000 input, output and cache-write tokens in 1 request"))
                .body("rejected[2].error", allOf(containsString("10000001 cache-read tokens in 1 request"),
                        containsString("limit of 10000000 per request")))
                .body("rejected[3].error", equalTo("implausible: a cost of 10000.01 USD, more than the limit of "
                        + "10000 USD for one event"))
                .body("rejected[4].error", equalTo("implausible: its tokens cost 75000 USD at the pricing table's "
                        + "prices for claude-opus-4-1, more than the limit of 10000 USD for one event"))
                .body("rejected[5].error", equalTo("requests must be at most 2147483647"));
        assertEquals(2_147_483_647L,
                Db.scalar(ds, "select requests from usage_event_named where id_key = usage_id_key(md5(?)::uuid)",
                        p + "10"),
                "the largest request count is stored as sent");
    }

    private static LogRecord without(LogRecord r, String key) {
        LogRecord.Builder b = r.toBuilder();
        for (int i = 0; i < b.getAttributesCount(); i++) {
            if (b.getAttributes(i).getKey().equals(key)) {
                b.removeAttributes(i);
                return b.build();
            }
        }
        throw new IllegalArgumentException(key);
    }
}
