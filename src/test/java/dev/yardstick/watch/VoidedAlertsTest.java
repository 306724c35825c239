package dev.yardstick.watch;

import static dev.yardstick.Api.admin;
import static dev.yardstick.Api.ingest;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.yardstick.Api;
import dev.yardstick.Db;
import dev.yardstick.ledger.LiveUsage;
import dev.yardstick.chat.slack.FakeSlack;
import dev.yardstick.chat.slack.FakeSlackResource;
import dev.yardstick.chat.slack.SlackRequests;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import javax.sql.DataSource;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Voiding usage closes the alerts it alone raised (docs/alerts.md, "Voided usage"). */
@QuarkusTest
class VoidedAlertsTest {

    @Inject
    DataSource ds;
    @Inject
    AlertSweepJob sweep;
    @Inject
    Watcher watcher;
    @Inject
    AlertRecords records;

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

    private String team(Map<String, Object> settings) {
        String key = "va-" + Api.unique();
        Map<String, Object> body = new HashMap<>(settings);
        body.put("name", "Team " + key);
        body.putIfAbsent("runawayCostUsd", 25); // lowered from the default ceilings (100, 1,000)
        body.putIfAbsent("runawayRequests", 300);
        admin().body(body).put("/api/v1/teams/" + key).then().statusCode(201);
        return key;
    }

    private Person member(String team, String name) {
        String email = "va-" + Api.unique() + "@example.com";
        String slackId = "U" + Api.unique().toUpperCase();
        admin().body(Map.of("displayName", name, "team", team, "slackUserId", slackId))
                .put("/api/v1/members/" + email).then().statusCode(201);
        return new Person(email, slackId);
    }

    /** {@code n} events of one request each over {@code span} ending now; returns their ids. */
    private List<String> loop(Person p, String session, int n, Duration span, double costEach) {
        List<String> ids = new ArrayList<>();
        List<Map<String, Object>> batch = new ArrayList<>();
        Instant end = Instant.now();
        for (int i = 0; i < n; i++) {
            Instant t = end.minusMillis(span.toMillis() * (n - 1 - i) / Math.max(1, n - 1));
            String id = "va-" + Api.unique() + "-" + i;
            ids.add(id);
            batch.add(Map.of("id", id, "time", t.toString(), "user", p.email(), "tool", "claude-code", "model",
                    "claude-opus-4-1", "costUsd", costEach, "requests", 1, "sessionId", session));
            if (batch.size() == 50 || i == n - 1) {
                ingest(token).body(batch).post("/api/v1/usage-events").then().statusCode(202)
                        .body("accepted", equalTo(batch.size()));
                batch = new ArrayList<>();
            }
        }
        return ids;
    }

    private Map<String, Object> voidIds(List<String> ids) {
        return admin().body(Map.of("ids", ids, "reason", "load test against production")).post(
                "/api/v1/usage-events/void").then().statusCode(200).extract().jsonPath().getMap("voided");
    }

    private List<FakeSlack.Call> dms(Person p) {
        return slack.calls("chat.postMessage", c -> p.slackId().equals(c.param("channel")));
    }

    private List<FakeSlack.Call> withdrawn() {
        return slack.calls("chat.update", c -> String.valueOf(c.param("text")).contains("withdrawn")
                || String.valueOf(c.param("text")).contains("voided the usage"));
    }

    private void settle() {
        Db.awaitOutboxIdle(ds);
        sweep.run();
        Db.awaitOutboxIdle(ds);
    }

    private static void awaitUntil(Runnable assertion) {
        await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(50)).untilAsserted(assertion::run);
    }

    private long memberId(Person p) {
        return Db.scalar(ds, "select id from member where email = ?", p.email());
    }

    private boolean holds(Person p, String session) {
        return watcher.liveMinutes(memberId(p)).stream().anyMatch(m -> m.sessionKey().equals(session));
    }

    @Test
    void aRunawayAlertRaisedByAPoisonedSessionIsClosedAndStopsEscalating() {
        String mgrEmail = "va-mgr-" + Api.unique() + "@example.com";
        String team = team(Map.of("managers", List.of(mgrEmail)));
        String mgrSlack = "U" + Api.unique().toUpperCase();
        admin().body(Map.of("displayName", "Mo Manager", "team", team, "slackUserId", mgrSlack))
                .put("/api/v1/members/" + mgrEmail).then().statusCode(201);
        Person manager = new Person(mgrEmail, mgrSlack);
        Person p = member(team, "Pia Poisoned");
        String poison = "poison-" + Api.unique();
        String real = "real-" + Api.unique();
        loop(p, real, 5, Duration.ofMinutes(4), 0.1);
        // $105 within 8 minutes: past the $25 line, and past four times it
        List<String> ids = loop(p, poison, 21, Duration.ofMinutes(8), 5.0);
        awaitUntil(() -> assertEquals(1, dms(p).size()));
        awaitUntil(() -> assertEquals(1, dms(manager).size()));
        long id = Db.scalar(ds, "select id from alert where session_key = ?", poison);
        assertEquals("open", Db.string(ds, "select status from alert where id = ?", id));
        assertTrue(holds(p, poison) && holds(p, real));
        Db.awaitOutboxIdle(ds);

        Map<String, Object> voided = voidIds(ids);
        assertEquals(21, voided.get("events"));
        assertEquals("105.00", voided.get("costUsd"));

        assertEquals(Alert.VOIDED, Db.string(ds, "select status from alert where id = ?", id),
                "closed before the void answers");
        assertEquals(0, Db.scalar(ds, "select count(*) from usage_session_minute where member_id = ? and "
                + "session_key = ?", memberId(p), poison), "the shared figures lost every poisoned minute");
        awaitUntil(() -> assertFalse(holds(p, poison), "the replica's own figures follow the void"));
        assertTrue(holds(p, real), "the rest stays");

        // the user's DM and the managers' escalation are replaced: no figures, no buttons
        awaitUntil(() -> assertEquals(2, withdrawn().size()));
        for (FakeSlack.Call update : withdrawn()) {
            String blocks = update.param("blocks");
            assertFalse(blocks.contains(RunawayAlerts.INTENDED) || blocks.contains(RunawayAlerts.SNOOZE_ACTION),
                    blocks);
            assertFalse(blocks.contains("$105"), blocks);
        }

        // the old button no longer settles anything
        SlackRequests.click(p.slackId(), RunawayAlerts.INTENDED, Long.toString(id), slack.responseUrl("late"))
                .then().statusCode(200);
        awaitUntil(() -> assertEquals(1, slack.calls("respond", c -> c.param("id").equals("late")).size()));
        assertTrue(slack.calls("respond", c -> c.param("id").equals("late")).get(0).body().contains("closed"));
        assertEquals(Alert.VOIDED, Db.string(ds, "select status from alert where id = ?", id));

        // nothing raises or escalates it again, and the digest does not count it
        settle();
        assertEquals(1, dms(p).size());
        assertEquals(1, dms(manager).size());
        assertEquals(1, Db.scalar(ds, "select count(*) from alert where session_key = ?", poison));
        admin().get("/api/v1/teams/" + team + "/alerts").then().statusCode(200).body("[0].status",
                equalTo("voided"));
        assertEquals(0, records.runawayTotals(team, Instant.now().minus(Duration.ofHours(1)), Instant.now())
                .alerts());
    }

    @Test
    void anAlertTheRemainingUsageStillRaisesStaysOpen() {
        String team = team(Map.of());
        Person p = member(team, "Mia Mixed");
        String session = "mixed-" + Api.unique();
        loop(p, session, 400, Duration.ofMinutes(8), 0.01);
        List<String> poison = loop(p, session, 3, Duration.ofMinutes(1), 1.0);
        awaitUntil(() -> assertEquals(1, dms(p).size()));
        long id = Db.scalar(ds, "select id from alert where session_key = ?", session);
        Db.awaitOutboxIdle(ds);

        assertEquals(3, voidIds(poison).get("events"));
        assertEquals("open", Db.string(ds, "select status from alert where id = ?", id),
                "400 requests in 8 minutes cross the line of 300 without the voided usage");
        assertEquals(400, Db.scalar(ds, "select sum(requests) from usage_session_minute where member_id = ? and "
                + "session_key = ?", memberId(p), session));
        long minute = Instant.now().getEpochSecond() / 60;
        awaitUntil(() -> assertEquals(400, watcher.liveMinutes(memberId(p)).stream()
                .filter(m -> m.sessionKey().equals(session) && m.minute().getEpochSecond() / 60 <= minute)
                .mapToLong(LiveUsage.Minute::requests).sum()));
        Db.awaitOutboxIdle(ds);
        assertTrue(withdrawn().isEmpty());
    }

    @Test
    void aBudgetAlertRaisedByVoidedSpendIsWithdrawnAndTheLineCanBeCrossedAgain() {
        String mgrEmail = "va-bm-" + Api.unique() + "@example.com";
        String team = team(Map.of("managers", List.of(mgrEmail), "weeklyBudgetUsd", 100, "runawayCostUsd", 10000));
        String mgrSlack = "U" + Api.unique().toUpperCase();
        admin().body(Map.of("displayName", "Bo", "team", team, "slackUserId", mgrSlack))
                .put("/api/v1/members/" + mgrEmail).then().statusCode(201);
        Person manager = new Person(mgrEmail, mgrSlack);
        Person p = member(team, "Dev");
        String bad = "va-spend-" + Api.unique();
        ingest(token).body(Map.of("id", bad, "time", Instant.now().toString(), "user", p.email(), "tool", "codex",
                "model", "gpt-5", "costUsd", 85)).post("/api/v1/usage-events").then().statusCode(202);
        awaitUntil(() -> assertEquals(1, dms(manager).size()));
        long first = Db.scalar(ds, "select id from alert where team_key = ? and kind = 'budget_80'", team);
        Db.awaitOutboxIdle(ds);

        assertEquals("85.00", voidIds(List.of(bad)).get("costUsd"));
        assertEquals(Alert.VOIDED, Db.string(ds, "select status from alert where id = ?", first));
        awaitUntil(() -> assertEquals(1, withdrawn().size()));
        assertTrue(withdrawn().get(0).param("text").contains("$0.00 of $100 "), withdrawn().get(0).param("text"));

        // real spend past the line raises it again, as a new alert
        ingest(token).body(Map.of("id", "va-spend-" + Api.unique(), "time", Instant.now().toString(), "user",
                p.email(), "tool", "codex", "model", "gpt-5", "costUsd", 81)).post("/api/v1/usage-events").then()
                .statusCode(202);
        awaitUntil(() -> assertEquals(2, dms(manager).size()));
        assertEquals(2, Db.scalar(ds, "select count(*) from alert where team_key = ? and kind = 'budget_80'", team));
        assertEquals(1, Db.scalar(ds, "select count(*) from alert where team_key = ? and status = 'open'", team));
    }
}
