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
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.yardstick.Api;
import dev.yardstick.Db;
import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest;
import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceResponse;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceResponse;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.logs.v1.LogRecord;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import jakarta.inject.Inject;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import javax.sql.DataSource;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Absurd numbers, text PostgreSQL cannot store and NDJSON nested too deep are per-event rejections
 * with a reason, on every way in; the valid events of the same batch are stored.
 */
@QuarkusTest
class AbsurdInputTest {

    @Inject
    DataSource ds;

    String token;
    String user;

    @BeforeEach
    void setUp() {
        token = Api.ingestToken();
        user = Api.member(Api.team("absurd", "UTC"));
    }

    private String event(String id, String extra) {
        return "{\"id\":\"" + id + "\",\"time\":\"" + Instant.now().minusSeconds(60) + "\",\"user\":\"" + user
                + "\",\"tool\":\"codex\",\"model\":\"gpt-5\"" + extra + "}";
    }

    /** Raw usage rows keep their id's hash: those of the ids {@code prefix + suffix} stored. */
    private long usage(String prefix, String... suffixes) {
        return Db.scalar(ds,
                "select count(*) from usage_event where id_key in (select usage_id_key(md5(? || s)::uuid) from "
                        + "unnest(string_to_array(?, ',')) s)",
                prefix, String.join(",", suffixes));
    }

    private long stored(String table, String prefix) {
        return Db.scalar(ds, "select count(*) from " + table + " where id like ?", prefix + "%");
    }

    @Test
    void absurdNumbersAndNulInTheJsonApiAreRejectedOneByOne() {
        String p = "num-" + Api.unique() + "-";
        String body = "[" + String.join(",", event(p + "ok", ",\"costUsd\":0.5"),
                event(p + "inf", ",\"costUsd\":1e309"), event(p + "neginf", ",\"costUsd\":-1e309"),
                event(p + "huge", ",\"costUsd\":1e999999999"), event(p + "tiny", ",\"costUsd\":1e-999999999"),
                event(p + "big", ",\"costUsd\":1000000000"), event(p + "tokens", ",\"inputTokens\":1e999999999"),
                event(p + "bigint", ",\"outputTokens\":99999999999999999999999999"),
                event(p + "nul", ",\"sessionId\":\"a\\u0000b\""),
                "{\"id\":\"" + p + "nulmodel\",\"time\":\"" + Instant.now() + "\",\"user\":\"" + user
                        + "\",\"tool\":\"codex\",\"model\":\"\\u0000\"}")
                + "]";
        ingest(token).body(body).post("/api/v1/usage-events").then().statusCode(202)
                .body("accepted", equalTo(2)).body("rejected", hasSize(8))
                .body("rejected.find { it.id == '" + p + "inf' }.error", containsString("implausibly large"))
                .body("rejected.find { it.id == '" + p + "neginf' }.error", containsString("at least 0"))
                .body("rejected.find { it.id == '" + p + "huge' }.error", containsString("implausibly large"))
                .body("rejected.find { it.id == '" + p + "big' }.error", containsString("below 1000000000"))
                .body("rejected.find { it.id == '" + p + "tokens' }.error", containsString("whole number"))
                .body("rejected.find { it.id == '" + p + "bigint' }.error", containsString("at most"))
                .body("rejected.find { it.id == '" + p + "nul' }.error", containsString("NUL"))
                .body("rejected.find { it.id == '" + p + "nulmodel' }.error", containsString("NUL"));
        assertEquals(2, usage(p, "ok", "inf", "neginf", "huge", "tiny", "big", "tokens", "bigint", "nul", "nulmodel"));
        assertEquals(0,
                Db.scalar(ds,
                        "select count(*) from usage_event_named where id_key = usage_id_key(md5(?)::uuid) and cost_usd <> 0",
                        p + "tiny"));
    }

    @Test
    void anNdjsonLineNestedTooDeepIsRejectedAlone() {
        String p = "deep-" + Api.unique() + "-";
        String deep = "{\"id\":\"" + p + "x\",\"model\":" + "[".repeat(5000) + "]".repeat(5000) + "}";
        String nd = event(p + "a", "") + "\n" + deep + "\n\n" + event(p + "b", "") + "\n";
        Api.ndjson(token, "/api/v1/usage-events", nd).then().statusCode(202).body("accepted", equalTo(2))
                .body("rejected", hasSize(1)).body("rejected[0].index", equalTo(1))
                .body("rejected[0].error", containsString("nested deeper than 64 levels"));
        assertEquals(2, usage(p, "a", "b", "x"));
        // in a JSON array the whole body is one document: 400, nothing kept, a reason
        ingest(token).body("[" + event(p + "c", "") + "," + deep + "]").post("/api/v1/usage-events").then()
                .statusCode(400).contentType("application/problem+json")
                .body("detail", containsString("nested deeper than 64 levels"));
        assertEquals(0, usage(p, "c"));
    }

    @Test
    void outcomesWithNulAreRejectedOneByOne() {
        String p = "onul-" + Api.unique() + "-";
        String ok = "{\"id\":\"" + p + "ok\",\"time\":\"" + Instant.now() + "\",\"user\":\"" + user
                + "\",\"kind\":\"pr_merged\"}";
        String nul = "{\"id\":\"" + p + "nul\",\"time\":\"" + Instant.now() + "\",\"user\":\"" + user
                + "\",\"kind\":\"pr_merged\",\"title\":\"x\\u0000\"}";
        String nulUser = "{\"id\":\"" + p + "nuluser\",\"time\":\"" + Instant.now()
                + "\",\"user\":\"a\\u0000@example.com\",\"kind\":\"pr_merged\"}";
        ingest(token).body("[" + ok + "," + nul + "," + nulUser + "]").post("/api/v1/outcome-events").then()
                .statusCode(202).body("accepted", equalTo(1)).body("rejected", hasSize(2));
        assertEquals(1, stored("outcome_event", p));
    }

    private Response postLogs(ExportLogsServiceRequest request) {
        return given().header("Authorization", "Bearer " + token).contentType(OtlpTest.PROTOBUF)
                .body(request.toByteArray()).post("/v1/logs");
    }

    private static LogRecord with(LogRecord r, String key, AnyValue value) {
        LogRecord.Builder b = r.toBuilder();
        for (int i = 0; i < b.getAttributesCount(); i++) {
            if (b.getAttributes(i).getKey().equals(key)) {
                b.setAttributes(i, KeyValue.newBuilder().setKey(key).setValue(value));
                return b.build();
            }
        }
        return b.addAttributes(KeyValue.newBuilder().setKey(key).setValue(value)).build();
    }

    private static AnyValue str(String s) {
        return AnyValue.newBuilder().setStringValue(s).build();
    }

    @Test
    void theOtlpRecordWithCost1e999999999IsRejectedAndItsBatchKept() {
        Instant t = Instant.now().minusSeconds(30);
        String session = "absurd-" + Api.unique();
        LogRecord valid = apiRequest(user, session, 1, t, "claude-sonnet-4-5", 100, 10, 0, 0, 0.5);
        LogRecord absurd = with(apiRequest(user, session, 2, t, "claude-sonnet-4-5", 100, 10, 0, 0, 0.5),
                "cost_usd", str("1e999999999"));
        byte[] alone = logs("claude-code", List.of(absurd)).toByteArray();
        assertTrue(alone.length < 700, "the record of the report is small: " + alone.length + " bytes");
        long started = System.nanoTime();
        Response one = postLogs(logs("claude-code", List.of(absurd)));
        one.then().statusCode(200);
        System.out.printf("The %d-byte record with cost_usd \"1e999999999\": %d, %d ms, %s%n", alone.length,
                one.statusCode(), (System.nanoTime() - started) / 1_000_000,
                OtlpTest.parseLogsResponse(one.asByteArray()).getPartialSuccess().toString().replace("\n", " "));
        Response r = postLogs(logs("claude-code", List.of(valid, absurd,
                with(apiRequest(user, session, 3, t, "m", 1, 1, 0, 0, 0), "cost_usd",
                        AnyValue.newBuilder().setDoubleValue(1e12).build()),
                with(apiRequest(user, session, 4, t, "m", 1, 1, 0, 0, 0), "input_tokens",
                        AnyValue.newBuilder().setIntValue(Long.MAX_VALUE).build()),
                with(apiRequest(user, session, 5, t, "m", 1, 1, 0, 0, 0), "output_tokens", str("9".repeat(40))),
                with(apiRequest(user, session, 6, t, "m", 1, 1, 0, 0, 0), "cost_usd", str("-1e309")),
                with(apiRequest(user, session, 7, t, "m", 1, 1, 0, 0, 0), "model", str("a\u0000b")),
                with(apiRequest(user, session, 8, t, "m", 1, 1, 0, 0, 0), "cost_usd", str("1e-999999999")))));
        r.then().statusCode(200);
        ExportLogsServiceResponse resp = OtlpTest.parseLogsResponse(r.asByteArray());
        assertEquals(5, resp.getPartialSuccess().getRejectedLogRecords(), resp.toString());
        assertTrue(resp.getPartialSuccess().getErrorMessage().contains("cost_usd must be below 1000000000"),
                resp.getPartialSuccess().getErrorMessage());
        // the valid one, the negative cost (priced from the table, as before) and the tiny cost are kept
        assertEquals(3, Db.scalar(ds, "select count(*) from usage_event where session_id = ?", session));
    }

    @Test
    void otlpMetricsBeyondBoundsAreRejectedDataPoints() {
        Instant t = Instant.now().minusSeconds(30);
        KeyValue u = attr("user.email", user), m = attr("model", "claude-sonnet-4-5");
        String s1 = "mabs-" + Api.unique();
        KeyValue good = attr("session.id", s1), bad = attr("session.id", s1 + "-b");
        var request = metrics("claude-code",
                sum("claude_code.cost.usage", false, point(t.minusSeconds(60), t, 0.5, good, u, m),
                        point(t.minusSeconds(60), t, 1e300, bad, u, m),
                        point(t.minusSeconds(60), t, 6e8, attr("session.id", s1 + "-c"), u, m, attr("x", "1")),
                        point(t.minusSeconds(60), t, 7e8, attr("session.id", s1 + "-c"), u, m, attr("x", "2"))),
                sum("claude_code.token.usage", false,
                        point(t.minusSeconds(60), t, 1e15, bad, u, m, attr("type", "input")),
                        point(t.minusSeconds(60), t, 5, attr("session.id", "x\u0000"), u, m,
                                attr("type", "input"))));
        Response r = given().header("Authorization", "Bearer " + token).contentType(OtlpTest.PROTOBUF)
                .body(request.toByteArray()).post("/v1/metrics");
        r.then().statusCode(200);
        ExportMetricsServiceResponse resp = OtlpTest.parseMetricsResponse(r.asByteArray());
        // 1e300, 1e15 and NUL on their own; the two points of s1-c add up to more than one event may hold
        assertEquals(5, resp.getPartialSuccess().getRejectedDataPoints(), resp.toString());
        assertTrue(resp.getPartialSuccess().getErrorMessage().contains("adds up beyond"),
                resp.getPartialSuccess().getErrorMessage());
        assertEquals(1, Db.scalar(ds, "select count(*) from usage_event where session_id like ?", s1 + "%"));
    }

    @Test
    void otlpJsonWithAbsurdNumbersIsA400OrARejectionNeverA500() {
        String body = "{\"resourceLogs\":[{\"scopeLogs\":[{\"logRecords\":[{\"timeUnixNano\":\"1e999999999\"}]}]}]}";
        given().header("Authorization", "Bearer " + token).contentType("application/json")
                .body(body.getBytes(StandardCharsets.UTF_8)).post("/v1/logs").then().statusCode(400);
    }

    @Test
    void nulInAnAdminPathParameterIs400() {
        admin().urlEncodingEnabled(false).get("/api/v1/teams/a%00b").then().statusCode(400)
                .contentType("application/problem+json").body("detail", containsString("'key'"));
        admin().urlEncodingEnabled(false).get("/api/v1/members/a%00b@example.com").then().statusCode(400)
                .contentType("application/problem+json");
        admin().urlEncodingEnabled(false).body("{\"displayName\":\"x\"}").put("/api/v1/members/a%00b@example.com")
                .then().statusCode(400).contentType("application/problem+json");
        admin().urlEncodingEnabled(false).get("/api/v1/teams/a%01b/summary?from=2026-01-01&to=2026-01-02").then()
                .statusCode(400).contentType("application/problem+json");
        admin().urlEncodingEnabled(false).get("/api/v1/teams/a%C0b").then().statusCode(400)
                .contentType("application/problem+json");
        admin().urlEncodingEnabled(false).get("/api/v1/teams/caf%C3%A9-" + Api.unique()).then().statusCode(404);
        // no token: still 401 first
        given().urlEncodingEnabled(false).get("/api/v1/teams/a%00b").then().statusCode(401);
    }

    @Test
    void webhookTextWithNulIsIgnoredWithAReason() {
        byte[] body = ("{\"timestamp\":" + System.currentTimeMillis() + ",\"webhookEvent\":\"jira:issue_updated\","
                + "\"issue\":{\"id\":\"1\\u0000\",\"key\":\"PAY-1\",\"fields\":{\"summary\":\"x\","
                + "\"status\":{\"statusCategory\":{\"key\":\"done\"}},\"assignee\":{\"emailAddress\":\"" + user
                + "\"}}},\"changelog\":{\"id\":\"9\",\"items\":[{\"field\":\"status\"}]}}")
                .getBytes(StandardCharsets.UTF_8);
        given().header("X-Yardstick-Token", "test-jira-secret").contentType("application/json").body(body)
                .post("/webhooks/jira").then().statusCode(202).body("result", equalTo("ignored"))
                .body("reason", containsString("NUL"));
    }
}
