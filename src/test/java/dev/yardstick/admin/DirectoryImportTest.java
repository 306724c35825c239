package dev.yardstick.admin;

import static dev.yardstick.Api.admin;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.yardstick.Api;
import dev.yardstick.Db;
import dev.yardstick.chat.slack.FakeSlackResource;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import jakarta.inject.Inject;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;

/** {@code POST /api/v1/directory/import} and {@code GET /api/v1/members}. */
@QuarkusTest
@WithTestResource(value = FakeSlackResource.class, scope = TestResourceScope.GLOBAL)
class DirectoryImportTest {

    private static final String HEADER = "email,displayName,team,slackUserId,teamsUserId,githubLogin,manager\n";

    @Inject
    DataSource ds;

    private static Response csv(String body, boolean dryRun) {
        return given().header("Authorization", "Bearer " + Api.ADMIN_TOKEN).contentType("text/csv; charset=utf-8")
                .body(body.getBytes(java.nio.charset.StandardCharsets.UTF_8))
                .post("/api/v1/directory/import" + (dryRun ? "?dryRun=true" : ""));
    }

    private static String slackId() {
        return "U" + Api.unique().toUpperCase();
    }

    private static String guid() {
        return java.util.UUID.randomUUID().toString();
    }

    @Test
    void csvAddsAndUpdatesWithQuotedFieldsAndManagers() {
        String u = Api.unique();
        String existing = "imp-" + u;
        admin().body(Map.of("name", "Existing", "managers", List.of("mia-" + u + "@example.com",
                "ken-" + u + "@example.com"))).put("/api/v1/teams/" + existing).then().statusCode(201);
        String bob = "bob-" + u + "@example.com";
        String mia = "mia-" + u + "@example.com";
        String ken = "ken-" + u + "@example.com";
        String zoe = "zoe-" + u + "@example.com";
        admin().body(Map.of("displayName", "Bob Old", "team", existing)).put("/api/v1/members/" + bob).then()
                .statusCode(201);
        admin().body(Map.of("displayName", "Mia", "team", existing)).put("/api/v1/members/" + mia).then()
                .statusCode(201);
        admin().body(Map.of("displayName", "Ken", "team", existing)).put("/api/v1/members/" + ken).then()
                .statusCode(201);
        admin().body(Map.of("displayName", "Zoe")).put("/api/v1/members/" + zoe).then().statusCode(201);
        String fresh = "imp-new-" + u;
        String jane = "Jane-" + u + "@Example.com";
        String slack = slackId();
        String teamsId = guid();
        String csv = HEADER
                + jane + ",\"Doe, Jane\"," + fresh + "," + slack + "," + teamsId + ",jane-" + u + ",true\n"
                + bob + ",\"Smith, \"\"Bob\"\"\"," + existing + ",,,,\n"
                + mia + ",Mia," + existing + ",,,,\n"
                + ken + ",,,,,,false\n"
                + "\n"
                + zoe + ",,,,,,\n";

        csv(csv, false).then().statusCode(200)
                .body("created", equalTo(1)).body("updated", equalTo(2)).body("unchanged", equalTo(2))
                .body("teamsCreated", equalTo(1)).body("dryRun", equalTo(false));

        String janeEmail = jane.toLowerCase(java.util.Locale.ROOT);
        admin().get("/api/v1/members/" + janeEmail).then().statusCode(200)
                .body("displayName", equalTo("Doe, Jane")).body("team", equalTo(fresh))
                .body("slackUserId", equalTo(slack)).body("teamsUserId", equalTo(teamsId))
                .body("githubLogin", equalTo("jane-" + u));
        admin().get("/api/v1/teams/" + fresh).then().statusCode(200).body("name", equalTo(fresh))
                .body("managers", equalTo(List.of(janeEmail)));
        admin().get("/api/v1/members/" + bob).then().body("displayName", equalTo("Smith, \"Bob\""))
                .body("team", equalTo(existing));
        // manager empty leaves Mia a manager; false removes Ken, whose team stays
        admin().get("/api/v1/teams/" + existing).then().body("managers", equalTo(List.of(mia)));
        // the import's changes to teams are in their audit: a team created with its manager, a manager removed
        admin().get("/api/v1/teams/" + fresh + "/audit").then().statusCode(200).body("size()", equalTo(1))
                .body("[0].via", equalTo("import")).body("[0].by", equalTo("api:admin"))
                .body("[0].changes.find { it.field == 'status' }.to", equalTo("active"))
                .body("[0].changes.find { it.field == 'managers' }.to", equalTo(janeEmail));
        admin().get("/api/v1/teams/" + existing + "/audit").then().statusCode(200)
                .body("[0].via", equalTo("import"))
                .body("[0].changes.find { it.field == 'managers' }.to", equalTo(mia));
        admin().get("/api/v1/members/" + ken).then().body("team", equalTo(existing))
                .body("displayName", equalTo("Ken"));
        admin().get("/api/v1/members/" + zoe).then().body("displayName", equalTo("Zoe")).body("team", nullValue());

        // the same file again changes nothing
        csv(csv, false).then().statusCode(200)
                .body("created", equalTo(0)).body("updated", equalTo(0)).body("unchanged", equalTo(5))
                .body("teamsCreated", equalTo(0));
    }

    @Test
    void jsonArrayImportsTheSameFields() {
        String u = Api.unique();
        String team = "json-" + u;
        String ana = "ana-" + u + "@example.com";
        String ben = "ben-" + u + "@example.com";
        Map<String, Object> anaRow = new HashMap<>();
        anaRow.put("email", ana);
        anaRow.put("displayName", "Ana");
        anaRow.put("team", team);
        anaRow.put("manager", true);
        anaRow.put("slackUserId", null);
        Map<String, Object> benRow = Map.of("email", ben, "team", team, "githubLogin", "ben-" + u, "manager", "");
        admin().body(List.of(anaRow, benRow)).post("/api/v1/directory/import").then().statusCode(200)
                .body("created", equalTo(2)).body("updated", equalTo(0)).body("teamsCreated", equalTo(1));
        admin().get("/api/v1/teams/" + team).then().body("managers", equalTo(List.of(ana)));
        admin().get("/api/v1/members/" + ben).then().body("githubLogin", equalTo("ben-" + u))
                .body("team", equalTo(team));

        // a JSON element's line counts as if a header were line 1: element 0 is line 2
        admin().body(List.of(Map.of("email", "ok-" + u + "@example.com"), Map.of("email", "nope", "colour", "x"),
                Map.of("email", "x-" + u + "@example.com", "manager", 3)))
                .post("/api/v1/directory/import").then().statusCode(400)
                .contentType("application/problem+json")
                .body("errors.line", equalTo(List.of(3, 4)))
                .body("errors[0].error", equalTo("unknown field 'colour'"))
                .body("errors[1].error", equalTo("manager must be true, false or null"));
        admin().get("/api/v1/members/ok-" + u + "@example.com").then().statusCode(404);
        admin().body(Map.of("email", ana)).post("/api/v1/directory/import").then().statusCode(400)
                .body("detail", containsString("JSON array"));
    }

    @Test
    void aFileWithBadRowsListsEveryOneAndChangesNothing() {
        String u = Api.unique();
        String team = "bad-" + u;
        String taken = slackId();
        admin().body(Map.of("displayName", "Holder", "slackUserId", taken))
                .put("/api/v1/members/holder-" + u + "@example.com").then().statusCode(201);
        String good = "good-" + u + "@example.com";
        String csv = HEADER
                + good + ",Good," + team + ",,,,true\n" // line 2: fine on its own
                + "not-an-email,,,,,,\n" // 3
                + "c-" + u + "@example.com,,Bad_Key,,,,\n" // 4
                + "d-" + u + "@example.com,,,,,,yes\n" // 5
                + "e-" + u + "@example.com,,,,,,true\n" // 6: manager without a team
                + good + ",Again,,,,,\n" // 7: the same email again
                + "f-" + u + "@example.com,,,\"" + taken + "\",,,\n" // 8: someone else's Slack id
                + "g-" + u + "@example.com,,,,not-a-guid,,\n" // 9
                + ",No email,,,,,\n" // 10
                + "h-" + u + "@example.com,,,,,\n"; // 11: a field short
        csv(csv, false).then().statusCode(400).contentType("application/problem+json")
                .body("detail", equalTo("9 rows are not valid; nothing was changed."))
                .body("errors.line", equalTo(List.of(3, 4, 5, 6, 7, 8, 9, 10, 11)))
                .body("errors[0].error", equalTo("'not-an-email' is not an email address."))
                .body("errors[1].error", equalTo("Team key must match [a-z0-9-]{1,64}."))
                .body("errors[2].error", equalTo("manager must be true, false or empty"))
                .body("errors[3].error", containsString("manager true needs a team"))
                .body("errors[4].error", containsString("first on line 2"))
                .body("errors[5].error", equalTo("slackUserId '" + taken + "' already belongs to another member."))
                .body("errors[6].error", equalTo("teamsUserId must be a Microsoft Entra object id (a GUID)"))
                .body("errors[7].error", equalTo("email is required"))
                .body("errors[8].error", equalTo("has 6 fields; the header has 7"));
        admin().get("/api/v1/members/" + good).then().statusCode(404);
        admin().get("/api/v1/teams/" + team).then().statusCode(404);

        csv("email,name\nx@example.com,X\n", false).then().statusCode(400)
                .body("errors[0].line", equalTo(1)).body("errors[0].error", containsString("unknown column 'name'"));
        csv(HEADER + "a-" + u + "@example.com,\"never closed\n", false).then().statusCode(400)
                .body("errors[0].line", equalTo(2)).body("errors[0].error", containsString("not valid CSV"));
        given().header("Authorization", "Bearer " + Api.ADMIN_TOKEN).contentType("text/plain").body("x")
                .post("/api/v1/directory/import").then().statusCode(415)
                .contentType("application/problem+json");
        given().contentType("text/csv").body(HEADER).post("/api/v1/directory/import").then().statusCode(401);
    }

    @Test
    void dryRunAnswersWithoutChanging() {
        String u = Api.unique();
        String team = "dry-" + u;
        String known = "known-" + u + "@example.com";
        admin().body(Map.of("displayName", "Known")).put("/api/v1/members/" + known).then().statusCode(201);
        String csv = HEADER + "new-" + u + "@example.com,New," + team + ",,,,true\n" + known + ",Renamed,,,,,\n";
        csv(csv, true).then().statusCode(200).body("created", equalTo(1)).body("updated", equalTo(1))
                .body("unchanged", equalTo(0)).body("teamsCreated", equalTo(1)).body("dryRun", equalTo(true));
        admin().get("/api/v1/members/new-" + u + "@example.com").then().statusCode(404);
        admin().get("/api/v1/teams/" + team).then().statusCode(404);
        admin().get("/api/v1/members/" + known).then().body("displayName", equalTo("Known"));
        csv(csv, false).then().statusCode(200).body("created", equalTo(1)).body("updated", equalTo(1));
        admin().get("/api/v1/members/" + known).then().body("displayName", equalTo("Renamed"));
    }

    @Test
    void chatIdsMayChangeHandsWithinOneFile() {
        String u = Api.unique();
        String a = "a-" + u + "@example.com";
        String b = "b-" + u + "@example.com";
        String s1 = slackId();
        String s2 = slackId();
        admin().body(Map.of("slackUserId", s1)).put("/api/v1/members/" + a).then().statusCode(201);
        admin().body(Map.of("slackUserId", s2)).put("/api/v1/members/" + b).then().statusCode(201);
        csv(HEADER + a + ",,," + s2 + ",,,\n" + b + ",,," + s1 + ",,,\n", false).then().statusCode(200)
                .body("updated", equalTo(2));
        admin().get("/api/v1/members/" + a).then().body("slackUserId", equalTo(s2));
        admin().get("/api/v1/members/" + b).then().body("slackUserId", equalTo(s1));
    }

    @Test
    void membersAreListedByPageTeamAndSearch() {
        String u = Api.unique();
        String team = "list-" + u;
        StringBuilder csv = new StringBuilder(HEADER);
        List<String> emails = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            String email = "p" + i + "-" + u + "@example.com";
            emails.add(email);
            csv.append(email).append(",Person ").append(i == 3 ? "Needle" : "Plain").append(",").append(team)
                    .append(",,,,\n");
        }
        csv(csv.toString(), false).then().statusCode(200).body("created", equalTo(5));

        admin().get("/api/v1/members?team=" + team).then().statusCode(200)
                .body("total", equalTo(5)).body("page", equalTo(1)).body("size", equalTo(50))
                .body("members.email", equalTo(emails))
                .body("members[0].team", equalTo(team))
                .body("members[0]", not(org.hamcrest.Matchers.hasKey("costUsd")));
        admin().get("/api/v1/members?team=" + team + "&size=2&page=3").then().statusCode(200)
                .body("total", equalTo(5)).body("members.email", equalTo(List.of(emails.get(4))));
        admin().get("/api/v1/members?team=" + team + "&size=2&page=9").then().body("members", equalTo(List.of()))
                .body("total", equalTo(5));
        admin().get("/api/v1/members?q=NEEDLE&team=" + team).then().body("total", equalTo(1))
                .body("members[0].email", equalTo(emails.get(3)));
        admin().get("/api/v1/members?q=p2-" + u).then().body("total", equalTo(1))
                .body("members[0].email", equalTo(emails.get(2)));
        admin().get("/api/v1/members?q=%25").then().statusCode(200); // a LIKE wildcard is just a character
        admin().get("/api/v1/members?size=501").then().statusCode(400).body("detail", containsString("1 to 500"));
        admin().get("/api/v1/members?page=0").then().statusCode(400);
        admin().get("/api/v1/members?team=no-such-" + u).then().statusCode(404);

        // usage without a team: the person appears under unassigned, with when they were last seen
        String token = Api.ingestToken();
        String stray = "stray-" + u + "@example.com";
        Instant t = Instant.now().minusSeconds(120);
        Api.ingest(token).body(List.of(Map.of("id", "u-" + Api.unique(), "time", t.toString(), "user", stray,
                "tool", "cursor", "model", "gpt-5", "inputTokens", 10, "costUsd", 0.5)))
                .post("/api/v1/usage-events").then().statusCode(202).body("accepted", equalTo(1));
        admin().get("/api/v1/members?team=unassigned&q=" + stray).then().statusCode(200)
                .body("total", equalTo(1)).body("members[0].email", equalTo(stray))
                .body("members[0].team", nullValue()).body("members[0].lastSeenAt", notNullValue());
        assertEquals(t.getEpochSecond(), Instant.parse(admin().get("/api/v1/members/" + stray)
                .then().extract().<String>path("lastSeenAt")).getEpochSecond());
        admin().get("/api/v1/members?team=unassigned").then().body("members.email", not(hasItem(emails.get(0))));
        assertEquals(1, Db.scalar(ds, "select count(*) from member where email = ?", stray));
    }
}
