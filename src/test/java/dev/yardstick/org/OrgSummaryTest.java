package dev.yardstick.org;

import static dev.yardstick.Api.admin;
import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.yardstick.Api;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import io.restassured.specification.RequestSpecification;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

@QuarkusTest
class OrgSummaryTest {

    private static final LocalDate TODAY = LocalDate.now(ZoneOffset.UTC);
    private static final String RANGE = "?from=" + TODAY.minusDays(13) + "&to=" + TODAY.plusDays(1);

    private static RequestSpecification reader() {
        return given().header("Authorization", "Bearer test-reader-token");
    }

    private static void usage(String token, String user, String cost) {
        Api.ingest(token).body(Map.of("id", "org-" + Api.unique(), "time", Instant.now().toString(), "user", user,
                "tool", "codex", "model", "gpt-5.4", "costUsd", new BigDecimal(cost)))
                .post("/api/v1/usage-events").then().statusCode(202);
    }

    private static void shipped(String token, String user) {
        Api.ingest(token).body(Map.of("id", "org-pr-" + Api.unique(), "time", Instant.now().toString(), "user", user,
                "kind", "pr_merged")).post("/api/v1/outcome-events").then().statusCode(202);
    }

    private static Map<String, Object> line(JsonPath body, String team) {
        return body.getMap("teams.find { it.team == '" + team + "' }");
    }

    @Test
    void everyTeamsTotalsAndTheOrganisationsWithoutAPersonInThem() {
        JsonPath before = admin().get("/api/v1/org/summary" + RANGE).then().statusCode(200).extract().jsonPath();
        String a = Api.team("org-a", "UTC"); // weekly budget 500
        String b = Api.team("org-b", "UTC");
        String token = Api.ingestToken();
        String ana = Api.member(a), bo = Api.member(a), cy = Api.member(b);
        usage(token, ana, "10.25");
        usage(token, bo, "4.75");
        usage(token, cy, "3");
        shipped(token, ana);
        shipped(token, cy);
        shipped(token, cy);

        String json = admin().get("/api/v1/org/summary" + RANGE).then().statusCode(200)
                .contentType("application/json").extract().asString();
        JsonPath after = JsonPath.from(json);
        Map<String, Object> la = line(after, a), lb = line(after, b);
        assertEquals(0, new BigDecimal(la.get("costUsd").toString()).compareTo(new BigDecimal("15")));
        assertEquals(2, ((Number) la.get("activeMembers")).intValue());
        assertEquals(1, ((Number) la.get("outcomesTotal")).intValue());
        assertEquals(0, new BigDecimal(la.get("costPerOutcomeUsd").toString()).compareTo(new BigDecimal("15")));
        // 15 days of a 500-a-week budget
        assertEquals(0, new BigDecimal(la.get("budgetUsd").toString()).compareTo(new BigDecimal("1071.43")));
        assertEquals(0, new BigDecimal(lb.get("costPerOutcomeUsd").toString()).compareTo(new BigDecimal("1.5")));
        // the whole moved by exactly what was sent
        BigDecimal costDelta = after.getObject("total.costUsd", BigDecimal.class)
                .subtract(before.getObject("total.costUsd", BigDecimal.class));
        assertEquals(0, costDelta.compareTo(new BigDecimal("18")));
        assertEquals(3, after.getLong("total.outcomesTotal") - before.getLong("total.outcomesTotal"));
        assertEquals(3, after.getLong("total.activeMembers") - before.getLong("total.activeMembers"));
        for (String person : List.of(ana, bo, cy)) {
            assertFalse(json.contains(person), "the organisation view names " + person);
        }

        String csv = reader().accept("text/csv").get("/api/v1/org/summary" + RANGE).then().statusCode(200)
                .contentType("text/csv").extract().asString();
        List<String> rows = csv.lines().toList();
        assertEquals("team,name,costUsd,budgetUsd,outcomesTotal,costPerOutcomeUsd,activeMembers", rows.get(0));
        assertTrue(rows.contains(a + ",Team " + a + ",15.000000,1071.43,1,15.0000,2"), csv);
        assertTrue(rows.get(rows.size() - 1).startsWith("total,Organisation,"), csv);
    }

    @Test
    void aTeamNameIsQuotedAndNeverRunAsAFormula() {
        assertEquals("\"'=HYPERLINK(\"\"x\"\"),1\"", OrgSummaryResource.cell("=HYPERLINK(\"x\"),1"));
        assertEquals("Payments", OrgSummaryResource.cell("Payments"));
        assertEquals("-1.5", OrgSummaryResource.cell(new BigDecimal("-1.5")));
        assertEquals("", OrgSummaryResource.cell(null));
    }

    @Test
    void theReaderTokenReadsTeamFiguresAndNothingElse() {
        String team = Api.team("org-r", "UTC");
        String member = Api.member(team);
        reader().get("/api/v1/org/summary" + RANGE).then().statusCode(200);
        reader().get("/api/v1/teams/" + team + "/summary" + RANGE).then().statusCode(200);
        reader().get("/api/v1/teams/" + team + "/digest").then().statusCode(200);
        // nothing that names a person, and no changes
        reader().get("/api/v1/members/" + member).then().statusCode(401).contentType("application/problem+json");
        reader().get("/api/v1/teams/" + team).then().statusCode(401);
        reader().get("/api/v1/teams").then().statusCode(401);
        reader().get("/api/v1/teams/" + team + "/digests").then().statusCode(401);
        reader().get("/api/v1/ingest-tokens").then().statusCode(401);
        reader().post("/api/v1/teams/" + team + "/digest/send").then().statusCode(401);
        reader().contentType("application/json").body(Map.of("name", "x")).put("/api/v1/teams/" + team).then()
                .statusCode(401);
        reader().contentType("application/json").body(Map.of("name", "x")).post("/api/v1/ingest-tokens").then()
                .statusCode(401);
        given().get("/api/v1/org/summary" + RANGE).then().statusCode(401);
        given().header("Authorization", "Bearer wrong").get("/api/v1/org/summary" + RANGE).then().statusCode(401);
    }

    @Test
    void aRangeIsRequiredAndInOrder() {
        admin().get("/api/v1/org/summary").then().statusCode(400).contentType("application/problem+json");
        admin().get("/api/v1/org/summary?from=2026-02-02&to=2026-02-01").then().statusCode(400);
    }
}
