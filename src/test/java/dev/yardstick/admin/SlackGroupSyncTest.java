package dev.yardstick.admin;

import static dev.yardstick.Api.admin;
import static dev.yardstick.Api.ingest;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.yardstick.Api;
import dev.yardstick.Db;
import dev.yardstick.chat.slack.FakeSlack;
import dev.yardstick.chat.slack.FakeSlackResource;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Teams kept in step with Slack user groups ({@link SlackGroupSync}), against the fake Slack's
 * {@code usergroups.users.list} and {@code users.info}; the job is run directly.
 */
@QuarkusTest
@WithTestResource(value = FakeSlackResource.class, scope = TestResourceScope.GLOBAL)
class SlackGroupSyncTest {

    @Inject
    DataSource ds;
    @Inject
    SlackGroupSync sync;

    FakeSlack slack = FakeSlackResource.fake();
    List<String> linked = new ArrayList<>();

    @BeforeEach
    void setUp() {
        slack.reset();
    }

    /** Unlinks this test's teams, so later runs (and other tests) do not read their groups. */
    @AfterEach
    void unlink() {
        for (String team : linked) {
            Db.update(ds, "update team set slack_usergroup_id = null where key = ?", team);
        }
    }

    private static String slackId(String prefix) {
        return prefix + Api.unique().toUpperCase();
    }

    private String linkedTeam(String prefix, String group) {
        String key = prefix + "-" + Api.unique();
        admin().body(Map.of("name", "Team " + key, "slackUsergroupId", group)).put("/api/v1/teams/" + key).then()
                .statusCode(201).body("slackUsergroupId", equalTo(group));
        linked.add(key);
        return key;
    }

    private static Map<String, Object> member(String email) {
        return admin().get("/api/v1/members/" + email).then().statusCode(200).extract().jsonPath().getMap("");
    }

    /** The run's entries about these people only (other tests' people may appear too). */
    private static List<Map<String, Object>> about(List<Map<String, Object>> entries, String... emails) {
        List<String> wanted = List.of(emails);
        return entries.stream().filter(e -> wanted.contains(e.get("email"))).toList();
    }

    private static Map<String, Object> entry(String... kv) {
        Map<String, Object> m = new HashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put(kv[i], kv[i + 1]);
        }
        return m;
    }

    private static io.restassured.path.json.JsonPath syncView() {
        return admin().get("/api/v1/directory/sync").then().statusCode(200).extract().jsonPath();
    }

    @Test
    void groupMembersBecomeTeamMembersAndOnlyUnknownPeopleAreLookedUp() {
        String u = Api.unique();
        String group = slackId("S");
        String team = linkedTeam("grp", group);
        String other = Api.team("other", "UTC");
        // new to Yardstick: created from users.info
        String ana = "ana-" + u + "@example.com";
        String anaSlack = slackId("U");
        slack.user(anaSlack, ana, "Ana Lopez " + u);
        // known by email only, in no team: linked to the Slack user and added
        String bo = "bo-" + u + "@example.com";
        String boSlack = slackId("U");
        admin().body(Map.of("displayName", "Bo")).put("/api/v1/members/" + bo).then().statusCode(201);
        slack.user(boSlack, "Bo-" + u + "@Example.com", "Bo Berg");
        // already linked, in another team: moved without a users.info call
        String cy = "cy-" + u + "@example.com";
        String cySlack = slackId("U");
        admin().body(Map.of("displayName", "Cy", "team", other, "slackUserId", cySlack)).put("/api/v1/members/" + cy)
                .then().statusCode(201);
        slack.usergroup(group, anaSlack, boSlack, cySlack);

        DirectorySyncRuns.Run run = sync.sync();

        assertEquals(List.of(new DirectorySyncRuns.Added(ana, team), new DirectorySyncRuns.Added(bo, team)),
                run.added().stream().filter(a -> a.to().equals(team)).toList());
        assertTrue(run.moved().contains(new DirectorySyncRuns.Moved(cy, other, team)), run.toString());
        Map<String, Object> created = member(ana);
        assertEquals(team, created.get("team"));
        assertEquals("Ana Lopez " + u, created.get("displayName"));
        assertEquals(anaSlack, created.get("slackUserId"));
        assertEquals("T0001", Db.string(ds, "select slack_team_id from member where email = ?", ana));
        assertEquals(boSlack, member(bo).get("slackUserId"));
        assertEquals("Bo", member(bo).get("displayName"), "a name already set is kept");
        assertEquals(team, member(cy).get("team"));
        assertEquals(1, slack.calls("usergroups.users.list", c -> group.equals(c.param("usergroup"))).size());
        assertEquals(new java.util.TreeSet<>(List.of(anaSlack, boSlack)), new java.util.TreeSet<>(
                slack.calls("users.info").stream().map(c -> c.param("user")).toList()),
                "users.info only for the Slack users no member is linked to");
        admin().get("/api/v1/members?team=" + team).then().body("total", equalTo(3));

        // the next run changes nothing and asks Slack about nobody: everyone is linked now
        slack.reset();
        DirectorySyncRuns.Run again = sync.sync();
        assertTrue(again.added().stream().noneMatch(a -> a.to().equals(team)), again.toString());
        assertTrue(again.moved().stream().noneMatch(m -> team.equals(m.to()) || team.equals(m.from())));
        assertTrue(again.removed().stream().noneMatch(r -> r.from().equals(team)));
        assertTrue(slack.calls("users.info").isEmpty(), "no users.info for people already linked");
    }

    @Test
    void peopleFollowTheirGroupBetweenTeamsAndOutOfThemWithTheirHistory() {
        String u = Api.unique();
        String groupA = slackId("S");
        String groupB = slackId("S");
        String a = linkedTeam("aa", groupA);
        String b = linkedTeam("bb", groupB);
        String dee = "dee-" + u + "@example.com";
        String deeSlack = slackId("U");
        String eli = "eli-" + u + "@example.com";
        String eliSlack = slackId("U");
        String fay = "fay-" + u + "@example.com";
        String faySlack = slackId("U");
        slack.user(deeSlack, dee, "Dee");
        slack.user(eliSlack, eli, "Eli");
        slack.user(faySlack, fay, "Fay");
        slack.usergroup(groupA, deeSlack, eliSlack);
        slack.usergroup(groupB, faySlack);
        sync.sync();
        assertEquals(a, member(dee).get("team"));
        assertEquals(a, member(eli).get("team"));
        assertEquals(b, member(fay).get("team"));

        // Eli spends while in team a
        LocalDate yesterday = LocalDate.now(ZoneOffset.UTC).minusDays(1);
        ingest(Api.ingestToken()).body(List.of(Map.of("id", "sync-" + u, "time",
                yesterday.atTime(12, 0).toInstant(ZoneOffset.UTC).toString(), "user", eli, "tool", "cursor",
                "model", "gpt-5", "costUsd", 3.25))).post("/api/v1/usage-events").then().statusCode(202)
                .body("accepted", equalTo(1));
        String summary = "/api/v1/teams/" + a + "/summary?from=" + yesterday + "&to=" + yesterday;
        String before = admin().get(summary).then().statusCode(200).extract().asString();
        assertTrue(before.contains("3.25"), before);

        // Dee moves from group a to group b; Eli leaves group a; Fay is in both groups now
        slack.usergroup(groupA, faySlack);
        slack.usergroup(groupB, deeSlack, faySlack);
        DirectorySyncRuns.Run run = sync.sync();

        String first = a.compareTo(b) < 0 ? a : b;
        assertEquals(List.of(entry("email", dee, "from", a, "to", b)), about(syncView().getList("lastRun.moved"), dee));
        assertEquals(List.of(entry("email", eli, "from", a)), about(syncView().getList("lastRun.removed"), eli));
        assertEquals(b, member(dee).get("team"));
        Map<String, Object> gone = member(eli);
        assertEquals(null, gone.get("team"));
        assertEquals(null, gone.get("leftAt"), "out of the team, not a leaver");
        assertEquals(eliSlack, gone.get("slackUserId"));
        assertEquals(before, admin().get(summary).then().statusCode(200).extract().asString(),
                "the team's history keeps what Eli spent while in it");
        assertEquals(first, member(fay).get("team"), "in two groups: the team with the lowest key");
        assertTrue(run.errors().contains(fay + " is in the user groups of teams " + (first.equals(a)
                ? a + ", " + b
                : b + ", " + a) + "; kept in " + first + "."), run.errors().toString());

        // someone who left comes back when their group has them again
        admin().delete("/api/v1/members/" + eli).then().statusCode(204);
        assertTrue(member(eli).get("leftAt") != null);
        slack.usergroup(groupA, faySlack, eliSlack);
        DirectorySyncRuns.Run back = sync.sync();
        assertTrue(back.added().contains(new DirectorySyncRuns.Added(eli, a)), back.toString());
        assertEquals(a, member(eli).get("team"));
        assertEquals(null, member(eli).get("leftAt"));
    }

    @Test
    void aGroupSlackCannotReadLeavesItsTeamAsItIsAndShowsTheError() {
        String u = Api.unique();
        String missing = slackId("S");
        String team = linkedTeam("err", missing);
        String gus = "gus-" + u + "@example.com";
        admin().body(Map.of("displayName", "Gus", "team", team)).put("/api/v1/members/" + gus).then()
                .statusCode(201);

        DirectorySyncRuns.Run run = sync.sync();

        assertEquals(team, member(gus).get("team"));
        assertTrue(run.removed().stream().noneMatch(r -> r.from().equals(team)));
        String expected = "Team '" + team + "' (user group " + missing + "): usergroups.users.list: Slack knows no"
                + " user group " + missing + " in any workspace the app is installed in (no_such_subteam). The team"
                + " was left as it is.";
        assertTrue(run.errors().contains(expected), run.errors().toString());
        admin().get("/api/v1/directory/sync").then().statusCode(200)
                .body("enabled", equalTo(true))
                .body("every", equalTo("PT1H"))
                .body("lastRun.startedAt", notNullValue())
                .body("lastRun.finishedAt", notNullValue())
                .body("lastRun.errors", hasItem(expected));
    }

    @Test
    void theEndpointShowsRunsAndRunsTheSyncOnRequestAndErasureScrubsThem() {
        String u = Api.unique();
        String group = slackId("S");
        String team = linkedTeam("show", group);
        String hal = "hal-" + u + "@example.com";
        String halSlack = slackId("U");
        slack.user(halSlack, hal, "Hal");
        slack.usergroup(group, halSlack);
        sync.sync();
        io.restassured.path.json.JsonPath view = syncView();
        assertEquals(List.of(entry("email", hal, "to", team)), about(view.getList("lastRun.added"), hal));
        assertTrue(Instant.parse(view.getString("lastRun.finishedAt"))
                .compareTo(Instant.parse(view.getString("lastRun.startedAt"))) >= 0);

        // a second run: the first is now among the earlier ones
        sync.sync();
        view = syncView();
        assertTrue(about(view.getList("lastRun.added"), hal).isEmpty());
        assertEquals(List.of(entry("email", hal, "to", team)), about(view.getList("earlierRuns[0].added"), hal));

        admin().post("/api/v1/directory/sync").then().statusCode(202).body("nextRunAt", notNullValue());
        assertTrue(Db.scalar(ds, "select count(*) from cluster_job where name = ? and next_run_at <= now()",
                SlackGroupSync.NAME) == 1, "made due now");

        admin().delete("/api/v1/members/" + hal + "?erase=true").then().statusCode(200);
        String after = admin().get("/api/v1/directory/sync").then().statusCode(200).extract().asString();
        assertFalse(after.contains(hal), "erased from the recorded runs");
        assertTrue(after.contains(Erasure.PREFIX));
    }

    @Test
    void aUsergroupIdMustLookLikeOne() {
        String key = "bad-" + Api.unique();
        admin().body(Map.of("name", "Bad", "slackUsergroupId", "engineering")).put("/api/v1/teams/" + key).then()
                .statusCode(400).body(containsString("must be a Slack user group id such as S0123ABCD"));
        admin().body(Map.of("name", "Fine")).put("/api/v1/teams/" + key).then().statusCode(201)
                .body("slackUsergroupId", nullValue());
    }
}
