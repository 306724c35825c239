package dev.yardstick.ingest;

import dev.yardstick.otlp.OtlpTest;
import static dev.yardstick.Api.admin;
import static dev.yardstick.Api.ingest;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.nullValue;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.yardstick.Api;
import dev.yardstick.Db;
import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceResponse;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceResponse;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import io.restassured.response.Response;
import jakarta.inject.Inject;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import javax.sql.DataSource;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Scoped ingest tokens: a person's, a team's, and kinds, over real HTTP on the JSON API and OTLP. */
@QuarkusTest
class ScopedTokensTest {

    @Inject
    DataSource ds;

    String team;
    String other;
    String ana;
    String bo;
    String cy;

    @BeforeEach
    void setUp() {
        team = Api.team("scope", "UTC");
        other = Api.team("scope-other", "UTC");
        ana = Api.member(team);
        bo = Api.member(team);
        cy = Api.member(other);
    }

    private static Map<String, Object> usage(String id, String user, String team) {
        Map<String, Object> e = new HashMap<>(Map.of("id", id, "time", Instant.now().minusSeconds(60).toString(),
                "user", user, "tool", "claude-code", "model", "claude-sonnet-4-5", "costUsd", 1.25));
        if (team != null) {
            e.put("team", team);
        }
        return e;
    }

    private static Map<String, Object> outcome(String id, String user, String team) {
        Map<String, Object> e = new HashMap<>(Map.of("id", id, "time", Instant.now().minusSeconds(60).toString(),
                "kind", "pr_merged"));
        if (user != null) {
            e.put("user", user);
        }
        if (team != null) {
            e.put("team", team);
        }
        return e;
    }

    private long stored(String table, String id) {
        // raw usage rows keep their id's hash
        return Db.scalar(ds, "select count(*) from " + table
                + (table.equals("usage_event") ? " where id_key = usage_id_key(md5(?)::uuid)" : " where id = ?"), id);
    }

    // ---- the admin API ----

    @Test
    void aScopeIsShownWhenCreatedAndListedButTheSecretNeverAgain() {
        String name = "laptop " + Api.unique();
        JsonPath created = admin().body(Map.of("name", name, "scope",
                Map.of("kinds", List.of("otlp", "usage"), "user", " " + ana.toUpperCase() + " ")))
                .post("/api/v1/ingest-tokens").then().statusCode(201).extract().jsonPath();
        String token = created.getString("token");
        assertTrue(token.startsWith("ysk_"));
        assertEquals(List.of("usage", "otlp"), created.getList("scope.kinds"));
        assertEquals(ana, created.getString("scope.user"));
        assertFalse(created.getMap("scope").containsKey("team"));

        String teamToken = admin().body(Map.of("name", "ci " + Api.unique(), "scope", Map.of("team", team)))
                .post("/api/v1/ingest-tokens").then().statusCode(201)
                .body("scope.kinds", equalTo(List.of("usage", "outcome", "otlp", "sessions")))
                .body("scope.team", equalTo(team)).extract().path("token");
        admin().body(Map.of("name", "all " + Api.unique())).post("/api/v1/ingest-tokens").then().statusCode(201)
                .body("scope", nullValue());

        String listing = admin().get("/api/v1/ingest-tokens").then().statusCode(200).extract().asString();
        assertFalse(listing.contains(token) || listing.contains(teamToken), "secrets are never listed");
        JsonPath list = JsonPath.from(listing);
        String mine = "find { it.name == '" + name + "' }";
        assertEquals(List.of("usage", "otlp"), list.getList(mine + ".scope.kinds"));
        assertEquals(ana, list.getString(mine + ".scope.user"));
        assertEquals("api", list.getString(mine + ".issuedVia"));
        assertTrue(list.getBoolean(mine + ".active"));
        assertEquals(1, Db.scalar(ds, "select count(*) from ingest_token where token_hash = ? and scope_user = ?",
                dev.yardstick.admin.IngestTokens.hash(token), ana));
    }

    @Test
    void scopesThatMeanNothingOrTooMuchAre400() {
        List<Object> bad = List.of(Map.of(), Map.of("team", team, "user", ana), Map.of("kinds", List.of()),
                Map.of("kinds", List.of("usage", "billing")), Map.of("team", "no-such-team-" + Api.unique()),
                Map.of("team", "unassigned"), Map.of("user", "not-an-email"), Map.of("users", ana),
                List.of("usage"));
        long before = Db.scalar(ds, "select count(*) from ingest_token");
        for (Object scope : bad) {
            admin().body(Map.of("name", "bad", "scope", scope)).post("/api/v1/ingest-tokens").then()
                    .statusCode(400).contentType(startsWith("application/problem+json"));
        }
        admin().body(Map.of("name", "bad", "scope", Map.of("team", team, "user", ana))).post("/api/v1/ingest-tokens")
                .then().body("detail", containsString("team or user, not both"));
        assertEquals(before, Db.scalar(ds, "select count(*) from ingest_token"));
    }

    // ---- a person's token ----

    @Test
    void aPersonsTokenKeepsThatPersonsEventsAndRejectsTheOthersOneByOne() {
        String token = Api.ingestToken(Map.of("user", ana));
        String u = Api.unique();
        Response r = ingest(token).body(List.of(usage("p1-" + u, ana, null), usage("p2-" + u, bo, null),
                usage("p3-" + u, ana, other), usage("p4-" + u, ana.toUpperCase(), team),
                usage("p5-" + u, "stranger-" + u + "@example.com", null))).post("/api/v1/usage-events");
        r.then().statusCode(202).body("accepted", equalTo(2)).body("duplicates", equalTo(0))
                .body("rejected", hasSize(3))
                .body("rejected[0].index", equalTo(1)).body("rejected[0].id", equalTo("p2-" + u))
                .body("rejected[0].error", containsString("user must be " + ana))
                .body("rejected[1].index", equalTo(2))
                .body("rejected[1].error", containsString("team must be " + team))
                .body("rejected[2].index", equalTo(4));
        assertEquals(1, stored("usage_event", "p1-" + u));
        assertEquals(1, stored("usage_event", "p4-" + u));
        assertEquals(0, stored("usage_event", "p2-" + u) + stored("usage_event", "p3-" + u)
                + stored("usage_event", "p5-" + u));
        assertEquals(0, Db.scalar(ds, "select count(*) from member where email = ?", "stranger-" + u + "@example.com"),
                "a rejected event creates no member");

        // outcome events: the person's own only, never a team's without them
        ingest(token).body(List.of(outcome("o1-" + u, ana, null), outcome("o2-" + u, null, team),
                outcome("o3-" + u, bo, null))).post("/api/v1/outcome-events").then().statusCode(202)
                .body("accepted", equalTo(1)).body("rejected.index", equalTo(List.of(1, 2)));
        assertEquals(1, stored("outcome_event", "o1-" + u));
    }

    @Test
    void kindsOutsideTheScopeAre403AndKeepNothing() {
        String token = Api.ingestToken(Map.of("kinds", List.of("usage"), "user", ana));
        String u = Api.unique();
        ingest(token).body(outcome("k1-" + u, ana, null)).post("/api/v1/outcome-events").then().statusCode(403)
                .contentType(startsWith("application/problem+json")).body("status", equalTo(403))
                .body("detail", containsString("may not send outcome events"))
                .body("detail", containsString("allows usage only"));
        assertEquals(0, stored("outcome_event", "k1-" + u));

        byte[] logs = OtlpTest.logs("claude-code", List.of(OtlpTest.apiRequest(ana, "s-" + u, 1,
                Instant.now().minusSeconds(30), "claude-sonnet-4-5", 10, 10, 0, 0, 0.5))).toByteArray();
        Response r = given().header("Authorization", "Bearer " + token).contentType(OtlpTest.PROTOBUF).body(logs)
                .post("/v1/logs");
        r.then().statusCode(403).contentType(startsWith(OtlpTest.PROTOBUF));
        OtlpTest.assertStatus(r, 7, "may not send otlp events");
        given().header("Authorization", "Bearer " + token).contentType("application/json").body("{}")
                .post("/v1/metrics").then().statusCode(403).body("code", equalTo(7));
        assertEquals(0, Db.scalar(ds, "select count(*) from usage_event where session_id = ?", "s-" + u));

        // and the kind it has works
        ingest(token).body(usage("k2-" + u, ana, null)).post("/api/v1/usage-events").then().statusCode(202)
                .body("accepted", equalTo(1));
        // a token for outcomes only may not send usage
        String outcomes = Api.ingestToken(Map.of("kinds", List.of("outcome")));
        ingest(outcomes).body(usage("k3-" + u, ana, null)).post("/api/v1/usage-events").then().statusCode(403);
        ingest(outcomes).body(outcome("k4-" + u, bo, null)).post("/api/v1/outcome-events").then().statusCode(202)
                .body("accepted", equalTo(1));
        assertEquals(0, stored("usage_event", "k3-" + u));
    }

    // ---- a team's token ----

    @Test
    void aTeamsTokenKeepsItsMembersEventsOnly() {
        String token = Api.ingestToken(Map.of("team", team));
        String u = Api.unique();
        String stranger = "new-" + u + "@example.com";
        ingest(token).body(List.of(usage("t1-" + u, ana, null), usage("t2-" + u, bo, team),
                usage("t3-" + u, cy, null), usage("t4-" + u, stranger, null), usage("t5-" + u, ana, other)))
                .post("/api/v1/usage-events").then().statusCode(202).body("accepted", equalTo(2))
                .body("rejected.index", equalTo(List.of(2, 3, 4)))
                .body("rejected[0].error", containsString("not a member of team " + team))
                .body("rejected[1].error", containsString("not a member of team " + team))
                .body("rejected[2].error", containsString("team must be " + team));
        assertEquals(0, Db.scalar(ds, "select count(*) from member where email = ?", stranger));

        // outcomes: the team's own (with or without a person), never another team's
        ingest(token).body(List.of(outcome("to1-" + u, null, team), outcome("to2-" + u, bo, null),
                outcome("to3-" + u, null, other), outcome("to4-" + u, cy, other)))
                .post("/api/v1/outcome-events").then().statusCode(202).body("accepted", equalTo(2))
                .body("rejected.index", equalTo(List.of(2, 3)));
        assertEquals(0, stored("outcome_event", "to3-" + u) + stored("outcome_event", "to4-" + u));
        // the team's summary counts the two usage events and two outcomes the token could send
        java.time.LocalDate today = java.time.LocalDate.now(java.time.ZoneOffset.UTC);
        JsonPath s = admin().get("/api/v1/teams/" + team + "/summary?from=" + today.minusDays(1) + "&to=" + today)
                .then().statusCode(200).extract().jsonPath();
        assertEquals(2.50, s.getDouble("costUsd"), 1e-9);
        assertEquals(2, s.getLong("outcomesTotal"));
        assertEquals(0, Db.scalar(ds, "select count(*) from usage_event_named e join member m on m.id = e.member_id "
                + "where m.email = ?", cy), "another team's member's usage never arrived");
    }

    // ---- OpenTelemetry ----

    @Test
    void otlpRecordsOfOtherPeopleAreCountedAsNotKept() {
        String token = Api.ingestToken(Map.of("kinds", List.of("otlp"), "user", ana));
        String u = Api.unique();
        Instant t = Instant.now().minusSeconds(60);
        // OTLP JSON as Claude Code exports it: one record of ana, one of bo
        String record = """
                {"timeUnixNano":"%d","body":{"stringValue":"claude_code.api_request"},
                 "attributes":[{"key":"event.name","value":{"stringValue":"api_request"}},
                  {"key":"session.id","value":{"stringValue":"%s"}},
                  {"key":"user.email","value":{"stringValue":"%s"}},
                  {"key":"model","value":{"stringValue":"claude-sonnet-4-5"}},
                  {"key":"input_tokens","value":{"intValue":"100"}},
                  {"key":"output_tokens","value":{"intValue":50}},
                  {"key":"cost_usd","value":{"doubleValue":0.5}},
                  {"key":"request_id","value":{"stringValue":"%s"}}]}""";
        String body = """
                {"resourceLogs":[{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"claude-code"}}]},
                 "scopeLogs":[{"scope":{"name":"com.anthropic.claude_code.events"},"logRecords":[%s,%s]}]}]}
                """
                .formatted(record.formatted(OtlpTest.nanos(t), "sa-" + u, ana, "req_a" + u),
                        record.formatted(OtlpTest.nanos(t), "sb-" + u, bo, "req_b" + u));
        given().header("Authorization", "Bearer " + token).contentType("application/json")
                .body(body.getBytes(StandardCharsets.UTF_8)).post("/v1/logs").then().statusCode(200)
                .body("partialSuccess.rejectedLogRecords.toString()", equalTo("1"))
                .body("partialSuccess.errorMessage", containsString("1 log records this ingest token may not send"))
                .body("partialSuccess.errorMessage", containsString("user must be " + ana));
        assertEquals(1, Db.scalar(ds, "select count(*) from usage_event where id_key = usage_id_key(md5(?)::uuid)",
                "otlp:claude-code:req_a" + u));
        assertEquals(0, Db.scalar(ds, "select count(*) from usage_event where session_id = ?", "sb-" + u));

        // protobuf, and metrics: bo's points are not kept either
        Response r = given().header("Authorization", "Bearer " + token).contentType(OtlpTest.PROTOBUF)
                .body(OtlpTest.logs("claude-code", List.of(OtlpTest.apiRequest(bo, "sb2-" + u, 1, t,
                        "claude-sonnet-4-5", 1, 1, 0, 0, 0.1))).toByteArray())
                .post("/v1/logs");
        r.then().statusCode(200);
        ExportLogsServiceResponse logs = OtlpTest.parseLogsResponse(r.asByteArray());
        assertEquals(1, logs.getPartialSuccess().getRejectedLogRecords());

        KeyValue model = OtlpTest.attr("model", "claude-sonnet-4-5");
        Instant start = Instant.now().minusSeconds(120);
        r = given().header("Authorization", "Bearer " + token).contentType(OtlpTest.PROTOBUF)
                .body(OtlpTest.metrics("claude-code", OtlpTest.sum("claude_code.cost.usage", false,
                        OtlpTest.point(start, t, 0.75, OtlpTest.attr("session.id", "ma-" + u),
                                OtlpTest.attr("user.email", ana), model),
                        OtlpTest.point(start, t, 9.75, OtlpTest.attr("session.id", "mb-" + u),
                                OtlpTest.attr("user.email", bo), model)))
                        .toByteArray())
                .post("/v1/metrics");
        r.then().statusCode(200);
        ExportMetricsServiceResponse metrics = OtlpTest.parseMetricsResponse(r.asByteArray());
        assertEquals(1, metrics.getPartialSuccess().getRejectedDataPoints());
        assertTrue(metrics.getPartialSuccess().getErrorMessage().contains("this ingest token may not send"));
        assertEquals(1, Db.scalar(ds, "select count(*) from usage_event where session_id = ?", "ma-" + u));
        assertEquals(0, Db.scalar(ds, "select count(*) from usage_event where session_id = ?", "mb-" + u));
    }

    @Test
    void aRevokedScopedTokenIs401() {
        String name = "gone " + Api.unique();
        String token = admin().body(Map.of("name", name, "scope", Map.of("user", ana))).post("/api/v1/ingest-tokens")
                .then().statusCode(201).extract().path("token");
        long id = admin().get("/api/v1/ingest-tokens").then().extract().jsonPath()
                .getLong("find { it.name == '" + name + "' }.id");
        admin().delete("/api/v1/ingest-tokens/" + id).then().statusCode(204);
        ingest(token).body(usage("r-" + Api.unique(), ana, null)).post("/api/v1/usage-events").then().statusCode(401);
    }
}
