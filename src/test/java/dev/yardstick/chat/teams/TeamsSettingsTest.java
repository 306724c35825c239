package dev.yardstick.chat.teams;

import static dev.yardstick.Api.admin;
import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.yardstick.Api;
import dev.yardstick.Db;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import javax.sql.DataSource;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Team settings in Teams: {@code settings} in the 1:1 chat answers with a card form, saved with Action.Execute. */
@QuarkusTest
@TestProfile(TeamsTest.Profile.class)
class TeamsSettingsTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Inject
    DataSource ds;

    FakeTeams teams = FakeTeams.fake();
    String team;
    String mgrAad;
    String otherAad;
    String strangerAad;

    @BeforeEach
    void setUp() {
        Db.awaitOutboxIdle(ds);
        teams.reset();
        String u = Api.unique();
        team = "ts-" + u;
        mgrAad = UUID.randomUUID().toString();
        otherAad = UUID.randomUUID().toString();
        strangerAad = UUID.randomUUID().toString();
        String mgr = "tm1-" + u + "@example.com";
        String other = "tm2-" + u + "@example.com";
        admin().body(Map.of("name", "Teams team " + u, "managers", List.of(mgr, other), "weeklyBudgetUsd", 500,
                "timezone", "UTC")).put("/api/v1/teams/" + team).then().statusCode(201);
        admin().body(Map.of("team", team, "teamsUserId", mgrAad)).put("/api/v1/members/" + mgr).then()
                .statusCode(201);
        admin().body(Map.of("team", team, "teamsUserId", otherAad)).put("/api/v1/members/" + other).then()
                .statusCode(201);
        admin().body(Map.of("team", team, "teamsUserId", strangerAad))
                .put("/api/v1/members/ts-x-" + u + "@example.com").then().statusCode(201);
    }

    private ObjectNode activity(String type, String conversationId, String aad, String text) {
        ObjectNode a = JSON.createObjectNode().put("type", type).put("id", "in-" + Api.unique())
                .put("channelId", "msteams").put("serviceUrl", teams.serviceUrl())
                .put("timestamp", Instant.now().toString());
        a.putObject("from").put("id", "29:" + aad).put("aadObjectId", aad).put("name", "Someone");
        a.putObject("recipient").put("id", "28:" + FakeTeams.APP_ID).put("name", "Yardstick");
        a.putObject("conversation").put("id", conversationId).put("conversationType", "personal")
                .put("tenantId", FakeTeams.TENANT);
        a.putObject("channelData").putObject("tenant").put("id", FakeTeams.TENANT);
        if (text != null) {
            a.put("text", text);
        }
        return a;
    }

    private Response send(ObjectNode activity) {
        return given().contentType(ContentType.JSON).body(activity.toString())
                .header("Authorization", "Bearer "
                        + teams.token(FakeTeams.APP_ID, teams.serviceUrl(), Instant.now().plusSeconds(600)))
                .post("/api/messages");
    }

    private static JsonNode card(FakeTeams.Call call) {
        JsonNode card = call.body().path("attachments").path(0).path("content");
        assertEquals(List.of(), CardValidator.problems(card), card.toString());
        return card;
    }

    private static JsonNode element(JsonNode card, String id) {
        for (JsonNode e : card.path("body")) {
            if (id.equals(e.path("id").asText())) {
                return e;
            }
        }
        throw new AssertionError("no input " + id + " in " + card);
    }

    /** The Action.Execute of the form's Save, with the inputs' values merged into its data, as Teams sends it. */
    private ObjectNode save(String chat, String aad, JsonNode form, Map<String, String> values) {
        JsonNode execute = null;
        for (JsonNode e : form.path("body")) {
            if ("ActionSet".equals(e.path("type").asText())) {
                execute = e.path("actions").path(0);
            }
        }
        assertEquals("Action.Execute", execute.path("type").asText(), form.toString());
        ObjectNode invoke = activity("invoke", chat, aad, null).put("name", "adaptiveCard/action");
        ObjectNode action = invoke.putObject("value").put("trigger", "manual").putObject("action")
                .put("type", "Action.Execute").put("verb", execute.path("verb").asText());
        ObjectNode data = ((ObjectNode) execute.path("data")).deepCopy();
        for (JsonNode e : form.path("body")) {
            if (e.path("type").asText().startsWith("Input.")) {
                data.put(e.path("id").asText(), values.getOrDefault(e.path("id").asText(), e.path("value").asText()));
            }
        }
        action.set("data", data);
        return invoke;
    }

    private JsonNode formIn(String chat, String aad) {
        send(activity("message", chat, aad, "settings")).then().statusCode(200);
        await().atMost(Duration.ofSeconds(20)).until(() -> teams.posted(chat).size() == 1);
        return card(teams.posted(chat).get(0));
    }

    @Test
    void settingsAnswersWithAFormFilledInAndSavingWithBadValuesShowsTheErrors() throws Exception {
        String chat = "a:set-" + Api.unique();
        JsonNode form = formIn(chat, mgrAad);
        assertEquals("500", element(form, "weeklyBudgetUsd").path("value").asText());
        assertEquals("Input.ChoiceSet", element(form, "digestDay").path("type").asText());
        assertEquals("MONDAY", element(form, "digestDay").path("value").asText());
        assertEquals("09:00", element(form, "digestTime").path("value").asText());
        assertEquals("Input.Text", element(form, "teamsChannelId").path("type").asText());

        JsonNode answer = JSON.readTree(send(save(chat, mgrAad, form, Map.of("digestTime", "9am",
                "runawayRequests", "0"))).then().statusCode(200).extract().asString());
        JsonNode again = answer.path("value");
        assertEquals(List.of(), CardValidator.problems(again), again.toString());
        assertEquals("9am", element(again, "digestTime").path("value").asText());
        List<String> attention = new ArrayList<>();
        again.path("body").forEach(e -> {
            if ("Attention".equals(e.path("color").asText())) {
                attention.add(e.path("text").asText());
            }
        });
        assertEquals(List.of("must be at least 1", "must be a time of day as HH:mm"), attention);
        admin().get("/api/v1/teams/" + team).then().body("digestTime", equalTo("09:00"))
                .body("runawayRequests", equalTo(1000));
        admin().get("/api/v1/teams/" + team + "/audit").then().body("size()", equalTo(1));
    }

    @Test
    void goodValuesAreSavedAuditedAndTheOtherManagerIsTold() throws Exception {
        String chat = "a:set-" + Api.unique();
        String otherChat = "a:other-" + Api.unique();
        send(activity("conversationUpdate", otherChat, otherAad, null)).then().statusCode(200);
        JsonNode form = formIn(chat, mgrAad);
        JsonNode answer = JSON.readTree(send(save(chat, mgrAad, form, Map.of("weeklyBudgetUsd", "750",
                "digestDay", "TUESDAY", "teamsChannelId", "19:abc@thread.tacv2"))).then().statusCode(200).extract()
                .asString());
        String shown = answer.path("value").path("body").path(0).path("text").asText();
        assertTrue(shown.startsWith("Saved team") && shown.contains("$750"), shown);
        admin().get("/api/v1/teams/" + team).then().body("weeklyBudgetUsd", equalTo(750.0f))
                .body("digestDay", equalTo("TUESDAY")).body("teamsChannelId", equalTo("19:abc@thread.tacv2"));
        admin().get("/api/v1/teams/" + team + "/audit").then().body("size()", equalTo(2))
                .body("[0].via", equalTo("teams")).body("[0].changes.size()", equalTo(3));
        await().atMost(Duration.ofSeconds(20)).until(() -> teams.posted(otherChat).size() == 1);
        String notice = card(teams.posted(otherChat).get(0)).path("body").path(0).path("text").asText();
        assertTrue(notice.contains("weekly budget $500 → $750"), notice);
        assertEquals(1, teams.posted(chat).size()); // the form only: the actor's answer is the invoke's card
    }

    @Test
    void someoneWhoIsNotAManagerGetsANoteAndNoForm() throws Exception {
        String chat = "a:set-" + Api.unique();
        send(activity("message", chat, strangerAad, "settings")).then().statusCode(200);
        await().atMost(Duration.ofSeconds(20)).until(() -> teams.posted(chat).size() == 1);
        JsonNode card = card(teams.posted(chat).get(0));
        assertTrue(card.path("body").path(0).path("text").asText().contains("Only the managers"), card.toString());

        // and a Save forged from a manager's card changes nothing
        String mgrChat = "a:set-" + Api.unique();
        JsonNode form = formIn(mgrChat, mgrAad);
        JsonNode answer = JSON.readTree(send(save(chat, strangerAad, form, Map.of("weeklyBudgetUsd", "9000")))
                .then().statusCode(200).extract().asString());
        assertTrue(answer.path("value").path("body").path(0).path("text").asText().contains("Only the managers"));
        admin().get("/api/v1/teams/" + team).then().body("weeklyBudgetUsd", equalTo(500.0f));
    }
}
