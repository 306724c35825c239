package dev.yardstick.admin;

import static dev.yardstick.Api.admin;
import static dev.yardstick.Api.ingest;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThanOrEqualTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.yardstick.Api;
import dev.yardstick.Db;
import dev.yardstick.budget.BudgetService;
import dev.yardstick.chat.ChatMessage;
import dev.yardstick.chat.MessageKey;
import dev.yardstick.chat.Messenger;
import dev.yardstick.chat.slack.FakeSlackResource;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;

/** People leaving, erasure on request, and teams being deleted. */
@QuarkusTest
@WithTestResource(value = FakeSlackResource.class, scope = TestResourceScope.GLOBAL)
class MemberLifecycleTest {

    @Inject
    DataSource ds;
    @Inject
    Messenger messenger;
    @Inject
    BudgetService budgets;

    private static String slackId() {
        return "U" + Api.unique().toUpperCase();
    }

    private static Map<String, Object> usage(String user, Instant time, double cost) {
        return Map.of("id", "u-" + Api.unique(), "time", time.toString(), "user", user, "tool", "cursor", "model",
                "gpt-5", "inputTokens", 100, "outputTokens", 20, "costUsd", cost);
    }

    private static Instant noon(LocalDate day) {
        return day.atTime(12, 0).toInstant(ZoneOffset.UTC);
    }

    private static String summary(String team, LocalDate from, LocalDate to) {
        return admin().get("/api/v1/teams/" + team + "/summary?from=" + from + "&to=" + to).then().statusCode(200)
                .extract().asString();
    }

    private long memberId(String email) {
        return Db.scalar(ds, "select id from member where email = ?", email);
    }

    @Test
    void aPersonWhoLeavesLosesTeamAndMessagesWhilePastTotalsStay() {
        String token = Api.ingestToken();
        String team = Api.team("leave", "UTC");
        String email = "leo-" + Api.unique() + "@example.com";
        String slack = slackId();
        admin().body(Map.of("displayName", "Leo", "team", team, "slackUserId", slack))
                .put("/api/v1/members/" + email).then().statusCode(201);
        admin().body(Map.of("name", "Leave team", "managers", List.of(email))).put("/api/v1/teams/" + team)
                .then().statusCode(200);
        LocalDate yesterday = LocalDate.now(ZoneOffset.UTC).minusDays(1);
        ingest(token).body(List.of(usage(email, noon(yesterday), 2.0))).post("/api/v1/usage-events").then()
                .statusCode(202).body("accepted", equalTo(1));
        String before = summary(team, yesterday, yesterday);
        long id = memberId(email);
        assertTrue(messenger.directMessage(id, MessageKey.of("test-leave", Api.unique()),
                ChatMessage.builder("hello").paragraph("hello").build()));

        admin().delete("/api/v1/members/" + email).then().statusCode(204);

        admin().get("/api/v1/members/" + email).then().statusCode(200).body("team", nullValue())
                .body("leftAt", notNullValue()).body("slackUserId", equalTo(slack));
        admin().get("/api/v1/teams/" + team).then().body("managers", equalTo(List.of()));
        admin().get("/api/v1/members?team=" + team).then().body("total", equalTo(0));
        admin().get("/api/v1/members?q=" + email).then().body("total", equalTo(0));
        assertFalse(messenger.directMessage(id, MessageKey.of("test-leave", Api.unique()),
                ChatMessage.builder("hello again").paragraph("hello again").build()));

        // usage that still arrives is kept (under unassigned) but counts them active nowhere
        long activeDays = Db.scalar(ds, "select count(*) from team_member_day_all where member_id = ?", id);
        ingest(token).body(List.of(usage(email, Instant.now().minusSeconds(60), 1.0)))
                .post("/api/v1/usage-events").then().statusCode(202).body("accepted", equalTo(1));
        assertEquals(activeDays, Db.scalar(ds, "select count(*) from team_member_day_all where member_id = ?", id));
        assertEquals(1, Db.scalar(ds,
                "select count(*) from usage_daily_all where member_id = ? and team_key = 'unassigned'", id));
        assertEquals(before, summary(team, yesterday, yesterday));

        admin().delete("/api/v1/members/nobody-" + Api.unique() + "@example.com").then().statusCode(404);
        admin().delete("/api/v1/members/" + email + "?erase=maybe").then().statusCode(400);
        // back again: a team ends the leave
        admin().body(Map.of("displayName", "Leo", "team", team, "slackUserId", slack))
                .put("/api/v1/members/" + email).then().statusCode(200).body("leftAt", nullValue());
    }

    @Test
    void erasureLeavesNoIdentifierAnywhereAndKeepsEveryTeamTotal() throws Exception {
        String u = Api.unique();
        String token = Api.ingestToken();
        String team = Api.team("erase", "UTC");
        String team2 = Api.team("erase2", "UTC");
        String email = "paula-" + u + "@example.com";
        String name = "Paula Vanishing" + u;
        String slack = slackId();
        String teamsId = java.util.UUID.randomUUID().toString();
        String github = "paula-gh-" + u;
        String quinn = "quinn-" + u + "@example.com";
        String mona = "mona-" + u + "@example.com";
        String rita = "rita-" + u + "@example.com";
        admin().body(Map.of("displayName", name, "team", team, "slackUserId", slack, "teamsUserId", teamsId,
                "githubLogin", github)).put("/api/v1/members/" + email).then().statusCode(201);
        admin().body(Map.of("displayName", "Quinn", "team", team, "slackUserId", slackId()))
                .put("/api/v1/members/" + quinn).then().statusCode(201);
        admin().body(Map.of("displayName", "Mona", "team", team, "slackUserId", slackId()))
                .put("/api/v1/members/" + mona).then().statusCode(201);
        admin().body(Map.of("displayName", "Rita", "team", team2, "slackUserId", slackId()))
                .put("/api/v1/members/" + rita).then().statusCode(201);
        admin().body(Map.of("name", "Erase team", "managers", List.of(mona), "weeklyBudgetUsd", 500))
                .put("/api/v1/teams/" + team).then().statusCode(200);
        admin().body(Map.of("name", "Second team", "managers", List.of(email), "weeklyBudgetUsd", 500))
                .put("/api/v1/teams/" + team2).then().statusCode(200);

        // usage and shipped work on past days, by the person and a teammate
        LocalDate today = LocalDate.now(ZoneOffset.UTC);
        List<LocalDate> days = List.of(today.minusDays(5), today.minusDays(4), today.minusDays(3));
        List<Map<String, Object>> events = new ArrayList<>();
        for (LocalDate d : days) {
            events.add(usage(email, noon(d), 3.0));
            events.add(usage(quinn, noon(d).plusSeconds(60), 1.0));
        }
        ingest(token).body(events).post("/api/v1/usage-events").then().statusCode(202)
                .body("accepted", equalTo(6));
        ingest(token).body(List.of(Map.of("id", "o-" + u, "time", noon(days.get(1)).toString(), "user", email,
                "kind", "pr_merged", "title", "Faster builds by " + github + " (" + name + ")", "url",
                "https://github.com/acme/app/pull/7"))).post("/api/v1/outcome-events").then().statusCode(202)
                .body("accepted", equalTo(1));
        // a bad event of theirs, voided by person and range: the void's record names them
        ingest(token).body(Map.of("id", "bad-" + u, "time", noon(days.get(0)).plusSeconds(5).toString(), "user", email,
                "tool", "codex", "model", "gpt-5", "costUsd", 9)).post("/api/v1/usage-events").then().statusCode(202)
                .body("accepted", equalTo(1));
        admin().body(Map.of("user", email, "from", noon(days.get(0)).toString(), "to",
                noon(days.get(0)).plusSeconds(60).toString(), "tool", "codex", "reason", "collector bug"))
                .post("/api/v1/usage-events/void").then().statusCode(200).body("voided.events", equalTo(1));
        // a token scoped to them: it names them, and must stop working
        String theirs = admin().body(Map.of("name", "laptop " + u, "scope", Map.of("user", email)))
                .post("/api/v1/ingest-tokens").then().statusCode(201).extract().path("token");
        Map<String, String> before = new LinkedHashMap<>();
        for (String t : List.of(team, team2)) {
            for (LocalDate d : days) {
                before.put(t + d, summary(t, d, d));
            }
            before.put(t + "all", summary(t, days.get(0), today));
        }
        assertTrue(before.get(team + days.get(0)).contains("\"activeMembers\":2"), before.get(team + days.get(0)));

        long id = memberId(email);
        // a budget request by the person (managers are told, naming them) and one they decided
        BudgetService.Created asked = budgets.request(id, new BigDecimal("50"), "week",
                "Cover for " + name + " on the migration");
        assertEquals(1, asked.managersNotified());
        BudgetService.Created other = budgets.request(memberId(rita), new BigDecimal("20"), "week", "Load tests");
        assertTrue(budgets.decide(other.request().id, id, true) instanceof BudgetService.Decided);
        // an alert of theirs, whose copy to a manager names them
        long alert = Db.scalar(ds,
                """
                        insert into alert (kind, team_key, member_id, session_key, status) values ('runaway', ?, ?, 's-1', 'open')
                        returning id""",
                team, id);
        assertTrue(messenger.directMessage(memberId(mona), MessageKey.of("alert", alert, "manager", memberId(mona)),
                ChatMessage.builder(name + " has a runaway session").paragraph("Ask " + name + " (" + email + ")")
                        .build()));
        // what the other features keep about them
        Db.update(ds, "insert into slack_user_cache (slack_user_id, email) values (?, ?)", slack, email);
        Db.update(ds, "insert into slack_installation (team_id, installer_user_id) values (?, ?)", "T" + u, slack);
        Db.update(ds, """
                insert into teams_conversation (conversation_id, service_url, conversation_type, aad_object_id, user_id)
                values (?, 'https://smba.example.test/', 'personal', ?, ?)""", "a:" + u, teamsId, "29:" + u);
        Db.update(ds, """
                insert into usage_session_minute (member_id, session_key, minute, tool, model, team_key, cost_usd,
                    requests) values (?, 's-1', date_trunc('minute', now()), 'cursor', 'gpt-5', ?, 1, 1)""", id, team);
        Db.update(ds, "insert into watch_session (member_id, session_key) values (?, 's-1')", id);
        Db.update(ds, "insert into ai_activity_daily (member_id, tool, day, kind, count) values (?, 'claude-code', ?,"
                + " 'commit', 3)", id, java.sql.Date.valueOf(days.get(0)));
        Db.awaitOutboxIdle(ds);
        List<String> identifiers = List.of(email, name, slack, teamsId, github);
        assertFalse(scan(identifiers).isEmpty(), "the setup should have stored the person's identifiers");

        admin().delete("/api/v1/members/" + email + "?erase=true").then().statusCode(200)
                .body("erased.member", equalTo(1))
                .body("erased.usage_event", equalTo(4))
                .body("erased.event_void", equalTo(1))
                .body("erased.ingest_token", equalTo(1))
                .body("erased.usage_daily", greaterThanOrEqualTo(1))
                .body("erased.team_member_day", equalTo(3))
                .body("erased.outcome_event", equalTo(1))
                .body("erased.budget_request", equalTo(2))
                .body("erased.alert", equalTo(1))
                .body("erased.usage_session_minute", equalTo(1))
                .body("erased.watch_session", equalTo(1))
                .body("erased.ai_activity_daily", equalTo(1))
                .body("erased.slack_user_cache", equalTo(1))
                .body("erased.teams_conversation", equalTo(1))
                .body("erased.'team.managers'", equalTo(1))
                .body("erased.outbox_message", greaterThanOrEqualTo(1));

        assertEquals(List.of(), scan(identifiers));
        for (String t : List.of(team, team2)) {
            for (LocalDate d : days) {
                assertEquals(before.get(t + d), summary(t, d, d), t + " on " + d);
            }
            assertEquals(before.get(t + "all"), summary(t, days.get(0), today));
        }
        admin().get("/api/v1/members/" + email).then().statusCode(404);
        admin().get("/api/v1/teams/" + team2).then().body("managers", equalTo(List.of()));
        // the audit keeps amounts and decisions, naming the anonymous id
        admin().get("/api/v1/teams/" + team2 + "/budget-requests").then().statusCode(200)
                .body("[0].status", equalTo("approved"))
                .body("[0].decidedBy", org.hamcrest.Matchers.startsWith("erased-"));
        admin().get("/api/v1/teams/" + team + "/budget-requests").then().statusCode(200)
                .body("[0].requester", org.hamcrest.Matchers.startsWith("erased-"))
                .body("[0].reason",
                        org.hamcrest.Matchers.matchesPattern("Cover for erased-[0-9a-f]+ on the migration"));
        assertEquals(0, Db.scalar(ds, "select count(*) from usage_daily_all where member_id = ?", id));
        long anonymous = Db.scalar(ds, "select distinct member_id from team_member_day_all where team_key = ? and "
                + "member_id <> ?", team, memberId(quinn));
        assertTrue(Db.string(ds, "select email from member where id = ?", anonymous).startsWith("erased-"));

        // their token no longer works
        ingest(theirs).body(List.of(usage(email, Instant.now().minusSeconds(40), 1.0))).post("/api/v1/usage-events")
                .then().statusCode(401);
        // an event arriving later for the same email starts a new, unrelated member
        ingest(token).body(List.of(usage(email, Instant.now().minusSeconds(30), 1.0))).post("/api/v1/usage-events")
                .then().statusCode(202).body("accepted", equalTo(1));
        admin().get("/api/v1/members/" + email).then().statusCode(200).body("team", nullValue())
                .body("displayName", nullValue()).body("slackUserId", nullValue());
        long fresh = memberId(email);
        assertNotEquals(id, fresh);
        assertNotEquals(anonymous, fresh);
        assertEquals(0,
                Db.scalar(ds, "select count(*) from usage_daily_all where member_id = ? and team_key = ?", fresh,
                        team));
        for (LocalDate d : days) {
            assertEquals(before.get(team + d), summary(team, d, d));
        }
        admin().delete("/api/v1/members/erased-" + u + "?erase=true").then().statusCode(404);
    }

    /** Every text, varchar, char and array column of every table that contains one of these (case-insensitive). */
    private List<String> scan(List<String> needles) throws SQLException {
        List<String> hits = new ArrayList<>();
        try (Connection c = ds.getConnection()) {
            List<String[]> columns = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement("""
                    select c.table_name, c.column_name from information_schema.columns c
                    join information_schema.tables t on t.table_schema = c.table_schema and t.table_name = c.table_name
                    where c.table_schema = current_schema() and t.table_type = 'BASE TABLE'
                      and c.data_type in ('text', 'character varying', 'character', 'ARRAY', 'json', 'jsonb')
                    order by 1, 2
                    """); ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    columns.add(new String[]{rs.getString(1), rs.getString(2)});
                }
            }
            assertTrue(columns.size() > 40, "columns scanned: " + columns.size());
            for (String[] col : columns) {
                for (String needle : needles) {
                    try (PreparedStatement ps = c.prepareStatement("select count(*) from \"" + col[0]
                            + "\" where strpos(lower(\"" + col[1] + "\"::text), lower(?)) > 0")) {
                        ps.setString(1, needle);
                        try (ResultSet rs = ps.executeQuery()) {
                            rs.next();
                            if (rs.getLong(1) > 0) {
                                hits.add(col[0] + "." + col[1] + " has " + needle);
                            }
                        }
                    }
                }
            }
        }
        return hits;
    }

    @Test
    void aTeamWithMembersIsDeletedOnlyByMovingThem() {
        String token = Api.ingestToken();
        String team = Api.team("gone", "UTC");
        String other = Api.team("stays", "UTC");
        String member = Api.member(team);
        LocalDate day = LocalDate.now(ZoneOffset.UTC).minusDays(2);
        ingest(token).body(List.of(usage(member, noon(day), 4.0))).post("/api/v1/usage-events").then()
                .statusCode(202).body("accepted", equalTo(1));
        String history = summary(team, day, day);

        admin().delete("/api/v1/teams/" + team).then().statusCode(409).contentType("application/problem+json")
                .body("detail", containsString("1 member"));
        admin().delete("/api/v1/teams/" + team + "?moveTo=" + team).then().statusCode(400);
        admin().delete("/api/v1/teams/" + team + "?moveTo=nowhere-" + Api.unique()).then().statusCode(400);
        admin().get("/api/v1/teams/" + team).then().statusCode(200);

        admin().delete("/api/v1/teams/" + team + "?moveTo=" + other).then().statusCode(204);
        admin().get("/api/v1/members/" + member).then().body("team", equalTo(other));
        admin().get("/api/v1/teams/" + team).then().statusCode(404);
        admin().get("/api/v1/teams").then().body("key", not(hasItem(team))).body("key", hasItem(other));
        assertEquals(history, summary(team, day, day));
        ingest(token).body(List.of(Map.of("id", "u-" + Api.unique(), "time", Instant.now().toString(), "user",
                member, "team", team, "tool", "cursor", "model", "gpt-5", "costUsd", 1)))
                .post("/api/v1/usage-events").then().statusCode(202).body("accepted", equalTo(0))
                .body("rejected[0].error", equalTo("unknown team '" + team + "'"));
        admin().body(Map.of("team", team)).put("/api/v1/members/" + member).then().statusCode(400);
        admin().delete("/api/v1/teams/" + team).then().statusCode(404);

        // an empty team goes at once; PUT brings a deleted team back with its history
        String empty = Api.team("empty", "UTC");
        admin().delete("/api/v1/teams/" + empty).then().statusCode(204);
        admin().body(Map.of("name", "Back")).put("/api/v1/teams/" + team).then().statusCode(201);
        admin().get("/api/v1/teams").then().body("key", hasItem(team));
        assertEquals(history, summary(team, day, day));
    }
}
