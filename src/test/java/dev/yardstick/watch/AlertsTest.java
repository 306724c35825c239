package dev.yardstick.watch;

import static dev.yardstick.Api.admin;
import static dev.yardstick.Api.ingest;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.yardstick.Api;
import dev.yardstick.Db;
import dev.yardstick.budget.Weeks;
import dev.yardstick.digest.DigestService;
import dev.yardstick.chat.slack.FakeSlack;
import dev.yardstick.chat.slack.FakeSlackResource;
import dev.yardstick.chat.slack.SlackRequests;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import javax.sql.DataSource;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

@QuarkusTest
class AlertsTest {

    @Inject
    DataSource ds;
    @Inject
    AlertSweepJob sweep;
    @Inject
    BudgetAlerts alerts;
    @Inject
    Watcher watcher;

    FakeSlack slack = FakeSlackResource.fake();
    String token;

    @BeforeEach
    void setUp() {
        Db.awaitOutboxIdle(ds);
        slack.reset();
        token = Api.ingestToken();
    }

    record Person(String email, String slackId) {
    }

    /** A team that lowered its ceilings to $25 or 300 requests in 15 minutes (the defaults are 100 and 1,000). */
    private String team(String zone, List<String> managers, Integer budget) {
        String key = "al-" + Api.unique();
        Map<String, Object> body = new HashMap<>(Map.of("name", "Team " + key, "timezone", zone, "managers",
                managers, "runawayCostUsd", 25, "runawayRequests", 300));
        if (budget != null) {
            body.put("weeklyBudgetUsd", budget);
        }
        admin().body(body).put("/api/v1/teams/" + key).then().statusCode(201);
        return key;
    }

    private Person member(String team, String name) {
        String email = "al-" + Api.unique() + "@example.com";
        String slackId = "U" + Api.unique().toUpperCase();
        admin().body(Map.of("displayName", name, "team", team, "slackUserId", slackId))
                .put("/api/v1/members/" + email).then().statusCode(201);
        return new Person(email, slackId);
    }

    /** {@code n} events of one request each, evenly spread over {@code span} ending at {@code end}. */
    private void loop(Person p, String session, int n, Duration span, Instant end, double costEach) {
        List<Map<String, Object>> batch = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            Instant t = end.minusMillis(span.toMillis() * (n - 1 - i) / Math.max(1, n - 1));
            Map<String, Object> e = new HashMap<>(Map.of("id", "rl-" + Api.unique() + "-" + i, "time", t.toString(),
                    "user", p.email(), "tool", "claude-code", "model", "claude-opus-4-1", "costUsd", costEach,
                    "requests", 1));
            if (session != null) {
                e.put("sessionId", session);
            }
            batch.add(e);
            if (batch.size() == 50 || i == n - 1) {
                ingest(token).body(batch).post("/api/v1/usage-events").then().statusCode(202)
                        .body("accepted", equalTo(batch.size()));
                batch = new ArrayList<>();
            }
        }
    }

    private List<FakeSlack.Call> dms(Person p) {
        return slack.calls("chat.postMessage", c -> p.slackId().equals(c.param("channel")));
    }

    /** Everything checked again, on this thread, and every message it queued delivered. */
    private void settle() {
        Db.awaitOutboxIdle(ds); // the watcher has written and checked what it collected
        sweep.run();
        Db.awaitOutboxIdle(ds);
    }

    private static void awaitUntil(Runnable assertion) {
        await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(50)).untilAsserted(assertion::run);
    }

    @Test
    void aRetryLoopAlertsItsUserOnceWithinSeconds() {
        String team = team("UTC", List.of(), null);
        Person sam = member(team, "Sam Loop");
        Person other = member(team, "Other");
        Instant started = Instant.now();
        loop(sam, "sess-loop-1", 400, Duration.ofMinutes(8), Instant.now(), 0.01);
        awaitUntil(() -> assertEquals(1, dms(sam).size()));
        assertTrue(Duration.between(started, Instant.now()).toSeconds() < 60, "alerted within a minute");
        String blocks = dms(sam).get(0).param("blocks");
        assertTrue(blocks.contains("runaway.intended") && blocks.contains("runaway.snooze"), blocks);
        assertTrue(blocks.contains("Claude Code") && blocks.contains("claude-opus-4-1")
                && blocks.contains("sess-loop-1"), blocks);
        assertTrue(blocks.contains("requests within 15 minutes"), blocks);

        loop(sam, "sess-loop-1", 100, Duration.ofMinutes(1), Instant.now(), 0.01);
        settle();
        assertEquals(1, dms(sam).size(), "at most one alert per session in 6 hours");
        assertEquals(1, Db.scalar(ds, "select count(*) from watch_session where session_key = 'sess-loop-1'"));
        assertEquals(500,
                Db.scalar(ds, "select sum(requests) from usage_session_minute where session_key = 'sess-loop-1'"),
                "once shared, every minute of the session is written");
        assertTrue(dms(other).isEmpty());

        admin().get("/api/v1/teams/" + team + "/alerts?since=" + started.minusSeconds(60)).then().statusCode(200)
                .body("$", hasSize(1)).body("[0].kind", equalTo("runaway"))
                .body("[0].session", equalTo("sess-loop-1")).body("[0].tool", equalTo("claude-code"))
                .body("[0].model", equalTo("claude-opus-4-1")).body("[0].reason", equalTo("requests"))
                .body("[0].status", equalTo("open")).body("[0].requests", equalTo(500))
                .body("[0].amountUsd", equalTo(5.0f));
        admin().get("/api/v1/teams/" + team + "/alerts?since=yesterday").then().statusCode(400);

        // the weekly digest counts it, naming nobody
        String week = DigestService.isoWeek(Weeks.start(Instant.now(), ZoneOffset.UTC));
        String digest = admin().get("/api/v1/teams/" + team + "/digest?week=" + week).then().statusCode(200)
                .extract().asString();
        assertTrue(digest.contains("1 session, $5.00 spent by them"), digest);
        assertFalse(digest.contains("Sam") || digest.contains(sam.email()) || digest.contains(sam.slackId()));
    }

    @Test
    void aBusyButNormalDayDoesNotAlert() {
        int hour = Instant.now().atZone(ZoneOffset.UTC).getHour();
        int offset = Math.floorMod(16 - hour + 12, 24) - 12; // local time about 16:00: the day's work is daytime
        String team = team("Etc/GMT" + (offset >= 0 ? "-" : "+") + Math.abs(offset), List.of(), null);
        Person busy = member(team, "Busy");
        // 8 hours of steady work: 60 calls of 5 requests each, $0.40 each
        List<Map<String, Object>> events = new ArrayList<>();
        Instant now = Instant.now();
        for (int i = 0; i < 60; i++) {
            events.add(Map.of("id", "busy-" + Api.unique(), "time", now.minus(Duration.ofMinutes(8L * i)).toString(),
                    "user", busy.email(), "tool", "cursor", "model", "claude-sonnet-4-5", "costUsd", 0.40,
                    "requests", 5, "sessionId", "busy-day"));
        }
        ingest(token).body(events).post("/api/v1/usage-events").then().statusCode(202);
        settle();
        assertTrue(dms(busy).isEmpty());
        assertEquals(0, Db.scalar(ds, "select count(*) from watch_session where session_key = 'busy-day'"),
                "an ordinary session stays in the replica's memory");
        assertEquals(60, watcher.liveMinutes(Db.scalar(ds, "select id from member where email = ?", busy.email()))
                .size());
        admin().get("/api/v1/teams/" + team + "/alerts").then().statusCode(200).body("$", hasSize(0));
    }

    @Test
    void backfilledEventsOlderThan24HoursNeverRaiseLiveAlerts() {
        String team = team("UTC", List.of(), null);
        Person late = member(team, "Late");
        loop(late, "old-loop", 400, Duration.ofMinutes(8), Instant.now().minus(Duration.ofHours(30)), 0.5);
        settle();
        assertTrue(dms(late).isEmpty());
        admin().get("/api/v1/teams/" + team + "/alerts?since=" + Instant.now().minus(Duration.ofDays(3)))
                .then().body("$", hasSize(0));
        assertEquals(0, Db.scalar(ds, "select count(*) from usage_session_minute where session_key = 'old-loop'"));
        assertTrue(watcher.liveMinutes(Db.scalar(ds, "select id from member where email = ?", late.email())).isEmpty());
        // the ledger has them all the same
        assertEquals(200.0, admin().get("/api/v1/teams/" + team + "/summary?from="
                + LocalDate.now(ZoneOffset.UTC).minusDays(3) + "&to=" + LocalDate.now(ZoneOffset.UTC)).then()
                .extract().jsonPath().getDouble("costUsd"), 0.001);
    }

    @Test
    void costThresholdIsATeamSettingAndSessionlessEventsGroupByTool() {
        String team = "al-" + Api.unique();
        admin().body(Map.of("name", "Cheap", "runawayCostUsd", 5, "runawayRequests", 10000))
                .put("/api/v1/teams/" + team).then().statusCode(201).body("runawayCostUsd", equalTo(5))
                .body("runawayRequests", equalTo(10000));
        admin().body(Map.of("name", "Bad", "runawayRequests", 0)).put("/api/v1/teams/" + team).then()
                .statusCode(400);
        Person p = member(team, "Pat");
        loop(p, null, 12, Duration.ofMinutes(10), Instant.now(), 0.5);
        awaitUntil(() -> assertEquals(1, dms(p).size()));
        assertTrue(dms(p).get(0).param("blocks").contains("within 15 minutes"));
        admin().get("/api/v1/teams/" + team + "/alerts").then().body("[0].reason", equalTo("cost"))
                .body("[0].session", equalTo(null));
    }

    /** {@code n} Claude Code requests of the same size, evenly spread over {@code span} ending at {@code end}. */
    private void shaped(Person p, String session, int n, Duration span, Instant end, double costEach, long tokens,
            long output, String model) {
        List<Map<String, Object>> batch = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            Instant t = end.minusMillis(span.toMillis() * (n - 1 - i) / Math.max(1, n - 1));
            Map<String, Object> e = new HashMap<>(Map.of("id", "sh-" + Api.unique() + "-" + i, "time", t.toString(),
                    "user", p.email(), "tool", "claude-code", "model", model, "costUsd", costEach, "requests", 1,
                    "sessionId", session, "inputTokens", tokens / 40, "cacheReadTokens", tokens - tokens / 40));
            e.put("outputTokens", output);
            batch.add(e);
            if (batch.size() == 100 || i == n - 1) {
                ingest(token).body(batch).post("/api/v1/usage-events").then().statusCode(202);
                batch = new ArrayList<>();
            }
        }
    }

    @Test
    void nightAloneIsNoLoopButNightWithRepetitionIs() {
        int hour = Instant.now().atZone(ZoneOffset.UTC).getHour();
        int offset = Math.floorMod(3 - hour + 12, 24) - 12; // local time about 03:00
        String team = team("Etc/GMT" + (offset >= 0 ? "-" : "+") + Math.abs(offset), List.of(), null);
        Person owl = member(team, "Owl");
        // one cheap call every 10 minutes for 2.5 hours, its context growing: night alone is no loop
        List<Map<String, Object>> events = new ArrayList<>();
        for (int i = 0; i < 16; i++) {
            events.add(Map.of("id", "owl-" + Api.unique(), "time",
                    Instant.now().minus(Duration.ofMinutes(150 - 10L * i)).toString(), "user", owl.email(), "tool",
                    "claude-code", "model", "claude-sonnet-4-5", "costUsd", 0.05, "requests", 1, "sessionId",
                    "overnight", "inputTokens", 2_000 + 3_000 * i, "outputTokens", 900));
        }
        ingest(token).body(events).post("/api/v1/usage-events").then().statusCode(202);
        settle();
        assertTrue(dms(owl).isEmpty(), "a session at night that is not repeating itself");
        // the same request every minute for 45 minutes, nobody there: the classic overnight loop
        shaped(owl, "overnight-loop", 45, Duration.ofMinutes(44), Instant.now(), 0.04, 9_400, 60,
                "claude-haiku-4-5");
        awaitUntil(() -> assertEquals(1, dms(owl).size()));
        String blocks = dms(owl).get(0).param("blocks");
        assertTrue(blocks.contains("the same 9k-token request") && blocks.contains("overnight"), blocks);
        admin().get("/api/v1/teams/" + team + "/alerts").then().body("$", hasSize(1))
                .body("[0].reason", equalTo("repeat")).body("[0].session", equalTo("overnight-loop"));
    }

    /** An OTLP/JSON log record of Claude Code's, as its exporter sends it. */
    private static String otlpRecord(String event, Instant t, Map<String, Object> attrs) {
        StringBuilder a = new StringBuilder("{\"key\":\"event.name\",\"value\":{\"stringValue\":\"" + event
                + "\"}}");
        for (var e : attrs.entrySet()) {
            a.append(",{\"key\":\"").append(e.getKey()).append("\",\"value\":{")
                    .append(e.getValue() instanceof String
                            ? "\"stringValue\":\"" + e.getValue() + "\""
                            : "\"intValue\":\"" + e.getValue() + "\"")
                    .append("}}");
        }
        return "{\"timeUnixNano\":\"" + (t.getEpochSecond() * 1_000_000_000L + t.getNano())
                + "\",\"body\":{\"stringValue\":\"claude_code." + event + "\"},\"attributes\":[" + a + "]}";
    }

    private void otlp(List<String> records) {
        for (int i = 0; i < records.size(); i += 200) {
            String body = "{\"resourceLogs\":[{\"resource\":{\"attributes\":[{\"key\":\"service.name\","
                    + "\"value\":{\"stringValue\":\"claude-code\"}}]},\"scopeLogs\":[{\"logRecords\":["
                    + String.join(",", records.subList(i, Math.min(records.size(), i + 200))) + "]}]}]}";
            io.restassured.RestAssured.given().header("Authorization", "Bearer " + token)
                    .contentType("application/json").body(body).post("/v1/logs").then().statusCode(200);
        }
    }

    private static String apiRequest(Person p, String session, Instant t, long tokens, long output, double usd) {
        return otlpRecord("api_request", t, Map.of("user.email", p.email(), "session.id", session, "model",
                "claude-opus-4-5", "input_tokens", tokens / 40, "cache_read_tokens", tokens - tokens / 40,
                "cache_creation_tokens", 0, "output_tokens", output, "cost_usd", Double.toString(usd)));
    }

    private static String prompt(Person p, String session, Instant t) {
        return otlpRecord("user_prompt", t, Map.of("user.email", p.email(), "session.id", session, "prompt_length",
                120));
    }

    @Test
    void aLoopBelowTheCeilingsIsFoundFromClaudeCodesEventsAndHeavyWorkIsNot() {
        String team = "al-" + Api.unique();
        admin().body(Map.of("name", "Defaults", "timezone", "UTC")).put("/api/v1/teams/" + team).then()
                .statusCode(201).body("runawayCostUsd", equalTo(100)).body("runawayRequests", equalTo(1000));
        Person lee = member(team, "Lee");
        Person ana = member(team, "Ana");
        Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
        // Ana: 90 minutes of heavy Opus work, prompting every few minutes, her context growing: $3 a minute
        List<String> heavy = new ArrayList<>();
        java.util.Random r = new java.util.Random(21);
        long context = 20_000;
        for (int s = 0; s < 90 * 60; s += 12) {
            Instant t = now.minusSeconds(90 * 60 - s);
            if (s % 300 == 0) {
                heavy.add(prompt(ana, "ana-refactor", t));
            }
            context = context > 170_000 ? 40_000 : context + 500 + r.nextInt(3_000);
            heavy.add(apiRequest(ana, "ana-refactor", t.plusMillis(500), context, 200 + r.nextInt(2_500), 0.60));
        }
        otlp(heavy);
        // Lee: a prompt, then the same 48k-token request 150 times in 7 minutes, 10 cents each ($15: no ceiling)
        Instant start = now.minusSeconds(7 * 60);
        List<String> loop = new ArrayList<>(List.of(prompt(lee, "lee-loop", start.minusSeconds(120))));
        for (int i = 0; i < 150; i++) {
            loop.add(apiRequest(lee, "lee-loop", start.plusMillis(i * 2_800L), 48_117, 182, 0.10));
        }
        otlp(loop);
        awaitUntil(() -> assertEquals(1, dms(lee).size()));
        settle();
        assertTrue(dms(ana).isEmpty(), "heavy but healthy");
        String blocks = dms(lee).get(0).param("blocks");
        String since = start.minusSeconds(120).atZone(ZoneOffset.UTC).toLocalTime()
                .truncatedTo(ChronoUnit.MINUTES).toString();
        assertTrue(blocks.contains("the same 48k-token request ") && blocks.contains("no prompt from you since "
                + since), blocks);
        String evidence = Db.string(ds, "select evidence from alert where session_key = 'lee-loop'");
        assertTrue(evidence.matches(
                "the same 48k-token request \\d+ times in \\d+ min( overnight| at the weekend)?, no prompt from you since "
                        + since + "; \\$\\d+\\.\\d\\d since it began at \\d\\d:\\d\\d"),
                evidence);
        admin().get("/api/v1/teams/" + team + "/alerts").then().body("$", hasSize(1))
                .body("[0].reason", equalTo("repeat")).body("[0].evidence", equalTo(evidence));
        // found within minutes of the loop's start, in event time
        Instant at = Instant.parse(admin().get("/api/v1/teams/" + team + "/alerts").then().extract().jsonPath()
                .getString("[0].evidenceAt"));
        assertTrue(Duration.between(start, at).toMinutes() <= 5, "found at " + at + ", loop from " + start);
    }

    @Test
    void farAboveTheirOwnHistoryAlertsOnceThereIsHistory() {
        String team = "al-" + Api.unique();
        admin().body(Map.of("name", "History", "timezone", "UTC")).put("/api/v1/teams/" + team).then()
                .statusCode(201);
        Person old = member(team, "Olga");
        Person fresh = member(team, "Finn");
        // Olga: ten days of light Sonnet use, about $3 a day
        List<Map<String, Object>> past = new ArrayList<>();
        for (int d = 2; d < 12; d++) {
            past.add(Map.of("id", "hist-" + Api.unique(), "time", Instant.now().minus(Duration.ofDays(d)).toString(),
                    "user", old.email(), "tool", "claude-code", "model", "claude-sonnet-4-5", "costUsd", 3.0,
                    "requests", 20, "sessionId", "old-" + d));
        }
        ingest(token).body(past).post("/api/v1/usage-events").then().statusCode(202);
        // then each of them: $24 in 12 minutes, the context growing (no loop shape), nobody prompting
        for (Person p : List.of(old, fresh)) {
            List<Map<String, Object>> burst = new ArrayList<>();
            for (int i = 0; i < 60; i++) {
                Map<String, Object> e = new HashMap<>(Map.of("id", "burst-" + Api.unique(), "time",
                        Instant.now().minusSeconds(720 - 12L * i).toString(), "user", p.email(), "tool",
                        "claude-code", "model", "claude-sonnet-4-5", "costUsd", 0.40, "requests", 1, "sessionId",
                        "burst-" + p.email(), "inputTokens", 20_000 + 2_500 * i, "outputTokens", 900));
                burst.add(e);
            }
            ingest(token).body(burst).post("/api/v1/usage-events").then().statusCode(202);
        }
        awaitUntil(() -> assertEquals(1, dms(old).size()));
        settle();
        assertTrue(dms(fresh).isEmpty(), "no history: the signatures decide alone, and there is no loop");
        String evidence = Db.string(ds, "select evidence from alert where session_key = ?", "burst-" + old.email());
        assertTrue(
                evidence.contains("more than your busiest day with claude-sonnet-4-5 in the last four weeks ($3.00)"),
                evidence);
        admin().get("/api/v1/teams/" + team + "/alerts").then().body("$", hasSize(1))
                .body("[0].reason", equalTo("baseline"));
    }

    @Test
    void itsIntendedRaisesThatPersonsBaselineForThatKindOfSession() {
        String team = "al-" + Api.unique();
        admin().body(Map.of("name", "Learns", "timezone", "UTC")).put("/api/v1/teams/" + team).then().statusCode(201);
        Person p = member(team, "Ivo");
        shaped(p, "eval-1", 120, Duration.ofMinutes(6), Instant.now(), 0.10, 30_000, 100, "claude-opus-4-5");
        awaitUntil(() -> assertEquals(1, dms(p).size()));
        long id = Db.scalar(ds, "select id from alert where session_key = 'eval-1'");
        SlackRequests.click(p.slackId(), RunawayAlerts.INTENDED, Long.toString(id), slack.responseUrl("ivo"))
                .then().statusCode(200);
        awaitUntil(() -> assertEquals("intended", Db.string(ds, "select status from alert where id = ?", id)));
        long member = Db.scalar(ds, "select id from member where email = ?", p.email());
        assertEquals("repeat", Db.string(ds, "select pattern from runaway_intended where member_id = ?"
                + " and tool = 'claude-code' and model = 'claude-opus-4-5'", member));
        // the same kind of session at the same pace: learned, quiet
        shaped(p, "eval-2", 120, Duration.ofMinutes(6), Instant.now(), 0.10, 30_000, 100, "claude-opus-4-5");
        settle();
        assertEquals(1, dms(p).size(), "a like session is not a surprise any more");
        // three times as costly: above what was said to be intended
        shaped(p, "eval-3", 120, Duration.ofMinutes(6), Instant.now(), 0.30, 30_000, 100, "claude-opus-4-5");
        awaitUntil(() -> assertEquals(2, dms(p).size()));
        // the learned baseline is the person's: erased with them
        admin().delete("/api/v1/members/" + p.email() + "?erase=true").then().statusCode(200)
                .body("erased.runaway_intended", equalTo(1));
    }

    @Test
    void itsIntendedSilencesThatSessionOnly() {
        String team = team("UTC", List.of(), null);
        Person p = member(team, "Ida");
        loop(p, "batch-job", 320, Duration.ofMinutes(5), Instant.now(), 0.01);
        awaitUntil(() -> assertEquals(1, dms(p).size()));
        long id = Db.scalar(ds, "select id from alert where session_key = 'batch-job'");

        SlackRequests.click(p.slackId(), RunawayAlerts.INTENDED, Long.toString(id), slack.responseUrl("ok")).then()
                .statusCode(200);
        awaitUntil(() -> assertEquals("intended", Db.string(ds, "select status from alert where id = ?", id)));
        awaitUntil(() -> assertEquals(1, slack.calls("chat.update").size()));
        String updated = slack.calls("chat.update").get(0).param("blocks");
        assertTrue(updated.contains("Marked as intended") && !updated.contains("runaway.snooze"), updated);

        // seven hours later the same session loops on: still quiet; another session is not
        Db.update(ds, "update alert set created_at = created_at - interval '7 hours' where id = ?", id);
        loop(p, "batch-job", 320, Duration.ofMinutes(5), Instant.now(), 0.01);
        settle();
        assertEquals(1, dms(p).size());
        loop(p, "other-job", 320, Duration.ofMinutes(5), Instant.now(), 0.01);
        awaitUntil(() -> assertEquals(2, dms(p).size()));
    }

    @Test
    void snoozeSilencesTheUserFor24Hours() {
        String team = team("UTC", List.of(), null);
        Person p = member(team, "Sue");
        loop(p, "s1", 310, Duration.ofMinutes(5), Instant.now(), 0.01);
        awaitUntil(() -> assertEquals(1, dms(p).size()));
        long id = Db.scalar(ds, "select id from alert where session_key = 's1'");
        SlackRequests.click(p.slackId(), RunawayAlerts.SNOOZE_ACTION, Long.toString(id), slack.responseUrl("z")).then()
                .statusCode(200);
        awaitUntil(() -> assertEquals("snoozed", Db.string(ds, "select status from alert where id = ?", id)));

        loop(p, "s2", 310, Duration.ofMinutes(5), Instant.now(), 0.01);
        settle();
        assertEquals(1, dms(p).size(), "snoozed: recorded, not sent");
        assertEquals("snoozed", Db.string(ds, "select status from alert where session_key = 's2'"));

        Db.update(ds, "update member set alerts_snoozed_until = now() - interval '1 minute' where email = ?",
                p.email());
        loop(p, "s3", 310, Duration.ofMinutes(5), Instant.now(), 0.01);
        awaitUntil(() -> assertEquals(2, dms(p).size()));
    }

    @Test
    void aForgedOrSomeoneElsesClickChangesNothing() {
        String team = team("UTC", List.of(), null);
        Person p = member(team, "Fay");
        Person mallory = member(team, "Mallory");
        loop(p, "f1", 310, Duration.ofMinutes(5), Instant.now(), 0.01);
        awaitUntil(() -> assertEquals(1, dms(p).size()));
        long id = Db.scalar(ds, "select id from alert where session_key = 'f1'");

        String payload = "{\"type\":\"block_actions\",\"user\":{\"id\":\"" + p.slackId()
                + "\"},\"team\":{\"id\":\"T0001\"},\"actions\":[{\"action_id\":\"runaway.intended\",\"value\":\""
                + id + "\",\"type\":\"button\"}]}";
        String body = "payload=" + java.net.URLEncoder.encode(payload, java.nio.charset.StandardCharsets.UTF_8);
        SlackRequests.post("application/x-www-form-urlencoded", body, "not-the-signing-secret",
                Instant.now().getEpochSecond()).then().statusCode(401);

        SlackRequests.click(mallory.slackId(), RunawayAlerts.INTENDED, Long.toString(id), slack.responseUrl("mal"))
                .then().statusCode(200);
        awaitUntil(() -> assertEquals(1, slack.calls("respond", c -> c.param("id").equals("mal")).size()));
        assertTrue(slack.calls("respond", c -> c.param("id").equals("mal")).get(0).body()
                .contains("someone else's session"));
        assertEquals("open", Db.string(ds, "select status from alert where id = ?", id));
        assertTrue(slack.calls("chat.update").isEmpty());
    }

    @Test
    void fourTimesTheLineReachesManagersOnce() {
        String mgrEmail = "mgr-" + Api.unique() + "@example.com";
        String team = team("UTC", List.of(mgrEmail), null);
        String mgrSlack = "U" + Api.unique().toUpperCase();
        admin().body(Map.of("displayName", "Mona Manager", "team", team, "slackUserId", mgrSlack))
                .put("/api/v1/members/" + mgrEmail).then().statusCode(201);
        Person manager = new Person(mgrEmail, mgrSlack);
        Person p = member(team, "Rex Runner");
        loop(p, "big", 400, Duration.ofMinutes(6), Instant.now(), 0.01);
        awaitUntil(() -> assertEquals(1, dms(p).size()));
        assertTrue(dms(manager).isEmpty(), "1.3x: the user only");

        loop(p, "big", 850, Duration.ofMinutes(6), Instant.now(), 0.01);
        awaitUntil(() -> assertEquals(1, dms(manager).size()));
        String blocks = dms(manager).get(0).param("blocks");
        assertTrue(blocks.contains("Rex Runner") && blocks.contains("four times"), blocks);
        loop(p, "big", 400, Duration.ofMinutes(2), Instant.now(), 0.01);
        settle();
        assertEquals(1, dms(manager).size(), "managers hear once per session");
        assertEquals(1, dms(p).size());
        admin().get("/api/v1/teams/" + team + "/alerts").then().body("[0].escalated", equalTo(true));
    }

    @Test
    void budgetThresholdsReachManagersOncePerWeek() {
        String mgrEmail = "bm-" + Api.unique() + "@example.com";
        String team = team("UTC", List.of(mgrEmail), 100);
        admin().body(Map.of("name", "Budgeted", "managers", List.of(mgrEmail), "weeklyBudgetUsd", 100,
                "runawayCostUsd", 10000)).put("/api/v1/teams/" + team).then().statusCode(200);
        String mgrSlack = "U" + Api.unique().toUpperCase();
        admin().body(Map.of("displayName", "Bea", "team", team, "slackUserId", mgrSlack))
                .put("/api/v1/members/" + mgrEmail).then().statusCode(201);
        Person manager = new Person(mgrEmail, mgrSlack);
        Person p = member(team, "Dev");
        spend(p, Instant.now(), 85);
        awaitUntil(() -> assertEquals(1, dms(manager).size()));
        assertTrue(dms(manager).get(0).param("text").contains("85%"), dms(manager).get(0).param("text"));
        assertTrue(dms(p).isEmpty(), "budget alerts go to managers only");
        spend(p, Instant.now(), 10);
        settle();
        assertEquals(1, dms(manager).size(), "80% once a week");
        spend(p, Instant.now(), 10);
        awaitUntil(() -> assertEquals(2, dms(manager).size()));
        assertTrue(dms(manager).get(1).param("text").contains("used its AI budget for the week"));
        spend(p, Instant.now(), 50);
        settle();
        assertEquals(2, dms(manager).size(), "100% once a week");
        admin().get("/api/v1/teams/" + team + "/alerts").then().body("$", hasSize(2))
                .body("kind", org.hamcrest.Matchers.containsInAnyOrder("budget_80", "budget_100"));
    }

    @Test
    void aRateThatWouldExhaustTheBudgetGetsOneHeadsUp() {
        String mgrEmail = "pm-" + Api.unique() + "@example.com";
        String team = team("UTC", List.of(mgrEmail), 1000);
        String mgrSlack = "U" + Api.unique().toUpperCase();
        admin().body(Map.of("displayName", "Pia", "team", team, "slackUserId", mgrSlack))
                .put("/api/v1/members/" + mgrEmail).then().statusCode(201);
        Person manager = new Person(mgrEmail, mgrSlack);
        Person p = member(team, "Dev");
        // last week, as seen on its Wednesday noon: $400 spent in 2.5 days is on pace for $1,120
        LocalDate monday = Weeks.start(Instant.now(), ZoneOffset.UTC).minusWeeks(1);
        Instant wednesdayNoon = monday.plusDays(2).atTime(12, 0).toInstant(ZoneOffset.UTC);
        spend(p, monday.atTime(10, 0).toInstant(ZoneOffset.UTC), 200);
        spend(p, monday.plusDays(1).atTime(10, 0).toInstant(ZoneOffset.UTC), 200);
        alerts.checkBudget(team, monday.atTime(20, 0).toInstant(ZoneOffset.UTC));
        Db.awaitOutboxIdle(ds);
        assertTrue(dms(manager).isEmpty(), "not in the week's first day");
        alerts.checkBudget(team, wednesdayNoon);
        alerts.checkBudget(team, wednesdayNoon.plus(1, ChronoUnit.HOURS));
        Db.awaitOutboxIdle(ds);
        assertEquals(1, dms(manager).size());
        assertTrue(dms(manager).get(0).param("text").contains("run out of AI budget before the week ends"));
    }

    private void spend(Person p, Instant t, double usd) {
        ingest(token).body(Map.of("id", "sp-" + Api.unique(), "time", t.toString(), "user", p.email(), "tool",
                "codex", "model", "gpt-5", "costUsd", usd)).post("/api/v1/usage-events").then().statusCode(202);
    }
}
