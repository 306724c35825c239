package dev.yardstick.ingest;

import static dev.yardstick.Api.admin;
import static dev.yardstick.Api.ingest;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.yardstick.Api;
import dev.yardstick.Db;
import dev.yardstick.admin.IngestTokens;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.sql.DataSource;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

@QuarkusTest
class UsageIngestTest {

    @Inject
    DataSource ds;

    String token;
    String team;
    String user;

    @BeforeEach
    void setUp() {
        token = Api.ingestToken();
        team = Api.team("ingest", "UTC");
        user = Api.member(team);
    }

    static Map<String, Object> event(String id, String user) {
        Map<String, Object> e = new LinkedHashMap<>();
        e.put("id", id);
        e.put("time", Instant.now().minus(1, ChronoUnit.HOURS).toString());
        e.put("user", user);
        e.put("tool", "claude-code");
        e.put("model", "claude-sonnet-4-5");
        e.put("inputTokens", 1000);
        e.put("outputTokens", 500);
        e.put("costUsd", 0.25);
        e.put("sessionId", "s-1");
        return e;
    }

    private Map<String, Object> with(String key, Object value) {
        Map<String, Object> e = event("ev-" + Api.unique(), user);
        if (value == null) {
            e.remove(key);
        } else {
            e.put(key, value);
        }
        return e;
    }

    private long summaryCost() {
        String today = LocalDate.now(ZoneOffset.UTC).toString();
        String from = LocalDate.now(ZoneOffset.UTC).minusDays(2).toString();
        return Math.round(admin().get("/api/v1/teams/" + team + "/summary?from=" + from + "&to=" + today)
                .then().statusCode(200).extract().jsonPath().getDouble("costUsd") * 100);
    }

    @Test
    void singleObjectArrayAndNdjsonAreAccepted() {
        ingest(token).body(event("one-" + Api.unique(), user)).post("/api/v1/usage-events")
                .then().statusCode(202).body("accepted", equalTo(1)).body("duplicates", equalTo(0))
                .body("rejected", empty());
        ingest(token).body(List.of(event("a-" + Api.unique(), user), event("b-" + Api.unique(), user)))
                .post("/api/v1/usage-events").then().statusCode(202).body("accepted", equalTo(2));
        String nd = "{\"id\":\"n1-%s\",\"time\":\"%s\",\"user\":\"%s\",\"tool\":\"cursor\",\"model\":\"gpt-5\",\"costUsd\":1}\n"
                + "\n{\"id\":\"n2-%s\",\"time\":\"%s\",\"user\":\"%s\",\"tool\":\"cursor\",\"model\":\"gpt-5\",\"costUsd\":1}\n";
        String u = Api.unique();
        String t = Instant.now().minusSeconds(60).toString();
        Api.ndjson(token, "/api/v1/usage-events", String.format(nd, u, t, user, u, t, user)).then().statusCode(202)
                .body("accepted", equalTo(2));
        assertEquals(275, summaryCost());
    }

    @Test
    void eachRejectionReasonIsReportedAndValidEventsAreKept() {
        List<Map<String, Object>> batch = new ArrayList<>();
        batch.add(event("ok-" + Api.unique(), user)); // 0 ok
        batch.add(with("id", null)); // 1
        batch.add(with("id", "x".repeat(129))); // 2
        batch.add(with("time", null)); // 3
        batch.add(with("time", "yesterday")); // 4
        batch.add(with("time", "2026-01-01T10:00:00")); // 5 no offset
        batch.add(with("time", Instant.now().plus(10, ChronoUnit.MINUTES).toString())); // 6 future
        batch.add(with("time", Instant.now().minus(91, ChronoUnit.DAYS).toString())); // 7 too old
        batch.add(with("user", null)); // 8
        batch.add(with("user", "not-an-email")); // 9
        batch.add(with("tool", "emacs")); // 10
        batch.add(with("model", null)); // 11
        batch.add(with("inputTokens", -5)); // 12
        batch.add(with("outputTokens", 1.5)); // 13
        batch.add(with("cacheReadTokens", "12")); // 14
        batch.add(with("costUsd", -0.01)); // 15
        batch.add(with("requests", -1)); // 16
        batch.add(with("team", "no-such-team")); // 17
        batch.add(with("colour", "blue")); // 18
        Map<String, Object> idNotString = event("z", user);
        idNotString.put("id", 42);
        batch.add(idNotString); // 19
        batch.add(with("costUsd", "cheap")); // 20

        var body = ingest(token).body(batch).post("/api/v1/usage-events").then().statusCode(202)
                .body("accepted", equalTo(1))
                .body("duplicates", equalTo(0))
                .body("rejected", hasSize(20))
                .extract().jsonPath();
        List<String> errors = body.getList("rejected.error");
        List<Integer> indexes = body.getList("rejected.index");
        assertEquals(List.of(1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20), indexes);
        assertEquals("id is required", errors.get(0));
        assertEquals("id must be at most 128 characters", errors.get(1));
        assertEquals("time is required", errors.get(2));
        org.hamcrest.MatcherAssert.assertThat(errors.get(3), containsString("RFC 3339"));
        org.hamcrest.MatcherAssert.assertThat(errors.get(4), containsString("RFC 3339"));
        assertEquals("time is more than 5 minutes in the future", errors.get(5));
        org.hamcrest.MatcherAssert.assertThat(errors.get(6), containsString("retention"));
        assertEquals("user is required", errors.get(7));
        assertEquals("user must be an email address", errors.get(8));
        org.hamcrest.MatcherAssert.assertThat(errors.get(9), containsString("tool must be one of"));
        assertEquals("model is required", errors.get(10));
        assertEquals("inputTokens must be a whole number of at least 0", errors.get(11));
        assertEquals("outputTokens must be a whole number of at least 0", errors.get(12));
        assertEquals("cacheReadTokens must be a whole number of at least 0", errors.get(13));
        assertEquals("costUsd must be a number of at least 0", errors.get(14));
        assertEquals("requests must be a whole number of at least 0", errors.get(15));
        assertEquals("unknown team 'no-such-team'", errors.get(16));
        assertEquals("unknown field 'colour'", errors.get(17));
        assertEquals("id must be a string", errors.get(18));
        assertEquals("costUsd must be a number of at least 0", errors.get(19));
        assertEquals(25, summaryCost());
    }

    @Test
    void duplicatesWithinAndAcrossBatchesChangeNothing() {
        String id = "dup-" + Api.unique();
        Map<String, Object> first = event(id, user);
        Map<String, Object> again = event(id, user);
        again.put("costUsd", 99);
        ingest(token).body(List.of(first, again, event("other-" + Api.unique(), user)))
                .post("/api/v1/usage-events").then().statusCode(202)
                .body("accepted", equalTo(2)).body("duplicates", equalTo(1));
        ingest(token).body(List.of(again)).post("/api/v1/usage-events").then().statusCode(202)
                .body("accepted", equalTo(0)).body("duplicates", equalTo(1));
        assertEquals(50, summaryCost(), "the second payload for the same id must change nothing");
        assertEquals(1,
                Db.scalar(ds, "select count(*) from usage_event where id_key = usage_id_key(md5(?)::uuid)", id));
    }

    @Test
    void malformedJsonKeepsNothing() {
        String id = "mal-" + Api.unique();
        String broken = "[" + "{\"id\":\"" + id + "\",\"time\":\"" + Instant.now() + "\",\"user\":\"" + user
                + "\",\"tool\":\"codex\",\"model\":\"gpt-5\"}, {\"id\": ";
        ingest(token).body(broken).post("/api/v1/usage-events").then().statusCode(400)
                .contentType("application/problem+json").body("detail", containsString("not valid JSON"));
        String nd = "{\"id\":\"" + id + "\",\"time\":\"" + Instant.now() + "\",\"user\":\"" + user
                + "\",\"tool\":\"codex\",\"model\":\"gpt-5\"}\n{oops}\n";
        Api.ndjson(token, "/api/v1/usage-events", nd).then().statusCode(400).body("detail", containsString("Line 2"));
        ingest(token).body("42").post("/api/v1/usage-events").then().statusCode(400);
        ingest(token).body("").post("/api/v1/usage-events").then().statusCode(400);
        assertEquals(0,
                Db.scalar(ds, "select count(*) from usage_event where id_key = usage_id_key(md5(?)::uuid)", id));
    }

    @Test
    void tooManyEventsOrBytesIs413() {
        StringBuilder nd = new StringBuilder();
        String t = Instant.now().toString();
        String first = "big-" + Api.unique();
        for (int i = 0; i <= 10_000; i++) {
            nd.append("{\"id\":\"").append(first).append(i).append("\",\"time\":\"").append(t)
                    .append("\",\"user\":\"").append(user).append("\",\"tool\":\"codex\",\"model\":\"gpt-5\"}\n");
        }
        Api.ndjson(token, "/api/v1/usage-events", nd.toString()).then().statusCode(413)
                .contentType("application/problem+json");
        assertEquals(0, Db.scalar(ds, "select count(*) from usage_event where id_key in "
                + "(select usage_id_key(md5(? || g)::uuid) from generate_series(0, 10000) g)", first));

        String padding = " ".repeat(10 * 1024 * 1024);
        ingest(token).body("[" + padding + "]").post("/api/v1/usage-events").then().statusCode(413)
                .contentType("application/problem+json");
    }

    @Test
    void missingOrRevokedTokenIs401() {
        given().contentType("application/json").body(event("x", user)).post("/api/v1/usage-events")
                .then().statusCode(401).contentType("application/problem+json");
        ingest("ysk_forged").body(event("x", user)).post("/api/v1/usage-events").then().statusCode(401);
        ingest(Api.ADMIN_TOKEN).body(event("x", user)).post("/api/v1/usage-events").then().statusCode(401);

        Map<String, Object> created = admin().body(Map.of("name", "soon revoked")).post("/api/v1/ingest-tokens")
                .then().statusCode(201).extract().as(Map.class);
        String secret = (String) created.get("token");
        String id = "rev-" + Api.unique();
        ingest(secret).body(event(id, user)).post("/api/v1/usage-events").then().statusCode(202);
        admin().delete("/api/v1/ingest-tokens/" + created.get("id")).then().statusCode(204);
        ingest(secret).body(event(id + "-after", user)).post("/api/v1/usage-events").then().statusCode(401);
        assertEquals(0, Db.scalar(ds, "select count(*) from usage_event where id_key = usage_id_key(md5(?)::uuid)",
                id + "-after"));
    }

    @Test
    void tokensAreStoredOnlyAsHashes() {
        Map<String, Object> created = admin().body(Map.of("name", "hash check")).post("/api/v1/ingest-tokens")
                .then().statusCode(201).extract().as(Map.class);
        String secret = (String) created.get("token");
        long id = ((Number) created.get("id")).longValue();
        assertEquals(IngestTokens.hash(secret), Db.string(ds, "select token_hash from ingest_token where id = ?", id));
        assertEquals(0,
                Db.scalar(ds, "select count(*) from ingest_token where token_hash = ? or name = ?", secret, secret));
    }

    @Test
    void costIsComputedFromThePricingTableAndUnknownModelsAreUnpriced() {
        Map<String, Object> priced = event("p-" + Api.unique(), user);
        priced.remove("costUsd");
        priced.put("model", "claude-sonnet-4-5-20250929");
        priced.put("inputTokens", 1_000_000);
        priced.put("outputTokens", 100_000);
        priced.put("cacheReadTokens", 2_000_000);
        priced.put("cacheWriteTokens", 400_000);
        Map<String, Object> unknown = event("u-" + Api.unique(), user);
        unknown.remove("costUsd");
        unknown.put("model", "homegrown-llm-7b");
        ingest(token).body(List.of(priced, unknown)).post("/api/v1/usage-events").then().statusCode(202)
                .body("accepted", equalTo(2));
        // Sonnet 4.5 list prices: $3 input, $15 output, $0.30 cache read, $3.75 cache write per million tokens.
        // 3.00 + 1.50 + 0.60 + 1.50 = 6.60
        assertEquals("6.60000000",
                Db.string(ds, "select cost_usd::text from usage_event_named where id_key = usage_id_key(md5(?)::uuid)",
                        priced.get("id")));
        assertEquals("computed",
                Db.string(ds, "select cost_source from usage_event_named where id_key = usage_id_key(md5(?)::uuid)",
                        priced.get("id")));
        assertEquals("unpriced",
                Db.string(ds, "select cost_source from usage_event_named where id_key = usage_id_key(md5(?)::uuid)",
                        unknown.get("id")));
        String day = LocalDate.now(ZoneOffset.UTC).toString();
        String from = LocalDate.now(ZoneOffset.UTC).minusDays(1).toString();
        admin().get("/api/v1/teams/" + team + "/summary?from=" + from + "&to=" + day).then().statusCode(200)
                .body("costUsd", equalTo(6.6f))
                .body("unpricedEvents", equalTo(1))
                .body("byModel.find { it.model == 'homegrown-llm-7b' }.costUsd", equalTo(0f));
    }

    @Test
    void oneHourCacheWritesArePricedAsSuchAndCannotExceedTheCacheWrites() {
        Map<String, Object> priced = event("h-" + Api.unique(), user);
        priced.remove("costUsd");
        priced.put("model", "claude-sonnet-4-5-20250929");
        priced.put("inputTokens", 10_000);
        priced.put("outputTokens", 0);
        priced.put("cacheReadTokens", 0);
        priced.put("cacheWriteTokens", 100_000);
        priced.put("cacheWrite1hTokens", 40_000);
        Map<String, Object> tooMany = event("h-" + Api.unique(), user);
        tooMany.put("cacheWriteTokens", 10);
        tooMany.put("cacheWrite1hTokens", 11);
        ingest(token).body(List.of(priced, tooMany)).post("/api/v1/usage-events").then().statusCode(202)
                .body("accepted", equalTo(1))
                .body("rejected[0].index", equalTo(1))
                .body("rejected[0].error", containsString("cacheWrite1hTokens must not exceed cacheWriteTokens"));
        // Sonnet 4.5 in the shipped table: $3 input, $3.75 5-minute write, $6 1-hour write per million tokens.
        // 10,000 x 3 + 60,000 x 3.75 + 40,000 x 6 = 495,000 / 1e6
        assertEquals("0.49500000",
                Db.string(ds, "select cost_usd::text from usage_event_named where id_key = usage_id_key(md5(?)::uuid)",
                        priced.get("id")));
        assertEquals(100_000L,
                Db.scalar(ds,
                        "select cache_write_tokens from usage_event_named where id_key = usage_id_key(md5(?)::uuid)",
                        priced.get("id")));
    }

    @Test
    void unknownUserBecomesMemberWithoutTeamUnderUnassigned() {
        String stranger = "stranger-" + Api.unique() + "@example.com";
        long before = Db.scalar(ds,
                "select coalesce(sum(events), 0) from usage_daily_all where team_key = 'unassigned'");
        ingest(token).body(event("s-" + Api.unique(), stranger.toUpperCase())).post("/api/v1/usage-events")
                .then().statusCode(202).body("accepted", equalTo(1));
        admin().get("/api/v1/members/" + stranger).then().statusCode(200).body("team", equalTo(null));
        assertEquals(before + 1,
                Db.scalar(ds, "select coalesce(sum(events), 0) from usage_daily_all where team_key = 'unassigned'"));
        String today = LocalDate.now(ZoneOffset.UTC).toString();
        admin().get("/api/v1/teams/unassigned/summary?from=" + today + "&to=" + today).then().statusCode(200)
                .body("team", equalTo("unassigned"));
    }

    @Test
    void explicitTeamWinsOverTheMembersTeam() {
        String other = Api.team("explicit", "UTC");
        Map<String, Object> e = event("t-" + Api.unique(), user);
        e.put("team", other);
        ingest(token).body(e).post("/api/v1/usage-events").then().statusCode(202).body("accepted", equalTo(1));
        assertEquals(other,
                Db.string(ds, "select team_key from usage_event_named where id_key = usage_id_key(md5(?)::uuid)",
                        e.get("id")));
    }
}
