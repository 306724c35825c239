package dev.yardstick.chat.slack;

import static dev.yardstick.Api.admin;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.yardstick.Api;
import dev.yardstick.Db;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import jakarta.inject.Inject;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import javax.sql.DataSource;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Team settings in Slack: the modal of /ai-spend settings and of the App Home button, its checks, audit and DMs. */
@QuarkusTest
@WithTestResource(value = FakeSlackResource.class, scope = TestResourceScope.GLOBAL)
class SlackSettingsTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Inject
    DataSource ds;

    FakeSlack slack = FakeSlackResource.fake();
    String team;
    String mgr1;
    String mgr2;
    String ana;
    String mgr1Slack;
    String mgr2Slack;
    String anaSlack;

    private static String slackId() {
        return "U" + Api.unique().toUpperCase();
    }

    @BeforeEach
    void setUp() {
        Db.awaitOutboxIdle(ds);
        slack.reset();
        String u = Api.unique();
        team = "set-" + u;
        mgr1 = "mgr1-" + u + "@example.com";
        mgr2 = "mgr2-" + u + "@example.com";
        ana = "ana-" + u + "@example.com";
        mgr1Slack = slackId();
        mgr2Slack = slackId();
        anaSlack = slackId();
        admin().body(Map.of("name", "Settings " + u, "managers", List.of(mgr1, mgr2), "weeklyBudgetUsd", 500,
                "timezone", "Europe/Berlin", "slackChannelId", "C0PAY" + u.toUpperCase().replaceAll("[^A-Z0-9]", "")))
                .put("/api/v1/teams/" + team).then().statusCode(201);
        admin().body(Map.of("displayName", "Mia Manager", "team", team, "slackUserId", mgr1Slack))
                .put("/api/v1/members/" + mgr1).then().statusCode(201);
        admin().body(Map.of("displayName", "Ana " + u, "team", team, "slackUserId", anaSlack))
                .put("/api/v1/members/" + ana).then().statusCode(201);
        // the other manager is known to Slack by email only: linked when the change is made
        admin().body(Map.of("displayName", "Max Manager", "team", team)).put("/api/v1/members/" + mgr2).then()
                .statusCode(201);
        slack.user(mgr2Slack, mgr2);
    }

    private static void awaitUntil(Runnable assertion) {
        await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(100)).untilAsserted(assertion::run);
    }

    /** A {@code view_submission} of the settings modal, as Slack sends it. */
    private Response submit(String userId, String teamKey, Map<String, String> text, String day, String channel) {
        ObjectNode payload = JSON.createObjectNode().put("type", "view_submission").put("api_app_id", "A0001")
                .put("token", "legacy").put("trigger_id", "1.2.3");
        payload.putObject("team").put("id", "T0001").put("domain", "acme");
        payload.putObject("user").put("id", userId).put("username", "u").put("name", "u").put("team_id", "T0001");
        ObjectNode view = payload.putObject("view").put("id", "V" + Api.unique()).put("team_id", "T0001")
                .put("type", "modal").put("callback_id", "team-settings").put("private_metadata", teamKey)
                .put("hash", "h1");
        view.putObject("title").put("type", "plain_text").put("text", "Team settings");
        view.putArray("blocks");
        ObjectNode values = view.putObject("state").putObject("values");
        text.forEach((k, v) -> values.putObject(k).putObject("value").put("type", "plain_text_input").put("value", v));
        values.putObject("digestDay").putObject("value").put("type", "static_select").putObject("selected_option")
                .put("value", day).putObject("text").put("type", "plain_text").put("text", day);
        ObjectNode ch = values.putObject("slackChannelId").putObject("value").put("type", "conversations_select");
        if (channel == null) {
            ch.putNull("selected_conversation");
        } else {
            ch.put("selected_conversation", channel);
        }
        payload.putArray("response_urls");
        return SlackRequests.post("application/x-www-form-urlencoded",
                "payload=" + URLEncoder.encode(payload.toString(), StandardCharsets.UTF_8));
    }

    private static Map<String, String> values(String budget, String time) {
        return Map.of("weeklyBudgetUsd", budget, "runawayCostUsd", "100", "runawayRequests", "1000", "digestTime",
                time, "timezone", "Europe/Berlin");
    }

    private JsonNode openedView() throws Exception {
        assertEquals(1, slack.calls("views.open").size());
        return JSON.readTree(slack.calls("views.open").get(0).param("view"));
    }

    private static JsonNode block(JsonNode view, String id) {
        for (JsonNode b : view.path("blocks")) {
            if (id.equals(b.path("block_id").asText())) {
                return b;
            }
        }
        throw new AssertionError("no block " + id + " in " + view);
    }

    @Test
    void aManagersSettingsCommandOpensTheModalFilledInWithTheTeamsValues() throws Exception {
        String channel = admin().get("/api/v1/teams/" + team).then().extract().path("slackChannelId");
        SlackRequests.command(mgr1Slack, "settings", slack.responseUrl("open")).then().statusCode(200);
        JsonNode view = openedView();
        assertEquals("13345224609.738474920.8088930838d88f008e0", slack.calls("views.open").get(0).param("trigger_id"));
        assertEquals("team-settings", view.path("callback_id").asText());
        assertEquals(team, view.path("private_metadata").asText());
        assertEquals("500", block(view, "weeklyBudgetUsd").path("element").path("initial_value").asText());
        assertTrue(block(view, "weeklyBudgetUsd").path("optional").asBoolean());
        assertEquals("100", block(view, "runawayCostUsd").path("element").path("initial_value").asText());
        assertEquals("1000", block(view, "runawayRequests").path("element").path("initial_value").asText());
        assertEquals("MONDAY",
                block(view, "digestDay").path("element").path("initial_option").path("value").asText());
        assertEquals("09:00", block(view, "digestTime").path("element").path("initial_value").asText());
        assertEquals("Europe/Berlin", block(view, "timezone").path("element").path("initial_value").asText());
        JsonNode select = block(view, "slackChannelId").path("element");
        assertEquals("conversations_select", select.path("type").asText());
        assertEquals(channel, select.path("initial_conversation").asText());
        assertFalse(select.path("default_to_current_conversation").asBoolean());
        assertEquals("[\"public\",\"private\"]", select.path("filter").path("include").toString());

        // with the team's key too
        slack.reset();
        SlackRequests.command(mgr1Slack, "settings " + team, slack.responseUrl("open2")).then().statusCode(200);
        assertEquals(team, openedView().path("private_metadata").asText());
    }

    @Test
    void someoneWhoIsNotAManagerIsToldPrivatelyAndNothingOpens() {
        SlackRequests.command(anaSlack, "settings", slack.responseUrl("no")).then().statusCode(200)
                .body("response_type", equalTo("ephemeral"))
                .body("text", containsString("Only the managers of team Settings"));
        SlackRequests.command(anaSlack, "settings " + team, slack.responseUrl("no2")).then().statusCode(200)
                .body("text", containsString("Only the managers"));
        assertEquals(0, slack.calls("views.open").size());

        // a forged submission of the form by her changes nothing
        submit(anaSlack, team, values("9000", "10:00"), "FRIDAY", null).then().statusCode(200);
        awaitUntil(() -> assertEquals(1, slack.calls("chat.postMessage", c -> c.param("channel").equals(anaSlack))
                .size()));
        assertTrue(slack.calls("chat.postMessage", c -> c.param("channel").equals(anaSlack)).get(0).param("text")
                .contains("Only the managers"));
        admin().get("/api/v1/teams/" + team).then().body("weeklyBudgetUsd", equalTo(500.0f))
                .body("digestDay", equalTo("MONDAY"));
        admin().get("/api/v1/teams/" + team + "/audit").then().statusCode(200).body("size()", equalTo(1));
    }

    @Test
    void badValuesAreShownNextToTheirFieldsInTheTeamApisWords() {
        String apiMessage = admin().body(Map.of("name", "x", "digestTime", "9am")).put("/api/v1/teams/" + team)
                .then().statusCode(400).extract().path("detail");
        assertEquals("digestTime must be a time of day as HH:mm", apiMessage);
        String tzMessage = admin().body(Map.of("name", "x", "timezone", "Mars/Olympus")).put("/api/v1/teams/" + team)
                .then().statusCode(400).extract().path("detail");

        Map<String, String> bad = new java.util.HashMap<>(values("lots", "9am"));
        bad.put("runawayCostUsd", "0");
        bad.put("timezone", "Mars/Olympus");
        submit(mgr1Slack, team, bad, "MONDAY", null).then().statusCode(200)
                .body("response_action", equalTo("errors"))
                .body("errors.digestTime", equalTo("must be a time of day as HH:mm"))
                .body("errors.runawayCostUsd", equalTo("must be at least 0.01"))
                .body("errors.weeklyBudgetUsd", equalTo("must be a number"))
                .body("errors.timezone", equalTo(tzMessage));
        admin().get("/api/v1/teams/" + team).then().body("digestTime", equalTo("09:00"))
                .body("weeklyBudgetUsd", equalTo(500.0f));
    }

    @Test
    void aGoodSubmissionChangesTheTeamIsAuditedAndTellsTheOtherManagerOnce() throws Exception {
        long mgr2Id = Db.scalar(ds, "select id from member where email = ?", mgr2);
        submit(mgr1Slack, team, values("800", "10:00"), "FRIDAY", "C0NEWCHAN").then().statusCode(200);
        awaitUntil(() -> admin().get("/api/v1/teams/" + team).then().body("weeklyBudgetUsd", equalTo(800.0f))
                .body("digestTime", equalTo("10:00")).body("digestDay", equalTo("FRIDAY"))
                .body("slackChannelId", equalTo("C0NEWCHAN")));
        admin().get("/api/v1/teams/" + team + "/audit").then().statusCode(200).body("size()", equalTo(2))
                .body("[0].by", equalTo("slack:" + mgr1)).body("[0].via", equalTo("slack"))
                .body("[0].changes.find { it.field == 'weeklyBudgetUsd' }.from", equalTo("500.00"))
                .body("[0].changes.find { it.field == 'weeklyBudgetUsd' }.to", equalTo("800.00"))
                .body("[0].changes.find { it.field == 'digestTime' }.from", equalTo("09:00"))
                .body("[0].changes.find { it.field == 'digestTime' }.to", equalTo("10:00"))
                .body("[0].changes.size()", equalTo(4)).body("[1].by", equalTo("api:admin"));
        long auditId = Db.scalar(ds, "select max(id) from team_audit where team_key = ?", team);
        awaitUntil(() -> assertEquals(1,
                slack.calls("chat.postMessage", c -> c.param("channel").equals(mgr2Slack)).size()));
        String dm = slack.calls("chat.postMessage", c -> c.param("channel").equals(mgr2Slack)).get(0).param("text");
        assertTrue(dm.contains("Mia Manager") && dm.contains("weekly budget $500 → $800")
                && dm.contains("digest time 09:00 → 10:00"), dm);
        assertEquals(1L, Db.scalar(ds, "select count(*) from outbox_message where dedupe_key = ?",
                "team-settings:" + auditId + ":manager:" + mgr2Id));
        // the manager who made the change gets the confirmation, not the notice
        awaitUntil(() -> assertEquals(1,
                slack.calls("chat.postMessage", c -> c.param("channel").equals(mgr1Slack)).size()));
        assertTrue(slack.calls("chat.postMessage", c -> c.param("channel").equals(mgr1Slack)).get(0).param("text")
                .startsWith("Saved team"));
        assertEquals(1L, Db.scalar(ds, "select count(*) from outbox_message where dedupe_key like ?",
                "team-settings:" + auditId + ":%"));

        // the same values again change nothing and tell no one
        submit(mgr1Slack, team, values("800", "10:00"), "FRIDAY", "C0NEWCHAN").then().statusCode(200);
        awaitUntil(() -> assertEquals(2,
                slack.calls("chat.postMessage", c -> c.param("channel").equals(mgr1Slack)).size()));
        admin().get("/api/v1/teams/" + team + "/audit").then().body("size()", equalTo(2));

        // erasure leaves no email of the manager in the audit
        admin().delete("/api/v1/members/" + mgr1 + "?erase=true").then().statusCode(200);
        assertEquals(0L, Db.scalar(ds, "select count(*) from team_audit where actor ilike ? or changes::text ilike ?",
                "%" + mgr1 + "%", "%" + mgr1 + "%"));
        admin().get("/api/v1/teams/" + team + "/audit").then().body("[0].by", containsString("slack:erased-"));
        assertEquals(0L, Db.scalar(ds, "select count(*) from outbox_message where body ilike ?", "%Mia Manager%"));
    }

    @Test
    void theAppHomeOfAManagerHasTheTeamSettingsButtonWhichOpensTheModal() throws Exception {
        SlackRequests.homeOpened(mgr1Slack).then().statusCode(200);
        SlackRequests.homeOpened(anaSlack).then().statusCode(200);
        awaitUntil(() -> assertEquals(2, slack.calls("views.publish").size()));
        String mine = slack.calls("views.publish", c -> mgr1Slack.equals(c.param("user_id"))).get(0).param("view");
        String hers = slack.calls("views.publish", c -> anaSlack.equals(c.param("user_id"))).get(0).param("view");
        assertTrue(mine.contains("\"action_id\":\"team-settings\"") && mine.contains("Team settings"), mine);
        assertTrue(mine.contains("Your last 8 weeks"), mine);
        assertFalse(hers.contains("team-settings"), hers);

        SlackRequests.click(mgr1Slack, "team-settings", team, slack.responseUrl("home")).then().statusCode(200);
        awaitUntil(() -> assertEquals(1, slack.calls("views.open").size()));
        assertEquals("1.2.3", slack.calls("views.open").get(0).param("trigger_id"));
        assertEquals(team, openedView().path("private_metadata").asText());
    }
}
