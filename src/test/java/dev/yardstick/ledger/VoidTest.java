package dev.yardstick.ledger;

import static dev.yardstick.Api.admin;
import static dev.yardstick.Api.ingest;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.yardstick.Api;
import dev.yardstick.Db;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.restassured.path.json.JsonPath;
import io.restassured.path.json.config.JsonPathConfig;
import jakarta.inject.Inject;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;

@QuarkusTest
class VoidTest {

    private static final JsonPathConfig EXACT = JsonPathConfig.jsonPathConfig()
            .numberReturnType(JsonPathConfig.NumberReturnType.BIG_DECIMAL);

    @Inject
    DataSource ds;
    @Inject
    LedgerQueries ledger;

    private static Map<String, Object> usage(String id, String user, Instant time, String tool, String model,
            String cost, int requests) {
        Map<String, Object> e = new HashMap<>(Map.of("id", id, "time", time.toString(), "user", user, "tool", tool,
                "model", model, "inputTokens", 100, "outputTokens", 10, "cacheReadTokens", 1000,
                "cacheWriteTokens", 1, "requests", requests));
        e.put("costUsd", new BigDecimal(cost));
        return e;
    }

    private static JsonPath summary(String team, LocalDate from, LocalDate to) {
        return admin().get("/api/v1/teams/" + team + "/summary?from=" + from + "&to=" + to).then().statusCode(200)
                .extract().jsonPath(EXACT);
    }

    private static BigDecimal dec(JsonPath j, String path) {
        return new BigDecimal(j.get(path).toString());
    }

    private static void assertDec(String expected, BigDecimal actual) {
        assertEquals(0, new BigDecimal(expected).compareTo(actual), "expected " + expected + ", got " + actual);
    }

    private static JsonPath voidUsage(Map<String, Object> body) {
        return admin().body(body).post("/api/v1/usage-events/void").then().statusCode(200)
                .contentType(containsString("json")).extract().jsonPath();
    }

    private long memberId(String email) {
        return Db.scalar(ds, "select id from member where email = ?", email);
    }

    @Test
    void voidingByIdsTakesExactlyThoseEventsOutOfEveryTotalOnce() {
        String token = Api.ingestToken();
        ZoneId berlin = ZoneId.of("Europe/Berlin");
        String team = Api.team("void", "Europe/Berlin");
        String a = Api.member(team);
        String b = Api.member(team);
        Instant t = Instant.now().minus(Duration.ofHours(2));
        String e1 = "v-" + Api.unique(), e2 = "v-" + Api.unique(), e3 = "v-" + Api.unique(), e4 = "v-" + Api.unique();
        ingest(token).body(List.of(
                usage(e1, a, t, "cursor", "gpt-5", "1.234567", 3),
                usage(e2, a, t, "claude-code", "claude-opus-4-1", "10.5", 5),
                usage(e3, a, t, "claude-code", "claude-sonnet-4-5", "2.000001", 1),
                usage(e4, b, t, "cursor", "gpt-5", "3", 2)))
                .post("/api/v1/usage-events").then().statusCode(202).body("accepted", equalTo(4));
        LocalDate today = LocalDate.now(berlin);
        LocalDate from = today.minusDays(1);
        JsonPath before = summary(team, from, today);
        assertDec("16.734568", dec(before, "costUsd"));
        assertEquals(11, before.getInt("requests"));
        assertEquals(2, before.getInt("activeMembers"));
        MemberTotals mineBefore = ledger.memberTotals(memberId(a), from, today);
        assertDec("13.734568", mineBefore.costUsd());

        JsonPath answer = voidUsage(Map.of("ids", List.of(e1, e2, "v-never-sent-" + Api.unique()), "reason",
                "  Test traffic from a misconfigured CI runner  "));
        assertEquals(2, answer.getInt("voided.events"));
        assertEquals("11.734567", answer.getString("voided.costUsd"));
        long voidId = answer.getLong("voidId");

        JsonPath after = summary(team, from, today);
        assertDec("5.000001", dec(after, "costUsd"));
        assertEquals(3, after.getInt("requests"));
        assertEquals(200, after.getInt("tokens.input"));
        assertEquals(20, after.getInt("tokens.output"));
        assertEquals(2000, after.getInt("tokens.cacheRead"));
        assertEquals(2, after.getInt("tokens.cacheWrite"));
        assertEquals(2, after.getInt("activeMembers"), "a still has e3 that day");
        assertEquals(List.of("cursor", "claude-code"), after.getList("byTool.tool"));
        assertDec("3", dec(after, "byTool[0].costUsd"));
        assertDec("2.000001", dec(after, "byTool[1].costUsd"));
        assertDec("0", new BigDecimal(after.getList("byModel.findAll { it.model == 'claude-opus-4-1' }.costUsd")
                .get(0).toString()));
        MemberTotals mine = ledger.memberTotals(memberId(a), from, today);
        assertDec("2.000001", mine.costUsd());
        assertEquals(1, mine.requests());
        assertEquals(1111, mine.tokens());
        assertDec("3", ledger.memberTotals(memberId(b), from, today).costUsd());
        // voided events stay stored, with their void, out of the raw rows that readers scan
        assertEquals(2, Db.scalar(ds, "select count(*) from usage_event_voided where void_id = ?", voidId));
        assertEquals(2, Db.scalar(ds, "select count(*) from usage_event_named where void_id = ?", voidId));
        assertEquals(0, Db.scalar(ds, "select count(*) from usage_event where id_key in (usage_id_key(md5(?)::uuid),"
                + " usage_id_key(md5(?)::uuid))", e1, e2));

        // the same call again voids nothing and changes nothing
        JsonPath again = voidUsage(Map.of("ids", List.of(e1, e2), "reason", "again"));
        assertEquals(0, again.getInt("voided.events"));
        assertEquals("0.00", again.getString("voided.costUsd"));
        assertEquals(null, (Object) again.get("voidId"));
        assertDec("5.000001", dec(summary(team, from, today), "costUsd"));

        // a voided id sent again stays a duplicate
        ingest(token).body(List.of(usage(e1, a, t, "cursor", "gpt-5", "1.234567", 3)))
                .post("/api/v1/usage-events").then().statusCode(202).body("accepted", equalTo(0))
                .body("duplicates", equalTo(1));
        JsonPath resent = summary(team, from, today);
        assertDec("5.000001", dec(resent, "costUsd"));
        assertEquals(3, resent.getInt("requests"));
        assertDec("2.000001", ledger.memberTotals(memberId(a), from, today).costUsd());

        // who, when and why
        JsonPath voids = admin().get("/api/v1/voids").then().statusCode(200).extract().jsonPath();
        Map<String, Object> mine2 = voids.getMap("find { it.id == " + voidId + " }");
        assertNotNull(mine2, "the void is listed");
        assertEquals("usage", mine2.get("kind"));
        assertEquals("admin", mine2.get("by"));
        assertEquals("Test traffic from a misconfigured CI runner", mine2.get("reason"));
        assertEquals(2, mine2.get("events"));
        assertEquals("11.734567", mine2.get("costUsd"));
        assertEquals(Map.of("ids", 3), mine2.get("selector"));
        Instant at = Instant.parse((String) mine2.get("at"));
        assertTrue(Duration.between(at, Instant.now()).abs().toMinutes() < 5, at.toString());
        assertEquals(1, voids.getList("findAll { it.id == " + voidId + " }").size(), "the repeat recorded nothing");
        List<Long> ids = voids.getList("id", Long.class);
        List<Long> sorted = new ArrayList<>(ids);
        sorted.sort(java.util.Comparator.reverseOrder());
        assertEquals(sorted, ids, "newest first");
        admin().get("/api/v1/voids?limit=1").then().statusCode(200).body("size()", equalTo(1));
        admin().get("/api/v1/voids?limit=0").then().statusCode(400);
        RestAssured.given().get("/api/v1/voids").then().statusCode(401);
    }

    @Test
    void voidingAMembersRangeTakesOnlyThatRangeAndToolAndForgetsMembersLeftIdle() {
        String token = Api.ingestToken();
        String team = Api.team("void", "UTC");
        String a = Api.member(team);
        String b = Api.member(team);
        LocalDate day = LocalDate.now(ZoneOffset.UTC).minusDays(1);
        Instant start = day.atStartOfDay(ZoneOffset.UTC).toInstant();
        Instant end = day.plusDays(1).atStartOfDay(ZoneOffset.UTC).toInstant();
        ingest(token).body(List.of(
                usage("r-" + Api.unique(), a, start, "cursor", "gpt-5", "1.25", 1),
                usage("r-" + Api.unique(), a, end.minusMillis(1), "cursor", "gpt-5", "2.5", 1),
                usage("r-" + Api.unique(), a, start.plusSeconds(3600), "claude-code", "claude-opus-4-1", "4", 1),
                usage("r-" + Api.unique(), a, start.minusMillis(1), "cursor", "gpt-5", "8", 1),
                usage("r-" + Api.unique(), a, end, "cursor", "gpt-5", "16", 1),
                usage("r-" + Api.unique(), b, start.plusSeconds(60), "cursor", "gpt-5", "32", 1)))
                .post("/api/v1/usage-events").then().statusCode(202).body("accepted", equalTo(6));
        String outcome = "ro-" + Api.unique();
        ingest(token).body(List.of(Map.of("id", outcome, "time", start.plusSeconds(7200).toString(), "user", a,
                "kind", "pr_merged"))).post("/api/v1/outcome-events").then().statusCode(202);
        assertDec("39.75", dec(summary(team, day, day), "costUsd"));
        assertEquals(2, summary(team, day, day).getInt("activeMembers"));

        JsonPath cursor = voidUsage(Map.of("user", a.toUpperCase(), "from", start.toString(), "to", end.toString(),
                "tool", "cursor", "reason", "a leaked key"));
        assertEquals(2, cursor.getInt("voided.events"));
        assertEquals("3.75", cursor.getString("voided.costUsd"));
        JsonPath afterCursor = summary(team, day, day);
        assertDec("36", dec(afterCursor, "costUsd"));
        assertDec("8", dec(summary(team, day.minusDays(1), day.minusDays(1)), "costUsd"));
        assertDec("16", dec(summary(team, day.plusDays(1), day.plusDays(1)), "costUsd"));

        // every tool of the range: a's last usage that day; the outcome keeps a active
        JsonPath all = voidUsage(Map.of("user", a, "from", start.toString(), "to", end.toString(), "reason",
                "a leaked key"));
        assertEquals(1, all.getInt("voided.events"));
        assertEquals("4.00", all.getString("voided.costUsd"));
        JsonPath afterAll = summary(team, day, day);
        assertDec("32", dec(afterAll, "costUsd"));
        assertEquals(2, afterAll.getInt("activeMembers"), "a shipped something that day");
        assertEquals(1, afterAll.getInt("outcomesTotal"));

        // voiding the outcome leaves a with nothing that day: no longer active then, still the days around it
        admin().body(Map.of("ids", List.of(outcome), "reason", "not ours")).post("/api/v1/outcome-events/void")
                .then().statusCode(200).body("voided.events", equalTo(1)).body("voided.costUsd", nullValue())
                .body("voidId", org.hamcrest.Matchers.notNullValue());
        JsonPath idle = summary(team, day, day);
        assertEquals(1, idle.getInt("activeMembers"));
        assertEquals(0, idle.getInt("outcomesTotal"));
        assertEquals(2, summary(team, day.minusDays(1), day.plusDays(1)).getInt("activeMembers"));
        assertEquals(0, Db.scalar(ds,
                "select count(*) from team_member_day_all where team_key = ? and day = ? and member_id = ?", team,
                day, memberId(a)));

        assertEquals(0, voidUsage(Map.of("user", a, "from", start.toString(), "to", end.toString(), "reason",
                "again")).getInt("voided.events"));
        assertDec("32", dec(summary(team, day, day), "costUsd"));
    }

    @Test
    void voidingOutcomesChangesCostPerItem() {
        String token = Api.ingestToken();
        String team = Api.team("void", "UTC");
        String a = Api.member(team);
        Instant t = Instant.now().minus(Duration.ofHours(1)).truncatedTo(java.time.temporal.ChronoUnit.MILLIS);
        LocalDate today = LocalDate.now(ZoneOffset.UTC);
        ingest(token).body(List.of(usage("oc-" + Api.unique(), a, t, "cursor", "gpt-5", "30", 1)))
                .post("/api/v1/usage-events").then().statusCode(202);
        String o1 = "oc-" + Api.unique(), o2 = "oc-" + Api.unique(), o3 = "oc-" + Api.unique();
        ingest(token).body(List.of(
                Map.of("id", o1, "time", t.toString(), "user", a, "kind", "pr_merged", "aiAssisted", true),
                Map.of("id", o2, "time", t.toString(), "user", a, "kind", "pr_merged", "aiAssisted", true),
                Map.of("id", o3, "time", t.toString(), "team", team, "kind", "deployment")))
                .post("/api/v1/outcome-events").then().statusCode(202).body("accepted", equalTo(3));
        JsonPath before = summary(team, today.minusDays(1), today);
        assertDec("10", dec(before, "costPerOutcomeUsd"));
        assertEquals(2, ledger.aiAssisted(team, today.minusDays(1), today));

        admin().body(Map.of("ids", List.of(o1, o3), "reason", "reverted")).post("/api/v1/outcome-events/void")
                .then().statusCode(200).body("voided.events", equalTo(2));
        JsonPath after = summary(team, today.minusDays(1), today);
        assertEquals(1, after.getInt("outcomesTotal"));
        assertEquals(1, after.getInt("outcomes.pr_merged"));
        assertEquals(0, after.getInt("outcomes.deployment"));
        assertDec("30", dec(after, "costPerOutcomeUsd"));
        assertDec("30", dec(after, "costUsd"));
        assertEquals(1, ledger.aiAssisted(team, today.minusDays(1), today));
        assertEquals(1, ledger.memberTotals(memberId(a), today.minusDays(1), today).outcomes());

        admin().body(Map.of("ids", List.of(o1, o3), "reason", "reverted")).post("/api/v1/outcome-events/void")
                .then().statusCode(200).body("voided.events", equalTo(0)).body("voidId", nullValue());
        ingest(token).body(List.of(Map.of("id", o1, "time", t.toString(), "user", a, "kind", "pr_merged")))
                .post("/api/v1/outcome-events").then().statusCode(202).body("duplicates", equalTo(1));
        assertEquals(1, summary(team, today.minusDays(1), today).getInt("outcomesTotal"));

        // by member and range: o2
        admin().body(Map.of("user", a, "from", t.minusSeconds(1).toString(), "to", t.plusSeconds(1).toString(),
                "reason", "reverted")).post("/api/v1/outcome-events/void").then().statusCode(200)
                .body("voided.events", equalTo(1));
        JsonPath none = summary(team, today.minusDays(1), today);
        assertEquals(0, none.getInt("outcomesTotal"));
        assertEquals(null, (Object) none.get("costPerOutcomeUsd"));
        assertEquals(1, none.getInt("activeMembers"), "a's usage that day stays");
        JsonPath listed = admin().get("/api/v1/voids").then().statusCode(200).extract().jsonPath();
        Map<String, Object> byMember = listed.getMap("[0]");
        assertEquals("outcome", byMember.get("kind"));
        assertEquals(Map.of("user", a, "from", t.minusSeconds(1).toString(), "to", t.plusSeconds(1).toString()),
                byMember.get("selector"));
        assertEquals(null, byMember.get("costUsd"));
    }

    @Test
    void badVoidRequestsAreProblems() {
        String team = Api.team("void", "UTC");
        String a = Api.member(team);
        String now = Instant.now().toString();
        String earlier = Instant.now().minusSeconds(60).toString();
        List<Map<String, Object>> bad = List.of(
                Map.of("ids", List.of("x"), "user", a, "from", earlier, "to", now, "reason", "r"),
                Map.of("reason", "r"),
                Map.of("ids", List.of("x")),
                Map.of("ids", List.of("x"), "reason", "   "),
                Map.of("ids", List.of("x"), "reason", "r".repeat(501)),
                Map.of("ids", List.of(), "reason", "r"),
                Map.of("ids", List.of("x".repeat(129)), "reason", "r"),
                Map.of("user", a, "from", now, "to", earlier, "reason", "r"),
                Map.of("user", a, "from", now, "to", now, "reason", "r"),
                Map.of("user", a, "from", "yesterday", "to", now, "reason", "r"),
                Map.of("user", a, "from", "-999999999-01-01T00:00:00Z", "to", now, "reason", "r"),
                Map.of("user", a, "from", earlier, "to", "+999999999-12-31T23:59:59Z", "reason", "r"),
                Map.of("ids", List.of("x\u0000y"), "reason", "r"),
                Map.of("ids", List.of("x"), "reason", "r\u0000"),
                Map.of("user", a, "from", earlier, "reason", "r"),
                Map.of("user", a, "from", earlier, "to", now, "tool", "notepad", "reason", "r"),
                Map.of("ids", List.of("x"), "reason", "r", "dryRun", true));
        for (Map<String, Object> body : bad) {
            admin().body(body).post("/api/v1/usage-events/void").then().statusCode(400)
                    .contentType("application/problem+json");
        }
        List<String> tooMany = new ArrayList<>();
        for (int i = 0; i <= 10_000; i++) {
            tooMany.add("id-" + i);
        }
        admin().body(Map.of("ids", tooMany, "reason", "r")).post("/api/v1/usage-events/void").then().statusCode(400)
                .body("detail", containsString("10000"));
        admin().body(Map.of("user", a, "from", earlier, "to", now, "tool", "cursor", "reason", "r"))
                .post("/api/v1/outcome-events/void").then().statusCode(400).body("detail", containsString("tool"));
        admin().body(Map.of("user", "nobody-" + Api.unique() + "@example.com", "from", earlier, "to", now, "reason",
                "r")).post("/api/v1/usage-events/void").then().statusCode(404)
                .contentType("application/problem+json");
        admin().post("/api/v1/usage-events/void").then().statusCode(400);
        RestAssured.given().contentType("application/json").body(Map.of("ids", List.of("x"), "reason", "r"))
                .post("/api/v1/usage-events/void").then().statusCode(401);
        // an ingest token is not enough
        Api.ingest(Api.ingestToken()).body(Map.of("ids", List.of("x"), "reason", "r"))
                .post("/api/v1/usage-events/void").then().statusCode(401);
    }
}
