package dev.yardstick.otlp;

import static dev.yardstick.Api.admin;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.UnknownFieldSet;
import com.google.protobuf.util.JsonFormat;
import dev.yardstick.Api;
import dev.yardstick.Db;
import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest;
import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceResponse;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceResponse;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.logs.v1.LogRecord;
import io.opentelemetry.proto.logs.v1.ResourceLogs;
import io.opentelemetry.proto.logs.v1.ScopeLogs;
import io.opentelemetry.proto.metrics.v1.AggregationTemporality;
import io.opentelemetry.proto.metrics.v1.Metric;
import io.opentelemetry.proto.metrics.v1.NumberDataPoint;
import io.opentelemetry.proto.metrics.v1.ResourceMetrics;
import io.opentelemetry.proto.metrics.v1.ScopeMetrics;
import io.opentelemetry.proto.metrics.v1.Sum;
import io.opentelemetry.proto.resource.v1.Resource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import io.restassured.response.Response;
import jakarta.inject.Inject;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPOutputStream;
import javax.sql.DataSource;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The OTLP/HTTP receiver, end to end: Claude Code, Codex and Gemini CLI telemetry into team summaries. */
@QuarkusTest
public class OtlpTest {

    public static final String PROTOBUF = "application/x-protobuf";

    @Inject
    DataSource ds;

    String token;
    String team;
    String user;

    @BeforeEach
    void setUp() {
        token = Api.ingestToken();
        team = Api.team("otlp", "UTC");
        user = Api.member(team);
    }

    // ---- builders ----

    public static KeyValue attr(String key, String value) {
        return KeyValue.newBuilder().setKey(key).setValue(AnyValue.newBuilder().setStringValue(value)).build();
    }

    public static KeyValue attr(String key, long value) {
        return KeyValue.newBuilder().setKey(key).setValue(AnyValue.newBuilder().setIntValue(value)).build();
    }

    public static KeyValue attr(String key, double value) {
        return KeyValue.newBuilder().setKey(key).setValue(AnyValue.newBuilder().setDoubleValue(value)).build();
    }

    public static long nanos(Instant t) {
        return t.getEpochSecond() * 1_000_000_000L + t.getNano();
    }

    /** A claude_code.api_request log record as Claude Code exports it. */
    public static LogRecord apiRequest(String user, String session, int seq, Instant time, String model, long in,
            long out,
            long cacheRead, long cacheWrite, double cost) {
        return LogRecord.newBuilder().setTimeUnixNano(nanos(time)).setObservedTimeUnixNano(nanos(time))
                .setBody(AnyValue.newBuilder().setStringValue("claude_code.api_request"))
                .addAttributes(attr("event.name", "api_request"))
                .addAttributes(attr("event.timestamp", time.toString()))
                .addAttributes(attr("event.sequence", seq))
                .addAttributes(attr("session.id", session))
                .addAttributes(attr("user.email", user))
                .addAttributes(attr("organization.id", "org-1"))
                .addAttributes(attr("model", model))
                .addAttributes(attr("input_tokens", Long.toString(in)))
                .addAttributes(attr("output_tokens", Long.toString(out)))
                .addAttributes(attr("cache_read_tokens", Long.toString(cacheRead)))
                .addAttributes(attr("cache_creation_tokens", Long.toString(cacheWrite)))
                .addAttributes(attr("cost_usd", Double.toString(cost)))
                .addAttributes(attr("duration_ms", "1200"))
                .build();
    }

    public static ExportLogsServiceRequest logs(String service, List<LogRecord> records) {
        return ExportLogsServiceRequest.newBuilder().addResourceLogs(ResourceLogs.newBuilder()
                .setResource(Resource.newBuilder().addAttributes(attr("service.name", service))
                        .addAttributes(attr("service.version", "2.1.0")))
                .addScopeLogs(ScopeLogs.newBuilder().addAllLogRecords(records))).build();
    }

    public static NumberDataPoint point(Instant start, Instant time, double value, KeyValue... attrs) {
        return NumberDataPoint.newBuilder().setStartTimeUnixNano(nanos(start)).setTimeUnixNano(nanos(time))
                .setAsDouble(value).addAllAttributes(List.of(attrs)).build();
    }

    public static Metric sum(String name, boolean cumulative, NumberDataPoint... points) {
        return Metric.newBuilder().setName(name).setSum(Sum.newBuilder().setIsMonotonic(true)
                .setAggregationTemporality(cumulative
                        ? AggregationTemporality.AGGREGATION_TEMPORALITY_CUMULATIVE
                        : AggregationTemporality.AGGREGATION_TEMPORALITY_DELTA)
                .addAllDataPoints(List.of(points))).build();
    }

    public static ExportMetricsServiceRequest metrics(String service, Metric... metrics) {
        return ExportMetricsServiceRequest.newBuilder().addResourceMetrics(ResourceMetrics.newBuilder()
                .setResource(Resource.newBuilder().addAttributes(attr("service.name", service)))
                .addScopeMetrics(ScopeMetrics.newBuilder().addAllMetrics(List.of(metrics)))).build();
    }

    /** Claude Code's token and cost metrics for one session and model at one export. */
    Metric[] claudeMetrics(String session, Instant start, Instant time, boolean cumulative, long in, long out,
            long cacheRead, double cost) {
        KeyValue s = attr("session.id", session), u = attr("user.email", user), m = attr("model", "claude-sonnet-4-5");
        return new Metric[]{
                sum("claude_code.token.usage", cumulative,
                        point(start, time, in, s, u, m, attr("type", "input")),
                        point(start, time, out, s, u, m, attr("type", "output")),
                        point(start, time, cacheRead, s, u, m, attr("type", "cacheRead"))),
                sum("claude_code.cost.usage", cumulative, point(start, time, cost, s, u, m))};
    }

    public static byte[] gzip(byte[] bytes) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
            gz.write(bytes);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    public static String json(com.google.protobuf.MessageOrBuilder m) {
        try {
            return JsonFormat.printer().print(m);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    Response post(String path, String type, byte[] body, boolean gzip) {
        var spec = given().header("Authorization", "Bearer " + token).contentType(type);
        if (gzip) {
            spec = spec.header("Content-Encoding", "gzip");
        }
        return spec.body(gzip ? gzip(body) : body).post(path);
    }

    Response postProto(String path, com.google.protobuf.Message m) {
        return post(path, PROTOBUF, m.toByteArray(), false);
    }

    JsonPath summary() {
        LocalDate today = LocalDate.now(ZoneOffset.UTC);
        return admin().get("/api/v1/teams/" + team + "/summary?from=" + today.minusDays(1) + "&to=" + today)
                .then().statusCode(200).extract().jsonPath();
    }

    long stored(String prefix) {
        return Db.scalar(ds, "select count(*) from usage_event_named e join member m on m.id = e.member_id "
                + "where m.email = ? and (? = '' or e.origin = ?::\"char\")", user, prefix,
                // raw rows keep their id's origin, not its text
                prefix.equals("otlpm:") ? "m" : prefix.equals("otlp:") ? "l" : "");
    }

    // ---- tests ----

    @Test
    void claudeCodeLogsInProtobufAndGzippedJsonReachTheSummary() {
        Instant t = Instant.now().minusSeconds(120);
        String session = "s-" + Api.unique();
        ExportLogsServiceRequest plain = logs("claude-code", List.of(
                apiRequest(user, session, 1, t, "claude-sonnet-4-5", 1000, 200, 5000, 100, 0.25),
                apiRequest(user, session, 2, t.plusSeconds(1), "claude-opus-4-1", 2000, 400, 0, 0, 1.50)));
        Response r = postProto("/v1/logs", plain);
        r.then().statusCode(200).contentType(startsWith(PROTOBUF));
        assertEquals(ExportLogsServiceResponse.getDefaultInstance(), parseLogsResponse(r.asByteArray()));

        ExportLogsServiceRequest other = logs("claude-code", List.of(
                apiRequest(user, session, 3, t.plusSeconds(2), "claude-sonnet-4-5", 10, 20, 0, 0, 0.75)));
        post("/v1/logs", "application/json", json(other).getBytes(StandardCharsets.UTF_8), true)
                .then().statusCode(200).contentType(startsWith("application/json")).body(equalTo("{}"));

        JsonPath s = summary();
        assertEquals(2.50, s.getDouble("costUsd"), 1e-9);
        assertEquals(3010, s.getLong("tokens.input"));
        assertEquals(620, s.getLong("tokens.output"));
        assertEquals(5000, s.getLong("tokens.cacheRead"));
        assertEquals(100, s.getLong("tokens.cacheWrite"));
        assertEquals(3, s.getLong("requests"));
        assertEquals("claude-code", s.getString("byTool[0].tool"));
        assertEquals(1, s.getLong("activeMembers"));
    }

    @Test
    void plainJsonAndGzippedProtobufWithOtlpJsonQuirks() {
        String request = Api.unique();
        Instant t = Instant.now().minusSeconds(60);
        // OTLP JSON: hex trace ids, int64 as strings, enums as ints, unknown fields ignored.
        String body = """
                {"resourceLogs":[{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"claude-code"}}]},
                 "scopeLogs":[{"scope":{"name":"com.anthropic.claude_code.events"},"logRecords":[{
                  "timeUnixNano":"%d","severityNumber":9,"traceId":"5b8efff798038103d269b633813fc60c",
                  "spanId":"eee19b7ec3c1b174","futureField":true,
                  "body":{"stringValue":"claude_code.api_request"},
                  "attributes":[{"key":"event.name","value":{"stringValue":"api_request"}},
                   {"key":"session.id","value":{"stringValue":"s-json"}},
                   {"key":"user.email","value":{"stringValue":"%s"}},
                   {"key":"model","value":{"stringValue":"claude-sonnet-4-5"}},
                   {"key":"input_tokens","value":{"intValue":"100"}},
                   {"key":"output_tokens","value":{"intValue":50}},
                   {"key":"cost_usd","value":{"doubleValue":0.5}},
                   {"key":"request_id","value":{"stringValue":"req_%s"}}]}]}]}]}
                """
                .formatted(nanos(t), user.toUpperCase(), request);
        post("/v1/logs", "application/json", body.getBytes(StandardCharsets.UTF_8), false).then().statusCode(200)
                .body(equalTo("{}"));
        ExportLogsServiceRequest proto = logs("claude-code", List.of(
                apiRequest(user, "s-gz", 1, t, "claude-sonnet-4-5", 1, 1, 0, 0, 0.25)));
        Response r = post("/v1/logs", PROTOBUF, proto.toByteArray(), true);
        r.then().statusCode(200);
        assertEquals(0, r.asByteArray().length);
        assertEquals(0.75, summary().getDouble("costUsd"), 1e-9);
        assertEquals(1,
                Db.scalar(ds, "select count(*) from usage_event_named where id_key = usage_id_key(md5(?)::uuid) "
                        + "and member_id = (select id from member where email = ?)", "otlp:claude-code:req_" + request,
                        user));
    }

    @Test
    void aResentExportIsCountedOnce() {
        Instant t = Instant.now().minusSeconds(30);
        ExportLogsServiceRequest req = logs("claude-code", List.of(
                apiRequest(user, "s-re", 1, t, "claude-sonnet-4-5", 100, 10, 0, 0, 0.10),
                apiRequest(user, "s-re", 2, t, "claude-sonnet-4-5", 100, 10, 0, 0, 0.20)));
        postProto("/v1/logs", req).then().statusCode(200);
        postProto("/v1/logs", req).then().statusCode(200);
        post("/v1/logs", "application/json", json(req).getBytes(StandardCharsets.UTF_8), true).then().statusCode(200);
        assertEquals(2, stored("otlp:"));
        assertEquals(0.30, summary().getDouble("costUsd"), 1e-9);
        assertEquals(2, summary().getLong("requests"));
    }

    @Test
    void noTokenIs401() {
        byte[] body = logs("claude-code", List.of()).toByteArray();
        Response r = given().contentType(PROTOBUF).body(body).post("/v1/logs");
        r.then().statusCode(401).contentType(startsWith(PROTOBUF)).header("WWW-Authenticate", startsWith("Bearer"));
        assertStatus(r, 16, "ingest token");
        r = given().contentType(PROTOBUF).header("Authorization", "Bearer nope").body(body).post("/v1/metrics");
        r.then().statusCode(401);
        assertStatus(r, 16, "ingest token");
        given().contentType("application/json").body("{}").post("/v1/logs").then().statusCode(401)
                .contentType(startsWith("application/json")).body("code", equalTo(16))
                .body("message", containsString("ingest token"));
    }

    /** A google.rpc.Status in protobuf: code (field 1) and message (field 2). */
    public static void assertStatus(Response r, int code, String inMessage) {
        try {
            UnknownFieldSet status = UnknownFieldSet.parseFrom(r.asByteArray());
            assertEquals(List.of((long) code), status.getField(1).getVarintList());
            String message = status.getField(2).getLengthDelimitedList().get(0).toStringUtf8();
            assertTrue(message.contains(inMessage), message);
        } catch (InvalidProtocolBufferException e) {
            throw new AssertionError("not a protobuf google.rpc.Status", e);
        }
    }

    @Test
    void malformedPayloadsAre400AndKeepNothing() {
        Instant t = Instant.now().minusSeconds(30);
        byte[] good = logs("claude-code", List.of(apiRequest(user, "s-bad", 1, t, "claude-sonnet-4-5", 1, 1, 0, 0,
                1.0))).toByteArray();
        byte[] truncated = java.util.Arrays.copyOf(good, good.length - 7);
        Response r = post("/v1/logs", PROTOBUF, truncated, false);
        r.then().statusCode(400).contentType(startsWith(PROTOBUF));
        assertStatus(r, 3, "nothing was stored");
        post("/v1/logs", PROTOBUF, new byte[]{(byte) 0xff, (byte) 0xff, (byte) 0xff}, false).then().statusCode(400);
        String json = json(logs("claude-code", List.of(apiRequest(user, "s-bad", 1, t, "claude-sonnet-4-5", 1, 1, 0,
                0, 1.0))));
        post("/v1/logs", "application/json", json.substring(0, json.length() - 3).getBytes(StandardCharsets.UTF_8),
                false).then().statusCode(400).contentType(startsWith("application/json")).body("code", equalTo(3))
                .body("message", containsString("nothing was stored"));
        post("/v1/logs", "application/json", "{\"resourceLogs\":{}}".getBytes(StandardCharsets.UTF_8), false)
                .then().statusCode(400);
        given().header("Authorization", "Bearer " + token).contentType(PROTOBUF).header("Content-Encoding", "gzip")
                .body(good).post("/v1/logs").then().statusCode(400).contentType(startsWith(PROTOBUF));
        post("/v1/metrics", PROTOBUF, truncated, false).then().statusCode(400);
        r = post("/v1/logs", "text/plain", good, false);
        r.then().statusCode(415).contentType(startsWith(PROTOBUF));
        assertStatus(r, 3, "application/x-protobuf");
        assertEquals(0, stored(""));
    }

    @Test
    void aBodyTooLargeAfterDecompressionIs413AsAStatusInTheRequestsEncoding() {
        byte[] zeros = new byte[11 * 1024 * 1024]; // gzips to a few kilobytes
        Response r = post("/v1/logs", PROTOBUF, zeros, true);
        r.then().statusCode(413).contentType(startsWith(PROTOBUF));
        assertStatus(r, 3, "export smaller batches");
        post("/v1/metrics", "application/json", zeros, true).then().statusCode(413)
                .contentType(startsWith("application/json")).body("code", equalTo(3))
                .body("message", containsString("export smaller batches"));
        assertEquals(0, stored(""));
    }

    @Test
    void logsThenMetricsOfOneSessionAreNotDoubleCounted() {
        Instant start = Instant.now().minusSeconds(300);
        Instant t = Instant.now().minusSeconds(60);
        String session = "s-" + Api.unique();
        postProto("/v1/logs", logs("claude-code", List.of(
                apiRequest(user, session, 1, t, "claude-sonnet-4-5", 1000, 100, 0, 0, 0.40)))).then().statusCode(200);
        postProto("/v1/metrics", metrics("claude-code", claudeMetrics(session, start, t.plusSeconds(5), false, 1000,
                100, 0, 0.40))).then().statusCode(200);
        JsonPath s = summary();
        assertEquals(0.40, s.getDouble("costUsd"), 1e-9);
        assertEquals(1000, s.getLong("tokens.input"));
        assertEquals(0, stored("otlpm:"));
    }

    @Test
    void metricsThenLogsOfOneSessionAreReplacedByTheLogs() {
        Instant start = Instant.now().minusSeconds(300);
        Instant t = Instant.now().minusSeconds(60);
        String session = "s-" + Api.unique();
        String other = "s-" + Api.unique();
        Response r = postProto("/v1/metrics", metrics("claude-code",
                concat(claudeMetrics(session, start, t, false, 1000, 100, 50, 0.40),
                        claudeMetrics(other, start, t, false, 7, 3, 0, 0.10))));
        r.then().statusCode(200);
        assertEquals(ExportMetricsServiceResponse.getDefaultInstance(), parseMetricsResponse(r.asByteArray()));
        assertEquals(0.50, summary().getDouble("costUsd"), 1e-9);
        assertEquals(0, summary().getLong("requests"));
        assertEquals(2, stored("otlpm:"));
        String idRows = "select count(*) from usage_event_id i join usage_event_named e on substring(usage_event_id_key(i.id) for 8)"
                + " = int8send(e.id_key) and usage_event_id_day(i.id) = (e.time at time zone 'UTC')::date"
                + " where e.origin = 'm' and e.session_id = ?";
        assertEquals(1, Db.scalar(ds, idRows, session));
        String replacedId = Db.string(ds, idRows.replace("count(*)", "i.id::text"), session);

        // The session's logs arrive late: they replace the metric-derived usage of that session only.
        postProto("/v1/logs", logs("claude-code", List.of(
                apiRequest(user, session, 1, t.minusSeconds(20), "claude-sonnet-4-5", 600, 60, 50, 0, 0.25),
                apiRequest(user, session, 2, t.minusSeconds(10), "claude-sonnet-4-5", 400, 40, 0, 0, 0.15))))
                .then().statusCode(200);
        // A later metrics export of the same session is dropped.
        postProto("/v1/metrics", metrics("claude-code", claudeMetrics(session, start, t.plusSeconds(60), false, 500,
                50, 0, 0.20))).then().statusCode(200);
        JsonPath s = summary();
        assertEquals(0.50, s.getDouble("costUsd"), 1e-9);
        assertEquals(1007, s.getLong("tokens.input"));
        assertEquals(103, s.getLong("tokens.output"));
        assertEquals(50, s.getLong("tokens.cacheRead"));
        assertEquals(2, s.getLong("requests"));
        assertEquals(1, stored("otlpm:"));
        // the replaced event's id is free again (its id row found by the raw row's 64 bits and its day); the other's
        // is kept
        assertEquals(0, Db.scalar(ds, "select count(*) from usage_event_id where id = ?::uuid", replacedId));
        assertEquals(1, Db.scalar(ds, idRows, other));
        // The member rollups (personal figures) lost the replaced event too: two from logs, one from metrics.
        assertEquals(3, Db.scalar(ds, "select sum(events) from usage_daily_all d join member m on m.id = d.member_id "
                + "where m.email = ?", user));
    }

    @Test
    void cumulativeMetricsAreDifferencedPerSeries() {
        Instant start = Instant.now().minusSeconds(600);
        Instant t = Instant.now().minusSeconds(240);
        String session = "s-" + Api.unique();
        postProto("/v1/metrics", metrics("claude-code", claudeMetrics(session, start, t, true, 100, 10, 0, 0.10)))
                .then().statusCode(200);
        postProto("/v1/metrics", metrics("claude-code", claudeMetrics(session, start, t.plusSeconds(60), true, 250,
                30, 0, 0.30))).then().statusCode(200);
        // The same export again (a retry) and an export where nothing changed add nothing.
        postProto("/v1/metrics", metrics("claude-code", claudeMetrics(session, start, t.plusSeconds(60), true, 250,
                30, 0, 0.30))).then().statusCode(200);
        post("/v1/metrics", "application/json", json(metrics("claude-code", claudeMetrics(session, start,
                t.plusSeconds(120), true, 250, 30, 0, 0.30))).getBytes(StandardCharsets.UTF_8), true)
                .then().statusCode(200).body(equalTo("{}"));
        // The process restarted: a new start time, counting from zero again.
        Instant restart = t.plusSeconds(150);
        postProto("/v1/metrics", metrics("claude-code", claudeMetrics(session, restart, t.plusSeconds(180), true, 30,
                5, 0, 0.05))).then().statusCode(200);
        JsonPath s = summary();
        assertEquals(280, s.getLong("tokens.input"));
        assertEquals(35, s.getLong("tokens.output"));
        assertEquals(0.35, s.getDouble("costUsd"), 1e-9);
        assertEquals(3, stored("otlpm:"));
    }

    @Test
    void unknownMetricsAndEventsAreIgnoredAndCounted() {
        Instant t = Instant.now().minusSeconds(30);
        Metric unknown = sum("claude_code.lines_of_code.count", false,
                point(t.minusSeconds(60), t, 12, attr("user.email", user), attr("type", "added")));
        postProto("/v1/metrics", metrics("claude-code", unknown)).then().statusCode(200);
        LogRecord prompt = LogRecord.newBuilder().setTimeUnixNano(nanos(t))
                .setBody(AnyValue.newBuilder().setStringValue("claude_code.tool_decision"))
                .addAttributes(attr("event.name", "tool_decision")).addAttributes(attr("user.email", user)).build();
        postProto("/v1/logs", logs("claude-code", List.of(prompt))).then().statusCode(200);
        String metricsText = given().get("/q/metrics").then().statusCode(200).extract().asString();
        assertTrue(metricsText.lines().anyMatch(l -> l.startsWith("yardstick_otlp_ignored_total")
                && l.contains("signal=\"metrics\"") && l.contains("reason=\"unknown_metric\"")), metricsText);
        assertTrue(metricsText.lines().anyMatch(l -> l.startsWith("yardstick_otlp_ignored_total")
                && l.contains("signal=\"logs\"") && l.contains("reason=\"unknown_event\"")));
        assertEquals(0, stored(""));
    }

    @Test
    void recordsWithoutAUserAreReportedAsRejected() {
        Instant t = Instant.now().minusSeconds(30);
        LogRecord noUser = apiRequest(user, "s-nouser", 1, t, "claude-sonnet-4-5", 1, 1, 0, 0, 1).toBuilder()
                .removeAttributes(4).build();
        Response r = postProto("/v1/logs", logs("claude-code", List.of(noUser)));
        r.then().statusCode(200);
        ExportLogsServiceResponse resp = parseLogsResponse(r.asByteArray());
        assertEquals(1, resp.getPartialSuccess().getRejectedLogRecords());
        assertTrue(resp.getPartialSuccess().getErrorMessage().contains("user.email"));
    }

    @Test
    void codexAndGeminiCliEventsArePricedFromTheTable() {
        Instant t = Instant.now().minusSeconds(30);
        LogRecord codex = LogRecord.newBuilder().setTimeUnixNano(nanos(t))
                .addAttributes(attr("event.name", "codex.sse_event"))
                .addAttributes(attr("event.kind", "response.completed"))
                .addAttributes(attr("conversation.id", "c-1")).addAttributes(attr("user.email", user))
                .addAttributes(attr("model", "gpt-5"))
                .addAttributes(attr("input_token_count", 1_000_000L))
                .addAttributes(attr("cached_token_count", 400_000L))
                .addAttributes(attr("output_token_count", 100_000L))
                .addAttributes(attr("reasoning_token_count", 50_000L)).build();
        LogRecord codexDelta = codex.toBuilder().setAttributes(1, attr("event.kind", "response.output_text.delta"))
                .build();
        postProto("/v1/logs", logs("codex_cli_rs", List.of(codex, codexDelta))).then().statusCode(200);
        // gpt-5: 0.6M input at 1.25, 0.4M cached at 0.125, 0.1M output at 10 = 0.75 + 0.05 + 1.00
        assertEquals(1.80, summary().getDouble("costUsd"), 1e-9);

        LogRecord gemini = LogRecord.newBuilder().setTimeUnixNano(nanos(t))
                .setBody(AnyValue.newBuilder().setStringValue("API response from gemini-2.5-pro. Status: 200."))
                .addAttributes(attr("event.name", "gemini_cli.api_response"))
                .addAttributes(attr("session.id", "g-1")).addAttributes(attr("user.email", user))
                .addAttributes(attr("model", "gemini-2.5-pro"))
                .addAttributes(attr("input_token_count", 800_000L))
                .addAttributes(attr("cached_content_token_count", 0L))
                .addAttributes(attr("output_token_count", 50_000L))
                .addAttributes(attr("thoughts_token_count", 50_000L)).build();
        postProto("/v1/logs", logs("gemini-cli", List.of(gemini))).then().statusCode(200);
        // gemini-2.5-pro: 0.8M input at 1.25 + 0.1M output (with thoughts) at 10 = 1.00 + 1.00
        JsonPath s = summary();
        assertEquals(3.80, s.getDouble("costUsd"), 1e-9);
        assertEquals(0, s.getLong("unpricedEvents"));
        assertEquals(List.of("codex", "gemini-cli"), s.getList("byTool.tool").stream().sorted().toList());
    }

    @Test
    void geminiCliCumulativeTokenMetricsArePriced() {
        Instant start = Instant.now().minusSeconds(600);
        Instant t = Instant.now().minusSeconds(120);
        KeyValue s = attr("session.id", "g-" + Api.unique()), u = attr("user.email", user),
                m = attr("model", "gemini-2.5-pro");
        postProto("/v1/metrics", metrics("gemini-cli", sum("gemini_cli.token.usage", true,
                point(start, t, 400_000, s, u, m, attr("type", "input")),
                point(start, t, 100_000, s, u, m, attr("type", "output"))))).then().statusCode(200);
        postProto("/v1/metrics", metrics("gemini-cli", sum("gemini_cli.token.usage", true,
                point(start, t.plusSeconds(60), 800_000, s, u, m, attr("type", "input")),
                point(start, t.plusSeconds(60), 100_000, s, u, m, attr("type", "output"))))).then()
                .statusCode(200);
        // 0.8M input at 1.25 + 0.1M output at 10
        assertEquals(2.00, summary().getDouble("costUsd"), 1e-9);
    }

    @Test
    void pullRequestAndCommitCountsAreKeptAsActivityNotShippedWork() {
        Instant start = Instant.now().minusSeconds(600);
        Instant t = Instant.now().minusSeconds(60);
        KeyValue u = attr("user.email", user), s = attr("session.id", "s-" + Api.unique());
        postProto("/v1/metrics", metrics("claude-code",
                sum("claude_code.pull_request.count", true, point(start, t, 1, u, s)),
                sum("claude_code.commit.count", true, point(start, t, 3, u, s)))).then().statusCode(200);
        postProto("/v1/metrics", metrics("claude-code",
                sum("claude_code.pull_request.count", true, point(start, t.plusSeconds(30), 2, u, s)),
                sum("claude_code.commit.count", true, point(start, t.plusSeconds(30), 3, u, s)))).then()
                .statusCode(200);
        String sql = "select coalesce(sum(count), 0) from ai_activity_daily a join member m on m.id = a.member_id "
                + "where m.email = ? and kind = ?";
        assertEquals(2, Db.scalar(ds, sql, user, "pull_request"));
        assertEquals(3, Db.scalar(ds, sql, user, "commit"));
        assertEquals(0, summary().getLong("outcomesTotal"));
    }

    public static Metric[] concat(Metric[] a, Metric[] b) {
        List<Metric> all = new ArrayList<>(List.of(a));
        all.addAll(List.of(b));
        return all.toArray(Metric[]::new);
    }

    public static ExportLogsServiceResponse parseLogsResponse(byte[] bytes) {
        try {
            return ExportLogsServiceResponse.parseFrom(bytes);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static ExportMetricsServiceResponse parseMetricsResponse(byte[] bytes) {
        try {
            return ExportMetricsServiceResponse.parseFrom(bytes);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
