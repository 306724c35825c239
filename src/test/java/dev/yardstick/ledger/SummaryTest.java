package dev.yardstick.ledger;

import static dev.yardstick.Api.admin;
import static dev.yardstick.Api.ingest;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.nullValue;

import dev.yardstick.Api;
import io.quarkus.test.junit.QuarkusTest;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

@QuarkusTest
class SummaryTest {

    private static Map<String, Object> usage(String user, Instant time, String tool, String model, double cost) {
        return Map.ofEntries(Map.entry("id", "sum-" + Api.unique()), Map.entry("time", time.toString()),
                Map.entry("user", user), Map.entry("tool", tool), Map.entry("model", model),
                Map.entry("inputTokens", 100), Map.entry("outputTokens", 10), Map.entry("cacheReadTokens", 1000),
                Map.entry("cacheWriteTokens", 1), Map.entry("costUsd", cost), Map.entry("requests", 2));
    }

    private static String summary(String team, LocalDate from, LocalDate to) {
        return "/api/v1/teams/" + team + "/summary?from=" + from + "&to=" + to;
    }

    @Test
    void daysFollowTheTeamsTimezone() {
        assertBoundaries("Asia/Tokyo");
        assertBoundaries("America/Los_Angeles");
    }

    private void assertBoundaries(String zone) {
        String token = Api.ingestToken();
        String team = Api.team("tz", zone);
        String user = Api.member(team);
        ZoneId tz = ZoneId.of(zone);
        LocalDate day = LocalDate.now(tz).minusDays(3);
        Instant midnight = day.atStartOfDay(tz).toInstant();
        ingest(token).body(List.of(
                usage(user, midnight.minusSeconds(1), "cursor", "gpt-5", 1.00),
                usage(user, midnight, "cursor", "gpt-5", 2.00),
                usage(user, day.plusDays(1).atStartOfDay(tz).toInstant().minusMillis(1), "cursor", "gpt-5", 4.00),
                usage(user, day.plusDays(1).atStartOfDay(tz).toInstant(), "cursor", "gpt-5", 8.00)))
                .post("/api/v1/usage-events").then().statusCode(202).body("accepted", equalTo(4));
        admin().get(summary(team, day, day)).then().statusCode(200).body("costUsd", equalTo(6.0f));
        admin().get(summary(team, day.minusDays(1), day.minusDays(1))).then().body("costUsd", equalTo(1.0f));
        admin().get(summary(team, day.plusDays(1), day.plusDays(1))).then().body("costUsd", equalTo(8.0f));
        admin().get(summary(team, day.minusDays(1), day.plusDays(1))).then().body("costUsd", equalTo(15.0f));
    }

    @Test
    void summaryAddsUpUsageAndOutcomesWithoutNamingAnyone() {
        String token = Api.ingestToken();
        String team = Api.team("sum", "Europe/Berlin");
        String a = Api.member(team);
        String b = Api.member(team);
        String idle = Api.member(team);
        Instant t = Instant.now().minusSeconds(3600);
        ingest(token).body(List.of(
                usage(a, t, "claude-code", "claude-opus-4-1", 10.0),
                usage(a, t, "claude-code", "claude-sonnet-4-5", 2.0),
                usage(b, t, "cursor", "claude-sonnet-4-5", 3.0)))
                .post("/api/v1/usage-events").then().statusCode(202).body("accepted", equalTo(3));
        ingest(token).body(List.of(
                Map.of("id", "o-" + Api.unique(), "time", t.toString(), "user", a, "kind", "pr_merged",
                        "aiAssisted", true, "title", "Add retries", "url", "https://github.com/x/y/pull/1"),
                Map.of("id", "o-" + Api.unique(), "time", t.toString(), "user", b, "kind", "pr_merged"),
                Map.of("id", "o-" + Api.unique(), "time", t.toString(), "team", team, "kind", "deployment"),
                Map.of("id", "o-" + Api.unique(), "time", t.toString(), "user", idle, "kind", "ticket_resolved")))
                .post("/api/v1/outcome-events").then().statusCode(202).body("accepted", equalTo(4));
        LocalDate today = LocalDate.now(ZoneId.of("Europe/Berlin"));
        String body = admin().get(summary(team, today.minusDays(1), today)).then().statusCode(200)
                .body("team", equalTo(team))
                .body("costUsd", equalTo(15.0f))
                .body("tokens.input", equalTo(300))
                .body("tokens.output", equalTo(30))
                .body("tokens.cacheRead", equalTo(3000))
                .body("tokens.cacheWrite", equalTo(3))
                .body("requests", equalTo(6))
                .body("outcomes.pr_merged", equalTo(2))
                .body("outcomes.deployment", equalTo(1))
                .body("outcomes.ticket_resolved", equalTo(1))
                .body("outcomes.incident_resolved", equalTo(0))
                .body("outcomesTotal", equalTo(4))
                .body("costPerOutcomeUsd", equalTo(3.75f))
                .body("byTool[0].tool", equalTo("claude-code"))
                .body("byTool[0].costUsd", equalTo(12.0f))
                .body("byTool[1].costUsd", equalTo(3.0f))
                .body("byModel[0].model", equalTo("claude-opus-4-1"))
                .body("byModel[1].costUsd", equalTo(5.0f))
                .body("byModel[1].tokens", equalTo(2222))
                .body("activeMembers", equalTo(3))
                .body("unpricedEvents", equalTo(0))
                .extract().asString();
        for (String email : List.of(a, b, idle)) {
            org.junit.jupiter.api.Assertions.assertFalse(body.contains(email), "summary must not name members");
        }
        admin().get(summary(team, today.minusDays(30), today.minusDays(20))).then().statusCode(200)
                .body("costUsd", equalTo(0f)).body("costPerOutcomeUsd", nullValue()).body("activeMembers", equalTo(0));
    }

    @Test
    void summaryParametersAreChecked() {
        String team = Api.team("params", "UTC");
        admin().get("/api/v1/teams/" + team + "/summary?from=2026-01-01").then().statusCode(400)
                .body("detail", containsString("'to'"));
        admin().get("/api/v1/teams/" + team + "/summary?from=2026-13-01&to=2026-01-02").then().statusCode(400);
        admin().get("/api/v1/teams/" + team + "/summary?from=2026-02-01&to=2026-01-02").then().statusCode(400);
        admin().get("/api/v1/teams/nobody/summary?from=2026-01-01&to=2026-01-02").then().statusCode(404);
        io.restassured.RestAssured.given().get("/api/v1/teams/" + team + "/summary?from=2026-01-01&to=2026-01-02")
                .then().statusCode(401);
    }
}
