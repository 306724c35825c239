package dev.yardstick.limits;

import static dev.yardstick.Api.admin;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.yardstick.Api;
import dev.yardstick.Db;
import dev.yardstick.budget.AskButtons;
import dev.yardstick.budget.BudgetService;
import dev.yardstick.chat.slack.FakeSlack;
import dev.yardstick.chat.slack.FakeSlackResource;
import dev.yardstick.chat.slack.SlackRequests;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import javax.sql.DataSource;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/**
 * Approvals in Slack show where the increase took effect and the requester hears when they can work again; the
 * ceiling; LiteLLM's alerting webhook → the person's DM → one tap → a request at the managers (fakes on loopback).
 */
@QuarkusTest
@WithTestResource(value = FakeSlackResource.class, scope = TestResourceScope.GLOBAL)
@WithTestResource(value = FakeCapsResource.class, scope = TestResourceScope.GLOBAL)
class LimitsChatTest {

    @Inject
    LimitWriter writer;
    @Inject
    BudgetService budgets;
    @Inject
    DataSource ds;

    private final FakeCaps fake = FakeCapsResource.fake();
    private final FakeSlack slack = FakeSlackResource.fake();

    /** A team with one manager and one developer, each known to Slack by id. */
    private record Setup(String team, long bossId, String bossSlack, long devId, String devSlack, String devEmail) {
    }

    private Setup team(int budget, List<Object> limits) {
        String u = Api.unique();
        String team = "limc-" + u;
        String boss = "boss-" + u + "@example.com";
        String dev = "dev-" + u + "@example.com";
        admin().body(Map.of("name", "Team " + u, "weeklyBudgetUsd", budget, "managers", List.of(boss), "limits",
                limits)).put("/api/v1/teams/" + team).then().statusCode(201);
        String bossSlack = "U" + Api.unique().toUpperCase();
        String devSlack = "U" + Api.unique().toUpperCase();
        long bossId = member(team, boss, bossSlack);
        long devId = member(team, dev, devSlack);
        writer.drain(); // the caps as linked, before anything else
        return new Setup(team, bossId, bossSlack, devId, devSlack, dev);
    }

    private long member(String team, String email, String slackId) {
        admin().body(Map.of("displayName", "Person " + email, "team", team, "slackUserId", slackId))
                .put("/api/v1/members/" + email).then().statusCode(201);
        slack.user(slackId, email);
        return Db.scalar(ds, "select id from member where email = ?", email);
    }

    private static Map<String, Object> link(String source, Object target) {
        return Map.of("source", source, "target", target);
    }

    private static void awaitUntil(Runnable assertion) {
        Awaitility.await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(100))
                .untilAsserted(assertion::run);
    }

    private List<String> posts(String slackUser) {
        return slack.calls("chat.postMessage", c -> slackUser.equals(c.param("channel"))).stream()
                .map(c -> c.param("blocks") == null ? c.param("text") : c.param("blocks")).toList();
    }

    /** The versions of the managers' card of a request, as Slack received them, in order. */
    private List<String> cardUpdates(long request) {
        return slack.calls("chat.update", c -> c.param("blocks") != null
                && c.param("blocks").contains("Request #" + request + "\"")).stream().map(c -> c.param("blocks"))
                .toList();
    }

    private long requestAndWaitForTheManagersDm(Setup s, int amount) {
        long id = budgets.request(s.devId(), BigDecimal.valueOf(amount), "week", "Release week").request().id;
        awaitUntil(() -> assertTrue(posts(s.bossSlack()).stream().anyMatch(b -> b.contains("budget.approve")
                && b.contains("Request #" + id + " ")), posts(s.bossSlack()).toString()));
        return id;
    }

    @Test
    void anApprovalInSlackShowsWhereTheIncreaseTookEffectAndTheRequesterHearsWhenTheyCanWorkAgain() {
        String litellm = "team-" + Api.unique();
        String project = "proj_" + Api.unique();
        Setup s = team(100, List.of(link("litellm", litellm), link("openai", project)));
        assertEquals(1, fake.writes("litellm", litellm).size());
        assertEquals(1, fake.writes("openai", project).size());
        fake.failNextWrites("openai", project, "503/1");
        long id = requestAndWaitForTheManagersDm(s, 50);

        SlackRequests.click(s.bossSlack(), BudgetService.APPROVE, Long.toString(id), slack.responseUrl("a-" + id))
                .then().statusCode(200);
        awaitUntil(() -> assertTrue(cardUpdates(id).stream().anyMatch(b -> b.contains("Approved by")
                && b.contains("LiteLLM: pending · OpenAI: pending")), cardUpdates(id).toString()));
        awaitUntil(
                () -> assertTrue(posts(s.devSlack()).stream().anyMatch(b -> b.contains("approved your request #" + id)
                        && b.contains("caps at LiteLLM and OpenAI are being raised")), posts(s.devSlack()).toString()));

        writer.drain();
        awaitUntil(() -> assertTrue(cardUpdates(id).stream()
                .anyMatch(b -> b.contains("LiteLLM: applied · OpenAI: retrying, 503")), cardUpdates(id).toString()));
        assertFalse(posts(s.devSlack()).stream().anyMatch(b -> b.contains("now hold request #" + id)));
        Awaitility.await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(200)).until(() -> {
            writer.drain();
            return fake.writes("openai", project).size() == 3;
        });
        awaitUntil(() -> {
            List<String> versions = cardUpdates(id);
            assertTrue(versions.get(versions.size() - 1).contains("LiteLLM: applied · OpenAI: applied"),
                    versions.toString());
        });
        awaitUntil(() -> assertEquals(1, posts(s.devSlack()).stream()
                .filter(b -> b.contains("now hold request #" + id + ": you can work again")).count()));
        // one write of the increase at each vendor (OpenAI's first answered 503)
        assertEquals(2, fake.writes("litellm", litellm).size());
        assertEquals(0, new BigDecimal("150").compareTo(fake.cap("litellm", litellm)));
        assertEquals(0, new BigDecimal("650").compareTo(fake.cap("openai", project)));
        assertTrue(cardUpdates(id).stream().noneMatch(b -> b.contains("budget.approve")), "buttons removed");
        assertTrue(cardUpdates(id).stream().noneMatch(b -> b.contains("weekly ceiling")));
    }

    @Test
    void anApprovalNeverRaisesACapAboveTheCeilingAndTheManagersMessageSaysSo() {
        String litellm = "team-" + Api.unique();
        Setup s = team(950, List.of(link("litellm", litellm)));
        assertEquals(0, new BigDecimal("950").compareTo(fake.cap("litellm", litellm)));
        long id = requestAndWaitForTheManagersDm(s, 100);
        SlackRequests.click(s.bossSlack(), BudgetService.APPROVE, Long.toString(id), slack.responseUrl("c-" + id))
                .then().statusCode(200);
        Awaitility.await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(100)).until(() -> {
            writer.drain();
            return fake.writes("litellm", litellm).size() == 2;
        });
        assertEquals(0, new BigDecimal(FakeCapsResource.CEILING).compareTo(fake.cap("litellm", litellm)));
        admin().get("/api/v1/teams/" + s.team()).then().body("effectiveWeeklyBudgetUsd", equalTo(1050.0f));
        awaitUntil(() -> {
            List<String> versions = cardUpdates(id);
            assertTrue(!versions.isEmpty() && versions.get(versions.size() - 1).contains("LiteLLM: applied"),
                    versions.toString());
            assertTrue(versions.get(versions.size() - 1).contains("The caps stop at the $1,000 weekly ceiling your "
                    + "Yardstick admin set, below the team's $1,050 budget this week."), versions.toString());
        });
        awaitUntil(() -> assertTrue(posts(s.devSlack()).stream()
                .anyMatch(b -> b.contains("now hold request #" + id + ": you can work again")
                        && b.contains("$1,000 weekly ceiling"))));
    }

    /** An alert as LiteLLM's webhook sends it (its WebhookEvent: CallInfo and the event). */
    private static String alert(String event, String group, String userId, String email, String teamId,
            String message) {
        return """
                {"spend": 105.25, "max_budget": 100.0, "soft_budget": null, \
                "token": "88dc28d0f030c55ed4ab77ed8faf098196cb1c05df778539800c9f1243fe6b4b", \
                "customer_id": null, "user_id": %s, "team_id": %s, "team_alias": "payments", \
                "organization_id": null, "user_email": %s, "key_alias": "laptop", \
                "projected_exceeded_date": null, "projected_spend": null, \
                "event": "%s", "event_group": "%s", "event_message": "%s"}"""
                .formatted(quoted(userId), quoted(teamId), quoted(email), event, group, message);
    }

    private static String quoted(String s) {
        return s == null ? "null" : "\"" + s + "\"";
    }

    private static io.restassured.response.Response webhook(String token, String body) {
        var req = given().contentType("application/json").body(body.getBytes(StandardCharsets.UTF_8));
        if (token != null) {
            req = req.queryParam("token", token);
        }
        return req.post("/webhooks/litellm");
    }

    private long alertDms(long memberId) {
        return Db.scalar(ds, "select count(*) from outbox_message where dedupe_key like 'litellm-alert:%' and "
                + "dedupe_key like ?", "%:member:" + memberId);
    }

    @Test
    void aLiteLlmAlertReachesThePersonWhoAsksInOneTapAndTheManagerIsAsked() {
        String litellm = "team-" + Api.unique();
        Setup s = team(100, List.of(link("litellm", litellm)));
        String body = alert("budget_crossed", "user", "default_user_id", s.devEmail(), litellm,
                "User Budget: Budget Crossed");
        webhook(FakeCapsResource.WEBHOOK_SECRET, body).then().statusCode(200).body("status", equalTo("notified"))
                .body("notified", equalTo(1));
        awaitUntil(() -> assertEquals(1, posts(s.devSlack()).size()));
        String dm = posts(s.devSlack()).get(0);
        assertTrue(dm.contains("Your AI requests are stopped: your LiteLLM budget is used up."), dm);
        assertTrue(dm.contains("$105 spent of $100"), dm);
        for (String action : List.of(AskButtons.ASK_50, AskButtons.ASK_100, AskButtons.ASK_OTHER)) {
            assertTrue(dm.contains("\"action_id\":\"" + action + "\""), dm);
        }
        assertTrue(
                dm.contains("Ask for +$50") && dm.contains("Ask for +$100") && dm.contains("Ask for another amount"));
        // the same body again: counted once
        webhook(FakeCapsResource.WEBHOOK_SECRET, body).then().statusCode(200).body("status", equalTo("duplicate"));
        assertEquals(1, alertDms(s.devId()));

        SlackRequests.click(s.devSlack(), AskButtons.ASK_50, "50", slack.responseUrl("ask-" + s.devId())).then()
                .statusCode(200);
        awaitUntil(() -> assertEquals(1, Db.scalar(ds, "select count(*) from budget_request where requester_id = ?",
                s.devId())));
        assertEquals(0, new BigDecimal("50").compareTo(new BigDecimal(Db.string(ds,
                "select amount_usd::text from budget_request where requester_id = ?", s.devId()))));
        awaitUntil(() -> assertTrue(posts(s.bossSlack()).stream().anyMatch(b -> b.contains("budget.approve")
                && b.contains("$50")), posts(s.bossSlack()).toString()));
        awaitUntil(() -> assertTrue(slack.calls("respond", c -> c.param("id").equals("ask-" + s.devId())).stream()
                .anyMatch(c -> c.body().contains("Request #"))));
        // a second tap while the first waits asks nothing more
        SlackRequests.click(s.devSlack(), AskButtons.ASK_100, "100", slack.responseUrl("again-" + s.devId())).then()
                .statusCode(200);
        awaitUntil(() -> assertTrue(slack.calls("respond", c -> c.param("id").equals("again-" + s.devId())).stream()
                .anyMatch(c -> c.body().contains("still waiting for a manager"))));
        assertEquals(1, Db.scalar(ds, "select count(*) from budget_request where requester_id = ?", s.devId()));
        // another amount: the request form
        int opened = slack.calls("views.open").size();
        SlackRequests.click(s.devSlack(), AskButtons.ASK_OTHER, "other", slack.responseUrl("other-" + s.devId()))
                .then().statusCode(200);
        awaitUntil(() -> assertEquals(opened + 1, slack.calls("views.open").size()));
        assertTrue(slack.calls("views.open").get(opened).param("view").contains("\"callback_id\":\"budget-request\""));
    }

    @Test
    void aPersonIsFoundByTheirLiteLlmUserIdWhenItIsTheirEmail() {
        Setup s = team(100, List.of());
        webhook(FakeCapsResource.WEBHOOK_SECRET, alert("threshold_crossed", "key", s.devEmail(), null, null,
                "Key Budget: 85% Threshold Crossed")).then().statusCode(200).body("status", equalTo("notified"));
        awaitUntil(() -> assertEquals(1, posts(s.devSlack()).size()));
        assertTrue(posts(s.devSlack()).get(0).contains("will stop soon: the LiteLLM budget of your key laptop"));
    }

    @Test
    void aTeamAlertWithNoPersonTellsTheTeamsManagers() {
        String litellm = "team-" + Api.unique();
        Setup s = team(100, List.of(link("litellm", litellm)));
        webhook(FakeCapsResource.WEBHOOK_SECRET, alert("budget_crossed", "team", null, null, litellm,
                "Team Budget: Budget Crossed")).then().statusCode(200).body("status", equalTo("notified"));
        awaitUntil(() -> assertEquals(1, posts(s.bossSlack()).size()));
        String dm = posts(s.bossSlack()).get(0);
        assertTrue(dm.contains("is used up: its requests are stopped"), dm);
        assertFalse(dm.contains(AskButtons.ASK_50), dm);
        assertTrue(posts(s.devSlack()).isEmpty());
        // nothing to a channel
        assertEquals(0, Db.scalar(ds, "select count(*) from outbox_message where dedupe_key like 'litellm-alert:%' "
                + "and dedupe_key not like '%:member:%' and dedupe_key not like '%:manager:%'"));
    }

    @Test
    void forgedWebhooksAreRefusedAndDoNothing() {
        String litellm = "team-" + Api.unique();
        Setup s = team(100, List.of(link("litellm", litellm)));
        String body = alert("budget_crossed", "user", null, s.devEmail(), litellm, "User Budget: Budget Crossed");
        webhook("wrong-" + FakeCapsResource.WEBHOOK_SECRET, body).then().statusCode(401)
                .contentType("application/problem+json");
        webhook(null, body).then().statusCode(401);
        webhook("", body).then().statusCode(401);
        assertEquals(0, Db.scalar(ds, "select count(*) from litellm_alert where body_sha256 = ?",
                LiteLlmAlerts.sha256(body.getBytes(StandardCharsets.UTF_8))));
        assertEquals(0, alertDms(s.devId()));
        // the real one afterwards is not taken for a duplicate
        webhook(FakeCapsResource.WEBHOOK_SECRET, body).then().statusCode(200).body("status", equalTo("notified"));
        // other alerts are answered and ignored
        webhook(FakeCapsResource.WEBHOOK_SECRET, body.replace("\"budget_crossed\"", "\"spend_tracking\""))
                .then().statusCode(200).body("status", equalTo("ignored"));
        assertEquals(1, alertDms(s.devId()));
        awaitUntil(() -> assertEquals(1, posts(s.devSlack()).size()));
    }
}
