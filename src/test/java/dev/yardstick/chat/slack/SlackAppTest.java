package dev.yardstick.chat.slack;

import static dev.yardstick.Api.admin;
import static dev.yardstick.Api.ingest;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.not;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.yardstick.Api;
import dev.yardstick.Db;
import dev.yardstick.budget.BudgetService;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import javax.sql.DataSource;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

@QuarkusTest
@WithTestResource(value = FakeSlackResource.class, scope = TestResourceScope.GLOBAL)
class SlackAppTest {

    @Inject
    DataSource ds;
    @Inject
    BudgetService budgets;

    FakeSlack slack = FakeSlackResource.fake();
    String team;
    String ana;
    String anaSlack;
    String bo;
    String boSlack;
    String mgr1Slack;
    String mgr2Slack;
    String mgr1;
    String mgr2;

    private static String slackId() {
        return "U" + Api.unique().toUpperCase();
    }

    @BeforeEach
    void setUp() {
        dev.yardstick.Db.awaitOutboxIdle(ds);
        slack.reset();
        String u = Api.unique();
        team = "pay-" + u;
        mgr1 = "mgr1-" + u + "@example.com";
        mgr2 = "mgr2-" + u + "@example.com";
        // Runaway lines far above these tests' single large events, and $61.10 spent of $500, under 1/7 of
        // the budget, so no day of the week projects it spent: alerts have their own tests (AlertsTest).
        admin().body(Map.of("name", "Payments " + u, "managers", List.of(mgr1, mgr2), "weeklyBudgetUsd", 500,
                "timezone", "Europe/Berlin", "runawayCostUsd", 100000)).put("/api/v1/teams/" + team).then()
                .statusCode(201);
        ana = "ana-" + u + "@example.com";
        anaSlack = slackId();
        bo = "bo-" + u + "@example.com";
        boSlack = slackId();
        mgr1Slack = slackId();
        mgr2Slack = slackId();
        admin().body(Map.of("displayName", "Ana " + u, "team", team, "slackUserId", anaSlack))
                .put("/api/v1/members/" + ana)
                .then().statusCode(201);
        admin().body(Map.of("displayName", "Bo " + u, "team", team, "slackUserId", boSlack))
                .put("/api/v1/members/" + bo)
                .then().statusCode(201);
        // managers are known to Slack by email only: Yardstick links them with users.lookupByEmail
        slack.user(mgr1Slack, mgr1);
        slack.user(mgr2Slack, mgr2);
        String token = Api.ingestToken();
        // ten minutes ago, but never before the start of this Berlin week, whose figures these tests read
        java.time.ZoneId berlin = java.time.ZoneId.of("Europe/Berlin");
        Instant t = Instant.now().minusSeconds(600);
        Instant weekStart = dev.yardstick.budget.Weeks.start(Instant.now(), berlin).atStartOfDay(berlin).toInstant();
        if (t.isBefore(weekStart)) {
            t = weekStart;
        }
        ingest(token).body(List.of(
                Map.of("id", "a-" + u, "time", t.toString(), "user", ana, "tool", "claude-code",
                        "model", "claude-sonnet-4-5", "costUsd", 12.34, "outputTokens", 5000),
                Map.of("id", "b-" + u, "time", t.toString(), "user", bo, "tool", "cursor",
                        "model", "gpt-5", "costUsd", 48.76)))
                .post("/api/v1/usage-events").then().statusCode(202).body("accepted", equalTo(2));
        ingest(token).body(Map.of("id", "o-" + u, "time", t.toString(), "user", ana, "kind", "pr_merged"))
                .post("/api/v1/outcome-events").then().statusCode(202);
    }

    private static void awaitUntil(Runnable assertion) {
        await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(100)).untilAsserted(assertion::run);
    }

    @Test
    void forgedOrStaleRequestsAre401AndHaveNoEffect() {
        String body = SlackRequests.commandBody(anaSlack, "request 100 forged", slack.responseUrl("forged"));
        SlackRequests.post("application/x-www-form-urlencoded", body, "wrong-secret", Instant.now().getEpochSecond())
                .then().statusCode(401);
        SlackRequests.post("application/x-www-form-urlencoded", body, FakeSlackResource.SIGNING_SECRET,
                Instant.now().minusSeconds(6 * 60).getEpochSecond()).then().statusCode(401);
        io.restassured.RestAssured.given().contentType("application/x-www-form-urlencoded").body(body)
                .post("/slack/events").then().statusCode(401);
        assertEquals(0, Db.scalar(ds, "select count(*) from budget_request where team_key = ?", team));
        assertTrue(slack.calls("respond").isEmpty());
        assertTrue(slack.calls("chat.postMessage").isEmpty());
    }

    @Test
    void aiSpendShowsOnlyTheCallersOwnFiguresPrivately() {
        String body = SlackRequests.command(anaSlack, "", slack.responseUrl("me")).then().statusCode(200)
                .body("response_type", equalTo("ephemeral"))
                .extract().asString();
        assertTrue(body.contains("$12.34"), body);
        assertTrue(body.contains("1 item"), body);
        assertTrue(body.contains("Only you can see this"), body);
        assertFalse(body.contains("$48.76"), "never another member's figures");
        assertFalse(body.contains(bo) || body.contains("Bo "), "never another member's name");
        assertTrue(slack.calls("chat.postMessage").isEmpty(), "nothing posted anywhere else");

        String me = SlackRequests.command(anaSlack, "me", slack.responseUrl("me2")).then().statusCode(200)
                .extract().asString();
        assertTrue(me.contains("$12.34"));
    }

    @Test
    void teamShowsTeamTotalsWithoutIndividuals() {
        String body = SlackRequests.command(boSlack, "team", slack.responseUrl("team")).then().statusCode(200)
                .body("response_type", equalTo("ephemeral")).extract().asString();
        assertTrue(body.contains("$61.10"), body);
        assertTrue(body.contains("of $500"), body);
        for (String who : List.of(ana, bo, "Ana ", "Bo ", "$12.34", "$48.76")) {
            assertFalse(body.contains(who), "team answer must not show " + who);
        }
    }

    @Test
    void helpAndUnknownSubcommandsShowUsage() {
        SlackRequests.command(anaSlack, "help", slack.responseUrl("h")).then().statusCode(200)
                .body(containsString("/ai-spend team"));
        SlackRequests.command(anaSlack, "leaderboard", slack.responseUrl("h2")).then().statusCode(200)
                .body(containsString("/ai-spend request")).body(not(containsString("$")));
    }

    @Test
    void unknownUserIsToldHowToGetLinkedAndNothingElse() {
        String stranger = slackId();
        slack.user(stranger, "nobody-" + Api.unique() + "@elsewhere.example");
        // the answer comes later: the ack says so at once
        SlackRequests.command(stranger, "", slack.responseUrl("stranger")).then().statusCode(200)
                .body(containsString("Looking up your week…")).body(containsString("\"response_type\":\"ephemeral\""));
        awaitUntil(() -> assertEquals(1, slack.calls("respond", c -> c.param("id").equals("stranger")).size()));
        FakeSlack.Call reply = slack.calls("respond", c -> c.param("id").equals("stranger")).get(0);
        assertTrue(reply.body().contains("doesn't know you yet"), reply.body());
        assertTrue(reply.body().contains("\"response_type\":\"ephemeral\""));
        assertFalse(reply.body().contains("$"), "no figures for an unknown person");
        assertTrue(slack.calls("chat.postMessage").isEmpty());
    }

    @Test
    void aSlackUserIsLinkedByProfileEmail() {
        String email = "cy-" + Api.unique() + "@example.com";
        admin().body(Map.of("displayName", "Cy", "team", team)).put("/api/v1/members/" + email).then().statusCode(201);
        String cySlack = slackId();
        slack.user(cySlack, email.toUpperCase());
        SlackRequests.command(cySlack, "", slack.responseUrl("cy")).then().statusCode(200);
        awaitUntil(() -> assertEquals(1, slack.calls("respond", c -> c.param("id").equals("cy")).size()));
        assertTrue(slack.calls("respond", c -> c.param("id").equals("cy")).get(0).body().contains("Your AI use"));
        admin().get("/api/v1/members/" + email).then().body("slackUserId", equalTo(cySlack));
        assertEquals(1, slack.calls("users.info").size());
        // linked now: answered in the ack, no more Slack calls
        SlackRequests.command(cySlack, "", slack.responseUrl("cy2")).then().statusCode(200)
                .body(containsString("Your AI use"));
        assertEquals(1, slack.calls("users.info").size());
    }

    private long requestBudget(String args) {
        String id = "req-" + Api.unique();
        SlackRequests.command(anaSlack, "request " + args, slack.responseUrl(id)).then().statusCode(200)
                .body(containsString("Sending your request to your team's managers…"));
        awaitUntil(() -> assertEquals(1, slack.calls("respond", c -> c.param("id").equals(id)).size()));
        String confirmation = slack.calls("respond", c -> c.param("id").equals(id)).get(0).body();
        assertTrue(confirmation.contains("Request #"), confirmation);
        return Db.scalar(ds, "select max(id) from budget_request where team_key = ?", team);
    }

    @Test
    void requestReachesEveryManagerWithContextAndButtons() {
        long id = requestBudget("$150 load tests for checkout");
        awaitUntil(() -> assertEquals(2, slack.calls("chat.postMessage").size()));
        List<String> channels = slack.calls("chat.postMessage").stream().map(c -> c.param("channel")).sorted().toList();
        assertEquals(List.of(mgr1Slack, mgr2Slack).stream().sorted().toList(), channels);
        String blocks = slack.calls("chat.postMessage").get(0).param("blocks");
        assertTrue(blocks.contains("$150"), blocks);
        assertTrue(blocks.contains("load tests for checkout"));
        assertTrue(blocks.contains("$12.34 spent, 1 shipped item"), "the requester's own week as context: " + blocks);
        assertTrue(blocks.contains("\"action_id\":\"budget.approve\"")
                && blocks.contains("\"action_id\":\"budget.deny\""));
        admin().get("/api/v1/teams/" + team + "/budget-requests").then().statusCode(200)
                .body("[0].id", equalTo((int) id)).body("[0].status", equalTo("pending"))
                .body("[0].requester", equalTo(ana)).body("[0].scope", equalTo("week"))
                .body("[0].amountUsd", equalTo(150.0f));
    }

    @Test
    void nonManagerClickIsRefusedAndChangesNothing() {
        long id = requestBudget("200 more tests");
        SlackRequests.click(boSlack, BudgetService.APPROVE, Long.toString(id), slack.responseUrl("bo-click"))
                .then().statusCode(200);
        awaitUntil(() -> assertEquals(1, slack.calls("respond", c -> c.param("id").equals("bo-click")).size()));
        assertTrue(slack.calls("respond", c -> c.param("id").equals("bo-click")).get(0).body()
                .contains("Only a manager"));
        admin().get("/api/v1/teams/" + team + "/budget-requests").then().body("[0].status", equalTo("pending"));
        admin().get("/api/v1/teams/" + team).then().body("effectiveWeeklyBudgetUsd", equalTo(500.0f));
    }

    @Test
    void twoManagersApprovingAtOnceChangeTheBudgetOnce() throws Exception {
        long id = requestBudget("250 incident follow-up");
        awaitUntil(() -> assertEquals(2, slack.calls("chat.postMessage").size(),
                slack.calls("chat.postMessage").toString()));
        ExecutorService pool = Executors.newFixedThreadPool(2);
        CountDownLatch go = new CountDownLatch(1);
        try {
            List<Future<Integer>> clicks = List.of(mgr1Slack, mgr2Slack).stream().map(m -> pool.submit(() -> {
                go.await();
                return SlackRequests.click(m, BudgetService.APPROVE, Long.toString(id), slack.responseUrl("click-" + m))
                        .statusCode();
            })).toList();
            go.countDown();
            for (Future<Integer> f : clicks) {
                assertEquals(200, f.get());
            }
        } finally {
            pool.shutdownNow();
        }
        // the loser is told who decided; every manager message is updated; the requester is told once
        awaitUntil(() -> assertEquals(1, slack.calls("respond", c -> c.param("id").startsWith("click-")).size()));
        assertTrue(slack.calls("respond", c -> c.param("id").startsWith("click-")).get(0).body()
                .contains("Already approved by"));
        awaitUntil(() -> assertEquals(2, slack.calls("chat.update").size()));
        awaitUntil(() -> assertEquals(1,
                slack.calls("chat.postMessage", c -> c.param("channel").equals(anaSlack)).size()));
        assertTrue(slack.calls("chat.postMessage", c -> c.param("channel").equals(anaSlack)).get(0).param("text")
                .contains("approved your request #" + id));
        assertTrue(slack.calls("chat.update").get(0).param("blocks").contains("Approved by"));
        assertFalse(slack.calls("chat.update").get(0).param("blocks").contains("budget.approve"), "buttons removed");
        admin().get("/api/v1/teams/" + team).then().body("effectiveWeeklyBudgetUsd", equalTo(750.0f))
                .body("weeklyBudgetUsd", equalTo(500.0f));
        assertEquals(1, Db.scalar(ds, "select count(*) from budget_increase where request_id = ?", id));
        admin().get("/api/v1/teams/" + team + "/budget-requests").then().body("[0].status", equalTo("approved"))
                .body("[0].decidedBy", org.hamcrest.Matchers.anyOf(equalTo(mgr1), equalTo(mgr2)));
    }

    @Test
    void denyTellsTheRequesterAndKeepsTheBudget() {
        long id = requestBudget("90 experiments");
        awaitUntil(() -> assertEquals(2, slack.calls("chat.postMessage").size()));
        SlackRequests.click(mgr1Slack, BudgetService.DENY, Long.toString(id), slack.responseUrl("deny")).then()
                .statusCode(200);
        awaitUntil(() -> assertEquals(1,
                slack.calls("chat.postMessage", c -> c.param("channel").equals(anaSlack)).size()));
        assertTrue(slack.calls("chat.postMessage", c -> c.param("channel").equals(anaSlack)).get(0).param("text")
                .contains("declined"));
        admin().get("/api/v1/teams/" + team + "/budget-requests").then().body("[0].status", equalTo("denied"));
        admin().get("/api/v1/teams/" + team).then().body("effectiveWeeklyBudgetUsd", equalTo(500.0f));
    }

    @Test
    void pendingRequestsExpireAfterSevenDaysAndTheRequesterIsTold() {
        long id = requestBudget("120 old idea");
        awaitUntil(() -> assertEquals(2, slack.calls("chat.postMessage").size()));
        Db.update(ds, "update budget_request set created_at = now() - interval '8 days' where id = ?", id);
        assertTrue(budgets.expire(Instant.now()) >= 1);
        admin().get("/api/v1/teams/" + team + "/budget-requests").then().body("[0].status", equalTo("expired"));
        awaitUntil(() -> assertEquals(1,
                slack.calls("chat.postMessage", c -> c.param("channel").equals(anaSlack)).size()));
        assertTrue(slack.calls("chat.postMessage", c -> c.param("channel").equals(anaSlack)).get(0).param("text")
                .contains("expired"));
        awaitUntil(() -> assertEquals(2, slack.calls("chat.update").size()));
        SlackRequests.click(mgr1Slack, BudgetService.APPROVE, Long.toString(id), slack.responseUrl("late")).then()
                .statusCode(200);
        awaitUntil(() -> assertEquals(1, slack.calls("respond", c -> c.param("id").equals("late")).size()));
        assertTrue(slack.calls("respond", c -> c.param("id").equals("late")).get(0).body().contains("expired"));
        admin().get("/api/v1/teams/" + team).then().body("effectiveWeeklyBudgetUsd", equalTo(500.0f));
    }

    @Test
    void modalPathRecordsAPermanentRequest() {
        SlackRequests.command(anaSlack, "request", slack.responseUrl("modal")).then().statusCode(200);
        assertEquals(1, slack.calls("views.open").size());
        assertTrue(slack.calls("views.open").get(0).param("view").contains("\"callback_id\":\"budget-request\""));
        assertEquals("13345224609.738474920.8088930838d88f008e0", slack.calls("views.open").get(0).param("trigger_id"));

        SlackRequests.submitRequestModal(anaSlack, "lots", "x", "week").then().statusCode(200)
                .body("response_action", equalTo("errors")).body("errors.amount", containsString("US dollars"));
        SlackRequests.submitRequestModal(anaSlack, "$300", "Team offsite hackathon", "permanent").then()
                .statusCode(200);
        awaitUntil(
                () -> assertEquals(1L, Db.scalar(ds, "select count(*) from budget_request where team_key = ?", team)));
        long id = Db.scalar(ds, "select id from budget_request where team_key = ?", team);
        awaitUntil(() -> assertEquals(1,
                slack.calls("chat.postMessage", c -> c.param("channel").equals(anaSlack)).size()));
        assertTrue(slack.calls("chat.postMessage", c -> c.param("channel").equals(anaSlack)).get(0).param("text")
                .contains("Request #" + id));
        awaitUntil(() -> assertEquals(2,
                slack.calls("chat.postMessage", c -> !c.param("channel").equals(anaSlack)).size(),
                () -> slack.calls("chat.postMessage").stream().map(c -> c.param("text")).toList().toString()));
        SlackRequests.click(mgr2Slack, BudgetService.APPROVE, Long.toString(id), slack.responseUrl("perm")).then()
                .statusCode(200);
        awaitUntil(() -> admin().get("/api/v1/teams/" + team).then().body("weeklyBudgetUsd", equalTo(800.0f)));
        admin().get("/api/v1/teams/" + team + "/budget-requests").then().body("[0].scope", equalTo("permanent"));
    }

    @Test
    void appHomeShowsThePersonsOwnDashboard() {
        SlackRequests.homeOpened(anaSlack).then().statusCode(200);
        awaitUntil(
                () -> assertEquals(1, slack.calls("views.publish", c -> anaSlack.equals(c.param("user_id"))).size()));
        String view = slack.calls("views.publish").get(0).param("view");
        assertTrue(view.contains("\"type\":\"home\""), view);
        assertTrue(view.contains("$12.34"));
        assertTrue(view.contains("Your last 8 weeks"));
        assertFalse(view.contains("$48.76"));
    }

    @Test
    void rateLimitedDeliveriesAreRetriedAfterRetryAfter() {
        slack.rateLimitNext(1);
        requestBudget("75 rate limit check");
        awaitUntil(() -> assertEquals(2, slack.calls("chat.postMessage").size()));
        assertEquals(1, slack.calls("chat.postMessage:429").size());
    }
}
