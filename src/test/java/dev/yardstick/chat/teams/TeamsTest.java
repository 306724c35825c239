package dev.yardstick.chat.teams;

import static dev.yardstick.Api.admin;
import static dev.yardstick.Api.ingest;
import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.yardstick.Api;
import dev.yardstick.Db;
import dev.yardstick.budget.Weeks;
import dev.yardstick.digest.DigestService;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.sql.DataSource;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The Teams bot against a fake Bot Framework, identity platform and Bot Connector on loopback. */
@QuarkusTest
@TestProfile(TeamsTest.Profile.class)
class TeamsTest {

    /** Teams configured and pointed at {@link FakeTeams}. */
    public static class Profile implements QuarkusTestProfile {

        @Override
        public Map<String, String> getConfigOverrides() {
            return FakeTeams.fake().config();
        }
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    @Inject
    DataSource ds;

    FakeTeams teams = FakeTeams.fake();

    @BeforeEach
    void setUp() {
        Db.awaitOutboxIdle(ds);
        teams.reset();
    }

    // --- helpers ----------------------------------------------------------------------------

    private static String guid() {
        return UUID.randomUUID().toString();
    }

    private ObjectNode activity(String type, String conversationId, String conversationType, String aad,
            String text) {
        ObjectNode a = JSON.createObjectNode().put("type", type).put("id", "in-" + Api.unique())
                .put("channelId", "msteams").put("serviceUrl", teams.serviceUrl()).put("timestamp",
                        Instant.now().toString());
        a.putObject("from").put("id", "29:" + aad).put("aadObjectId", aad).put("name", "Someone");
        a.putObject("recipient").put("id", "28:" + FakeTeams.APP_ID).put("name", "Yardstick");
        a.putObject("conversation").put("id", conversationId).put("conversationType", conversationType)
                .put("tenantId", FakeTeams.TENANT);
        ObjectNode channelData = a.putObject("channelData");
        channelData.putObject("tenant").put("id", FakeTeams.TENANT);
        if ("channel".equals(conversationType)) {
            String channel = conversationId.split(";")[0];
            channelData.putObject("team").put("id", channel);
            channelData.putObject("channel").put("id", channel);
        }
        if (text != null) {
            a.put("text", text);
        }
        return a;
    }

    private Response send(ObjectNode activity) {
        return send(activity, teams.token(FakeTeams.APP_ID, teams.serviceUrl(), Instant.now().plusSeconds(600)));
    }

    private static Response send(ObjectNode activity, String token) {
        var req = given().contentType(ContentType.JSON).body(activity.toString());
        if (token != null) {
            req = req.header("Authorization", "Bearer " + token);
        }
        return req.post("/api/messages");
    }

    private String member(String team, String aad) {
        String email = "t-" + Api.unique() + "@example.com";
        Map<String, Object> body = new HashMap<>(Map.of("displayName", "Person " + Api.unique()));
        if (team != null) {
            body.put("team", team);
        }
        if (aad != null) {
            body.put("teamsUserId", aad);
        }
        admin().body(body).put("/api/v1/members/" + email).then().statusCode(201);
        return email;
    }

    private String team(String teamsChannelId, List<String> managers, String webhook) {
        String key = "tt-" + Api.unique();
        Map<String, Object> body = new HashMap<>(Map.of("name", "Team " + key, "timezone", "UTC",
                "weeklyBudgetUsd", 500, "managers", managers));
        if (teamsChannelId != null) {
            body.put("teamsChannelId", teamsChannelId);
        }
        if (webhook != null) {
            body.put("teamsWebhookUrl", webhook);
        }
        admin().body(body).put("/api/v1/teams/" + key).then().statusCode(201);
        return key;
    }

    /** The cards of the recorded calls; each one is checked against Adaptive Cards 1.5. */
    private static List<JsonNode> cards(List<FakeTeams.Call> calls) {
        List<JsonNode> out = new ArrayList<>();
        for (FakeTeams.Call c : calls) {
            assertEquals("message", c.body().path("type").asText(), c.body().toString());
            JsonNode attachment = c.body().path("attachments").path(0);
            assertEquals("application/vnd.microsoft.card.adaptive", attachment.path("contentType").asText());
            JsonNode card = attachment.path("content");
            assertEquals(List.of(), CardValidator.problems(card), card.toString());
            out.add(card);
        }
        return out;
    }

    /** What a card shows (text blocks and facts), not its fallback text. */
    private static String shown(JsonNode card) {
        StringBuilder s = new StringBuilder();
        for (JsonNode e : card.path("body")) {
            s.append(e.path("text").asText("")).append('\n').append(e.path("altText").asText("")).append('\n');
            for (JsonNode f : e.path("facts")) {
                s.append(f.path("title").asText()).append(": ").append(f.path("value").asText()).append('\n');
            }
        }
        return s.toString();
    }

    // --- authentication -----------------------------------------------------------------------

    @Test
    void tokensSignedByTheBotFrameworkKeyAreAcceptedAndEverythingElseIsRefused() {
        String url = teams.serviceUrl();
        ObjectNode ok = activity("conversationUpdate", "a:ok-" + Api.unique(), "personal", guid(), null);
        send(ok).then().statusCode(200);
        assertEquals(1, Db.scalar(ds, "select count(*) from teams_conversation where conversation_id = ?",
                ok.path("conversation").path("id").asText()));
        // within the 5 minutes of clock skew
        send(activity("conversationUpdate", "a:skew-" + Api.unique(), "personal", guid(), null),
                teams.token(FakeTeams.APP_ID, url, Instant.now().minusSeconds(120))).then().statusCode(200);

        // a published key endorsed for another channel vouches for that channel's activities only
        ObjectNode webchat = activity("conversationUpdate", "a:wc-" + Api.unique(), "personal", guid(), null)
                .put("channelId", "webchat");
        send(webchat, teams.webchatToken(url)).then().statusCode(200);

        Map<String, String> bad = new java.util.LinkedHashMap<>();
        bad.put("forged", FakeTeams.forged(url));
        bad.put("key not endorsed for msteams", teams.webchatToken(url));
        bad.put("expired", teams.token(FakeTeams.APP_ID, url, Instant.now().minusSeconds(6 * 60)));
        bad.put("wrong audience", teams.token("another-app", url, Instant.now().plusSeconds(600)));
        bad.put("wrong serviceUrl", teams.token(FakeTeams.APP_ID, "https://smba.example.net/evil/",
                Instant.now().plusSeconds(600)));
        bad.put("not a JWT", "not-a-token");
        bad.put("none", null);
        for (var e : bad.entrySet()) {
            String aad = guid();
            String conversation = "a:bad-" + Api.unique();
            String email = member(null, aad);
            ObjectNode a = activity("message", conversation, "personal", aad, "ai-spend");
            send(a, e.getValue()).then().statusCode(401).contentType("application/problem+json")
                    .body("status", equalTo(401));
            assertEquals(0, Db.scalar(ds, "select count(*) from teams_conversation where conversation_id = ?",
                    conversation), e.getKey());
            assertEquals(0, Db.scalar(ds, "select count(*) from outbox_message where target = ?", conversation),
                    e.getKey());
            assertTrue(email.endsWith("@example.com"));
        }
        assertTrue(teams.calls().isEmpty(), "nothing sent: " + teams.calls());
    }

    // --- commands -------------------------------------------------------------------------------

    @Test
    void aiSpendInAOneToOneChatIsAnsweredPrivately() {
        String team = team(null, List.of(), null);
        String aad = guid();
        String email = member(team, aad);
        admin().get("/api/v1/members/" + email).then().body("teamsUserId", equalTo(aad));
        String chat = "a:dm-" + Api.unique();
        send(activity("message", chat, "personal", aad, "ai-spend")).then().statusCode(200);
        await().atMost(Duration.ofSeconds(20)).until(() -> teams.posted(chat).size() == 1);
        FakeTeams.Call reply = teams.posted(chat).get(0);
        assertTrue(reply.authorization().startsWith("Bearer bot-token-"), reply.authorization());
        String shown = shown(cards(List.of(reply)).get(0));
        assertTrue(shown.contains("Spend") && shown.contains("$"), shown);
        // the person's own last 8 weeks as a picture, by its signed URL
        JsonNode own = null;
        for (JsonNode e : cards(List.of(reply)).get(0).path("body")) {
            own = "Image".equals(e.path("type").asText()) ? e : own;
        }
        assertTrue(own != null && own.path("url").asText().startsWith("https://yardstick.test.example/images/"),
                String.valueOf(own));
        io.restassured.RestAssured.given().get(own.path("url").asText().substring("https://yardstick.test.example"
                .length())).then().statusCode(200).contentType("image/png");

        // a member known only by email: the connector's member lookup finds them, and links them
        String other = guid();
        String otherEmail = member(team, null);
        teams.user("29:" + other, otherEmail.toUpperCase());
        String chat2 = "a:dm-" + Api.unique();
        send(activity("message", chat2, "personal", other, "<at>Yardstick</at> ai-spend team")).then()
                .statusCode(200);
        await().atMost(Duration.ofSeconds(20)).until(() -> teams.posted(chat2).size() == 1);
        assertTrue(shown(cards(teams.posted(chat2)).get(0)).contains("Team " + team),
                teams.posted(chat2).get(0).body().toString());
        admin().get("/api/v1/members/" + otherEmail).then().body("teamsUserId", equalTo(other));

        // help
        String chat3 = "a:dm-" + Api.unique();
        send(activity("message", chat3, "personal", aad, "help")).then().statusCode(200);
        await().atMost(Duration.ofSeconds(20)).until(() -> teams.posted(chat3).size() == 1);
        assertTrue(shown(cards(teams.posted(chat3)).get(0)).contains("ai-spend team"));
    }

    @Test
    void connectInAOneToOneChatSendsTheTokenOnceAndNeverThroughTheOutbox() {
        String team = team(null, List.of(), null);
        String aad = guid();
        String email = member(team, aad);
        String chat = "a:dm-" + Api.unique();
        send(activity("message", chat, "personal", aad, "connect")).then().statusCode(200);
        // sent during the request, not queued
        assertEquals(1, teams.posted(chat).size(), teams.calls().toString());
        JsonNode card = cards(teams.posted(chat)).get(0);
        String text = String.join("\n", card.findValuesAsText("text"));
        Matcher m = Pattern.compile("ysk_[A-Za-z0-9_-]{43}").matcher(text);
        assertTrue(m.find(), text);
        String token = m.group();
        assertTrue(text.contains("export OTEL_EXPORTER_OTLP_HEADERS=\"Authorization=Bearer " + token + "\""), text);
        assertTrue(text.contains("export OTEL_EXPORTER_OTLP_ENDPOINT=https://yardstick.test.example"), text);
        assertTrue(text.contains("\"OTEL_EXPORTER_OTLP_HEADERS\": \"Authorization=Bearer " + token + "\","), text);
        assertTrue(card.toString().contains("\"fontType\":\"Monospace\""), "the lines are code: " + card);
        assertEquals(0, Db.scalar(ds, "select count(*) from outbox_message where body like ?", "%" + token + "%"));
        assertEquals(0, Db.scalar(ds, "select count(*) from outbox_message where target = ?", chat));

        ingest(token).body(Map.of("id", "u-" + Api.unique(), "time", Instant.now().minusSeconds(30).toString(), "user",
                email, "tool", "claude-code", "model", "claude-sonnet-4-5", "costUsd", 1)).post("/api/v1/usage-events")
                .then().statusCode(202).body("accepted", equalTo(1));

        // "ai-spend connect" is the same, and replaces the token
        send(activity("message", chat, "personal", aad, "ai-spend connect")).then().statusCode(200);
        assertEquals(2, teams.posted(chat).size());
        String again = String.join("\n", cards(teams.posted(chat)).get(1).findValuesAsText("text"));
        assertTrue(again.contains("stops working now"), again);
        assertFalse(again.contains(token));
        ingest(token).body(Map.of()).post("/api/v1/usage-events").then().statusCode(401);

        // in a channel: the hint only, no token
        String thread = "19:ch-" + Api.unique() + "@thread.tacv2;messageid=1700000000001";
        long before = Db.scalar(ds, "select count(*) from ingest_token where scope_user = ?", email);
        send(activity("message", thread, "channel", aad, "<at>Yardstick</at> ai-spend connect")).then()
                .statusCode(200);
        await().atMost(Duration.ofSeconds(20)).until(() -> teams.posted(thread).size() == 1);
        assertFalse(teams.posted(thread).get(0).body().toString().contains("ysk_"));
        assertEquals(before, Db.scalar(ds, "select count(*) from ingest_token where scope_user = ?", email));

        // someone Yardstick does not know: how to get linked, no token
        String stranger = guid();
        String dm = "a:dm-" + Api.unique();
        send(activity("message", dm, "personal", stranger, "connect")).then().statusCode(200);
        await().atMost(Duration.ofSeconds(20)).until(() -> teams.posted(dm).size() == 1);
        String answer = teams.posted(dm).get(0).body().toString();
        assertTrue(answer.contains("I don't know you yet"), answer);
        assertFalse(answer.contains("ysk_"), answer);
    }

    @Test
    void aCommandInAChannelGetsAHintAndNoFigures() {
        String team = team(null, List.of(), null);
        String aad = guid();
        String email = member(team, aad);
        String channel = "19:ch-" + Api.unique() + "@thread.tacv2";
        String thread = channel + ";messageid=1700000000000";
        send(activity("message", thread, "channel", aad, "<at>Yardstick</at> ai-spend")).then().statusCode(200);
        await().atMost(Duration.ofSeconds(20)).until(() -> teams.posted(thread).size() == 1);
        JsonNode card = cards(teams.posted(thread)).get(0);
        String all = card.toString();
        assertTrue(shown(card).contains("1:1 chat"), all);
        assertFalse(all.matches("(?s).*\\$[0-9].*"), all);
        assertFalse(all.contains(email) || all.contains("Person "), all);
        assertEquals(1, Db.scalar(ds, "select count(*) from teams_conversation where conversation_id = ? "
                + "and conversation_type = 'channel' and channel_id = ?", thread, channel));
    }

    // --- card actions ---------------------------------------------------------------------------

    @Test
    void twoConcurrentApprovalsChangeTheBudgetOnce() throws Exception {
        String aad1 = guid();
        String aad2 = guid();
        String mgr1 = member(null, aad1);
        String mgr2 = member(null, aad2);
        String team = team(null, List.of(mgr1, mgr2), null);
        String aadR = guid();
        member(team, aadR);
        String mgr1Chat = "a:mgr-" + Api.unique();
        send(activity("conversationUpdate", mgr1Chat, "personal", aad1, null)).then().statusCode(200);
        String requesterChat = "a:req-" + Api.unique();
        send(activity("message", requesterChat, "personal", aadR, "ai-spend request 200 load tests")).then()
                .statusCode(200);
        // manager 1 in their chat; manager 2 had none, so one is created
        await().atMost(Duration.ofSeconds(20)).until(() -> teams.posted(mgr1Chat).size() == 1
                && teams.calls(c -> c.path().equals("/connector/v3/conversations")).size() == 1
                && teams.posted(requesterChat).size() == 1);
        FakeTeams.Call created = teams.calls(c -> c.path().equals("/connector/v3/conversations")).get(0);
        assertEquals(aad2, created.body().path("members").path(0).path("id").asText());
        assertEquals(FakeTeams.TENANT, created.body().path("channelData").path("tenant").path("id").asText());
        JsonNode ask = cards(teams.posted(mgr1Chat)).get(0);
        assertTrue(ask.toString().contains("\"verb\":\"budget.approve\""), ask.toString());
        assertTrue(ask.toString().contains("\"type\":\"Action.Submit\""), ask.toString());
        long id = Db.scalar(ds, "select id from budget_request where team_key = ?", team);
        // Universal Actions refresh: every manager's view asks for the card as it reads now
        JsonNode refresh = ask.path("refresh");
        assertEquals("Action.Execute", refresh.path("action").path("type").asText(), ask.toString());
        assertEquals("budget.current", refresh.path("action").path("verb").asText());
        assertEquals(Long.toString(id), refresh.path("action").path("data").path("value").asText());
        List<String> userIds = new ArrayList<>();
        refresh.path("userIds").forEach(u -> userIds.add(u.asText()));
        assertEquals(java.util.Set.of("29:" + aad1, "8:orgid:" + aad2), java.util.Set.copyOf(userIds), ask.toString());
        JsonNode pending = refreshed(mgr1Chat, aad1, id);
        assertTrue(pending.toString().contains("\"verb\":\"budget.approve\""), pending.toString());
        assertEquals(refresh, pending.path("refresh"));
        // someone who is not a manager sees no request
        JsonNode refused = refreshed("a:nm-" + Api.unique(), aadR, id);
        assertTrue(shown(refused).contains("Only a manager"), refused.toString());

        ExecutorService pool = Executors.newFixedThreadPool(2);
        CountDownLatch go = new CountDownLatch(1);
        List<Future<String>> answers = new ArrayList<>();
        for (String[] who : List.of(new String[]{aad1, mgr1Chat}, new String[]{aad2, "a:mgr2-" + Api.unique()})) {
            ObjectNode invoke = activity("invoke", who[1], "personal", who[0], null).put("name",
                    "adaptiveCard/action");
            ObjectNode action = invoke.putObject("value").put("trigger", "manual").putObject("action")
                    .put("type", "Action.Execute").put("verb", "budget.approve");
            action.putObject("data").put("action", "budget.approve").put("value", Long.toString(id));
            answers.add(pool.submit((Callable<String>) () -> {
                go.await();
                return send(invoke).then().statusCode(200).extract().asString();
            }));
        }
        go.countDown();
        List<String> bodies = new ArrayList<>();
        for (Future<String> f : answers) {
            bodies.add(f.get());
        }
        pool.shutdown();
        for (String body : bodies) {
            JsonNode r = JSON.readTree(body);
            assertEquals(200, r.path("statusCode").asInt(), body);
            assertEquals("application/vnd.microsoft.card.adaptive", r.path("type").asText());
            assertEquals(List.of(), CardValidator.problems(r.path("value")), body);
        }
        // each clicker's card becomes the decided card (the one the outbox puts in place): one decision
        for (String body : bodies) {
            assertTrue(body.contains("Approved by") && !body.contains("budget.approve"), body);
        }
        assertEquals(1, Db.scalar(ds, "select count(*) from budget_increase where request_id = ?", id));
        admin().get("/api/v1/teams/" + team).then().body("effectiveWeeklyBudgetUsd", equalTo(700.0f));
        // the managers' cards are updated in place
        await().atMost(Duration.ofSeconds(20)).until(() -> !teams
                .calls(c -> "PUT".equals(c.method()) && c.path().startsWith("/connector/v3/conversations/" + mgr1Chat))
                .isEmpty());
        JsonNode updated = cards(teams.calls(c -> "PUT".equals(c.method())
                && c.path().startsWith("/connector/v3/conversations/" + mgr1Chat))).get(0);
        assertTrue(shown(updated).contains("Approved by"), updated.toString());
        // whoever decided, a manager's refresh shows the decision, without buttons
        JsonNode decided = refreshed(mgr1Chat, aad2, id);
        assertTrue(shown(decided).contains("Approved by") && !decided.toString().contains("budget.approve"),
                decided.toString());
    }

    /** The card a refresh ({@code adaptiveCard/action}, trigger {@code automatic}) of a request's card answers. */
    private JsonNode refreshed(String conversation, String aad, long requestId) throws Exception {
        ObjectNode invoke = activity("invoke", conversation, "personal", aad, null).put("name", "adaptiveCard/action");
        ObjectNode action = invoke.putObject("value").put("trigger", "automatic").putObject("action")
                .put("type", "Action.Execute").put("verb", "budget.current");
        action.putObject("data").put("action", "budget.current").put("value", Long.toString(requestId));
        String body = send(invoke).then().statusCode(200).extract().asString();
        JsonNode r = JSON.readTree(body);
        assertEquals(200, r.path("statusCode").asInt(), body);
        assertEquals("application/vnd.microsoft.card.adaptive", r.path("type").asText(), body);
        assertEquals(List.of(), CardValidator.problems(r.path("value")), body);
        return r.path("value");
    }

    // --- the request form -------------------------------------------------------------------------

    @Test
    void requestAloneAnswersWithAFormWhoseSubmissionAsksTheManagers() throws Exception {
        String mgr = member(null, guid());
        String team = team(null, List.of(mgr), null);
        String aad = guid();
        member(team, aad);
        String chat = "a:form-" + Api.unique();
        send(activity("message", chat, "personal", aad, "ai-spend request")).then().statusCode(200);
        await().atMost(Duration.ofSeconds(20)).until(() -> teams.posted(chat).size() == 1);
        JsonNode form = cards(teams.posted(chat)).get(0);
        Map<String, String> inputs = new HashMap<>();
        for (JsonNode e : form.path("body")) {
            if (e.path("type").asText().startsWith("Input.")) {
                inputs.put(e.path("id").asText(), e.path("type").asText());
            }
        }
        assertEquals(Map.of("amount", "Input.Text", "reason", "Input.Text", "scope", "Input.ChoiceSet"), inputs,
                form.toString());
        JsonNode submit = actions(form).get(0);
        assertEquals("Action.Execute", submit.path("type").asText(), form.toString());
        assertEquals("budget-request", submit.path("data").path("_form").asText(), form.toString());

        // wrong values: the form again, what is wrong under its field
        String body = send(formInvoke(chat, aad, "lots", "", "week")).then().statusCode(200).extract().asString();
        JsonNode again = JSON.readTree(body).path("value");
        assertEquals(List.of(), CardValidator.problems(again), body);
        assertTrue(shown(again).contains("Enter an amount in US dollars"), body);
        assertEquals(0, Db.scalar(ds, "select count(*) from budget_request where team_key = ?", team));

        body = send(formInvoke(chat, aad, "120", "a load test", "permanent")).then().statusCode(200).extract()
                .asString();
        JsonNode done = JSON.readTree(body).path("value");
        assertEquals(List.of(), CardValidator.problems(done), body);
        assertTrue(shown(done).contains("Request #") && shown(done).contains("permanently"), body);
        assertEquals("permanent", Db.string(ds, "select scope from budget_request where team_key = ?", team));
    }

    private ObjectNode formInvoke(String chat, String aad, String amount, String reason, String scope) {
        ObjectNode invoke = activity("invoke", chat, "personal", aad, null).put("name", "adaptiveCard/action");
        ObjectNode action = invoke.putObject("value").put("trigger", "manual").putObject("action")
                .put("type", "Action.Execute").put("verb", "form.submit");
        action.putObject("data").put("action", "form.submit").put("_form", "budget-request").put("amount", amount)
                .put("reason", reason).put("scope", scope);
        return invoke;
    }

    // --- installation ---------------------------------------------------------------------------

    /** A {@code conversationUpdate} adding these member ids, as Teams sends it. */
    private ObjectNode added(String conversation, String type, String... ids) {
        ObjectNode a = activity("conversationUpdate", conversation, type, guid(), null);
        if ("channel".equals(type)) {
            ((ObjectNode) a.path("channelData")).put("eventType", "teamMemberAdded");
        }
        var members = a.putArray("membersAdded");
        for (String id : ids) {
            members.addObject().put("id", id);
        }
        return a;
    }

    @Test
    void installingTheAppIsWelcomedOnceAndPeopleAddedLaterGetNothing() {
        String bot = "28:" + FakeTeams.APP_ID;
        // a team: Teams sends both installationUpdate (add) and a conversationUpdate adding the bot
        String general = "19:inst-" + Api.unique() + "@thread.tacv2";
        ObjectNode install = activity("installationUpdate", general, "channel", guid(), null).put("action", "add");
        send(install).then().statusCode(200);
        send(added(general, "channel", bot)).then().statusCode(200);
        // a 1:1 chat
        String aad = guid();
        String chat = "a:inst-" + Api.unique();
        send(added(chat, "personal", bot, "29:" + aad)).then().statusCode(200);
        send(activity("installationUpdate", chat, "personal", aad, null).put("action", "add")).then().statusCode(200);
        await().atMost(Duration.ofSeconds(20)).until(() -> teams.posted(general).size() == 1
                && teams.posted(chat).size() == 1);
        JsonNode team = cards(teams.posted(general)).get(0);
        assertTrue(shown(team).contains("Hi, I'm Yardstick") && shown(team).contains("names, mentions or ranks")
                && shown(team).contains("**help** in a 1:1 chat"), team.toString());
        JsonNode personal = cards(teams.posted(chat)).get(0);
        assertTrue(shown(personal).contains("**ai-spend**") && shown(personal).contains("**help**"),
                personal.toString());

        // people joining the team, removal of the app: nothing
        send(added(general, "channel", "29:" + guid(), "29:" + guid())).then().statusCode(200);
        send(activity("installationUpdate", general, "channel", guid(), null).put("action", "remove")).then()
                .statusCode(200);
        Db.awaitOutboxIdle(ds);
        assertEquals(1, teams.posted(general).size(), teams.posted(general).toString());
        assertEquals(1, teams.posted(chat).size());
    }

    // --- runaway alerts ------------------------------------------------------------------------

    /** A member known to Teams only (no Slack id), with a 1:1 chat with the bot. */
    private record Person(String email, String aad, String chat) {
    }

    private Person teamsPerson(String team) {
        String aad = guid();
        String email = member(team, aad);
        String chat = "a:ra-" + Api.unique();
        send(activity("conversationUpdate", chat, "personal", aad, null)).then().statusCode(200);
        return new Person(email, aad, chat);
    }

    /** {@code n} one-request events of one session over the last 5 minutes. */
    private void loop(Person p, String session, int n) {
        token = Api.ingestToken();
        Instant end = Instant.now();
        List<Map<String, Object>> batch = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            Instant t = end.minusMillis(Duration.ofMinutes(5).toMillis() * (n - 1 - i) / Math.max(1, n - 1));
            batch.add(Map.of("id", "rl-" + Api.unique() + "-" + i, "time", t.toString(), "user", p.email(), "tool",
                    "claude-code", "model", "claude-opus-4-1", "costUsd", 0.01, "requests", 1, "sessionId",
                    session));
            if (batch.size() == 50 || i == n - 1) {
                ingest(token).body(batch).post("/api/v1/usage-events").then().statusCode(202);
                batch = new ArrayList<>();
            }
        }
    }

    /**
     * Loops a session of {@code p} past the default request ceiling (1,000 in 15 minutes) until its alert card is in
     * their 1:1 chat; returns the alert's id.
     */
    private long alerted(Person p, String session) {
        loop(p, session, 1020);
        await().atMost(Duration.ofSeconds(20)).until(() -> teams.posted(p.chat()).size() == 1);
        return Db.scalar(ds, "select id from alert where session_key = ?", session);
    }

    private String status(String team, long id) {
        return admin().get("/api/v1/teams/" + team + "/alerts").then().statusCode(200).extract().jsonPath()
                .getString("find { it.id == " + id + " }.status");
    }

    private ObjectNode execute(Person p, String conversation, String verb, long id) {
        ObjectNode invoke = activity("invoke", conversation, "personal", p.aad(), null).put("name",
                "adaptiveCard/action");
        ObjectNode action = invoke.putObject("value").put("trigger", "manual").putObject("action")
                .put("type", "Action.Execute").put("verb", verb);
        action.putObject("data").put("action", verb).put("value", Long.toString(id));
        return invoke;
    }

    private static List<JsonNode> actions(JsonNode card) {
        List<JsonNode> out = new ArrayList<>();
        for (JsonNode e : card.path("body")) {
            if ("ActionSet".equals(e.path("type").asText())) {
                e.path("actions").forEach(out::add);
            }
        }
        card.path("actions").forEach(out::add);
        return out;
    }

    private List<FakeTeams.Call> updates(String chat) {
        return teams.calls(c -> "PUT".equals(c.method())
                && c.path().startsWith("/connector/v3/conversations/" + chat + "/activities/"));
    }

    @Test
    void aLoopingSessionsUserGetsTheAlertCardInTheirOneToOneChatAndCanMarkItIntended() throws Exception {
        String team = team(null, List.of(), null);
        Person p = teamsPerson(team);
        String session = "teams-loop-" + Api.unique();
        long id = alerted(p, session);

        FakeTeams.Call post = teams.posted(p.chat()).get(0);
        JsonNode card = cards(List.of(post)).get(0);
        String shown = shown(card);
        assertTrue(shown.contains("Claude Code") && shown.contains("claude-opus-4-1") && shown.contains(session)
                && shown.contains("requests within 15 minutes"), shown);
        List<JsonNode> buttons = actions(card);
        assertEquals(List.of("runaway.intended", "runaway.snooze"),
                buttons.stream().map(b -> b.path("verb").asText()).toList(), card.toString());
        for (JsonNode b : buttons) {
            assertEquals("Action.Execute", b.path("type").asText());
            assertEquals(b.path("verb").asText(), b.path("data").path("action").asText());
            assertEquals(Long.toString(id), b.path("data").path("value").asText());
            assertEquals("Action.Submit", b.path("fallback").path("type").asText(), b.toString());
            assertEquals(b.path("data"), b.path("fallback").path("data"));
        }
        assertEquals("open", status(team, id));

        // the user answers with Action.Execute: the invoke response is the settled card, without buttons
        String body = send(execute(p, p.chat(), "runaway.intended", id)).then().statusCode(200).extract()
                .asString();
        JsonNode r = JSON.readTree(body);
        assertEquals(200, r.path("statusCode").asInt(), body);
        assertEquals("application/vnd.microsoft.card.adaptive", r.path("type").asText(), body);
        assertEquals(List.of(), CardValidator.problems(r.path("value")), body);
        assertEquals(List.of(), actions(r.path("value")), body);
        assertFalse(body.contains("Action.Execute") || body.contains("Action.Submit"), body);
        assertTrue(shown(r.path("value")).contains("Marked as intended"), body);
        assertTrue(shown(r.path("value")).contains(session), body);
        assertEquals("intended", status(team, id));

        // and the alert's message is updated in place with the same card
        await().atMost(Duration.ofSeconds(20)).until(() -> updates(p.chat()).size() == 1);
        JsonNode updated = cards(updates(p.chat())).get(0);
        assertTrue(shown(updated).contains("Marked as intended"), updated.toString());
        assertEquals(List.of(), actions(updated));
        assertEquals(r.path("value").path("body"), updated.path("body"));
        assertEquals(1, teams.posted(p.chat()).size(), "no extra message: " + teams.posted(p.chat()));
        assertTrue(updates(p.chat()).get(0).path().matches(".*/activities/act-[0-9]+"), updates(p.chat()).toString());
    }

    @Test
    void anotherTeamsUsersClickOnSomeonesAlertIsRefusedPrivatelyAndChangesNothing() throws Exception {
        String team = team(null, List.of(), null);
        Person p = teamsPerson(team);
        Person mallory = teamsPerson(team);
        long id = alerted(p, "teams-mal-" + Api.unique());

        String body = send(execute(mallory, mallory.chat(), "runaway.intended", id)).then().statusCode(200)
                .extract().asString();
        JsonNode r = JSON.readTree(body);
        assertEquals(200, r.path("statusCode").asInt(), body);
        assertEquals(List.of(), CardValidator.problems(r.path("value")), body);
        assertTrue(shown(r.path("value")).contains("someone else's session"), body);
        // the fallback (Action.Submit) path too: the refusal goes to the clicker's own chat only
        ObjectNode submit = activity("message", mallory.chat(), "personal", mallory.aad(), null);
        submit.putObject("value").put("action", "runaway.snooze").put("value", Long.toString(id));
        send(submit).then().statusCode(200);
        await().atMost(Duration.ofSeconds(20)).until(() -> teams.posted(mallory.chat()).size() == 1);
        assertTrue(shown(cards(teams.posted(mallory.chat())).get(0)).contains("someone else's session"));
        Db.awaitOutboxIdle(ds);

        assertEquals("open", status(team, id));
        assertEquals(1, teams.posted(p.chat()).size());
        assertTrue(updates(p.chat()).isEmpty(), updates(p.chat()).toString());
        assertEquals(0,
                Db.scalar(ds, "select count(*) from member where email = ? and alerts_snoozed_until is not null",
                        p.email()));
    }

    @Test
    void theActionSubmitFallbackSnoozesTheUsersAlerts() {
        String team = team(null, List.of(), null);
        Person p = teamsPerson(team);
        long id = alerted(p, "teams-snz-" + Api.unique());

        ObjectNode submit = activity("message", p.chat(), "personal", p.aad(), null);
        submit.putObject("value").put("action", "runaway.snooze").put("value", Long.toString(id));
        send(submit).then().statusCode(200);
        assertEquals("snoozed", status(team, id));
        await().atMost(Duration.ofSeconds(20))
                .until(() -> teams.posted(p.chat()).size() == 2 && updates(p.chat()).size() == 1);
        JsonNode updated = cards(updates(p.chat())).get(0);
        assertTrue(shown(updated).contains("Snoozed"), updated.toString());
        assertEquals(List.of(), actions(updated));
        assertTrue(shown(cards(teams.posted(p.chat())).get(1)).contains("Snoozed"));

        // snoozed: the next looping session is recorded, not sent
        String next = "teams-snz2-" + Api.unique();
        loop(p, next, 1020);
        await().atMost(Duration.ofSeconds(20))
                .until(() -> Db.scalar(ds, "select count(*) from alert where session_key = ?", next) == 1);
        Db.awaitOutboxIdle(ds);
        assertEquals("snoozed", Db.string(ds, "select status from alert where session_key = ?", next));
        assertEquals(2, teams.posted(p.chat()).size());
    }

    // --- digest ---------------------------------------------------------------------------------

    private String token;

    private void usage(String user, Instant t, double cost) {
        ingest(token).body(Map.of("id", "u-" + Api.unique(), "time", t.toString(), "user", user, "tool",
                "claude-code", "model", "claude-sonnet-4-5", "costUsd", cost)).post("/api/v1/usage-events").then()
                .statusCode(202);
    }

    private void shipped(String user, Instant t) {
        ingest(token).body(Map.of("id", "o-" + Api.unique(), "time", t.toString(), "user", user, "kind",
                "pr_merged", "aiAssisted", true)).post("/api/v1/outcome-events").then().statusCode(202);
    }

    private List<String> people(String team) {
        token = Api.ingestToken();
        LocalDate monday = Weeks.start(Instant.now(), ZoneId.of("UTC")).minusWeeks(1);
        Instant t = monday.atStartOfDay(ZoneId.of("UTC")).toInstant().plusSeconds(86400);
        List<String> names = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            String email = member(team, guid());
            names.add(email);
            names.add(admin().get("/api/v1/members/" + email).then().extract().path("displayName"));
            usage(email, t.plusSeconds(i), 10 + i);
            shipped(email, t.plusSeconds(i));
        }
        return names;
    }

    private static List<String> figures(String s) {
        List<String> out = new ArrayList<>();
        Matcher m = Pattern.compile("\\$[0-9][0-9,]*(\\.[0-9]+)?|[0-9]+%").matcher(s);
        while (m.find()) {
            out.add(m.group());
        }
        return out;
    }

    @Test
    void theDigestReachesTheTeamsChannelAsACardWithTheSlackFiguresAndNoNames() throws Exception {
        String channel = "19:dg-" + Api.unique() + "@thread.tacv2";
        String team = team(channel, List.of(), null);
        // the bot was added to the team: Teams tells it about the channel
        send(activity("conversationUpdate", channel, "channel", guid(), null)).then().statusCode(200);
        List<String> names = people(team);
        String week = DigestService.isoWeek(Weeks.start(Instant.now(), ZoneId.of("UTC")).minusWeeks(1));
        String slack = admin().get("/api/v1/teams/" + team + "/digest?week=" + week).then().statusCode(200)
                .extract().asString();
        admin().post("/api/v1/teams/" + team + "/digest/send?week=" + week).then().statusCode(200);
        await().atMost(Duration.ofSeconds(20)).until(() -> teams.posted(channel).size() == 1);
        List<JsonNode> cards = cards(teams.posted(channel));
        String digest = shown(cards.get(0));
        List<String> expected = figures(slack);
        assertFalse(expected.isEmpty(), slack);
        for (String figure : expected) {
            assertTrue(digest.contains(figure), figure + " missing from the Teams digest:\n" + digest);
        }
        // the chart inside the digest's card, at full size by its signed URL (no data URI squeezed under 28 KB)
        JsonNode image = null;
        for (JsonNode e : cards.get(0).path("body")) {
            if ("Image".equals(e.path("type").asText())) {
                image = e;
            }
        }
        assertTrue(image != null, cards.get(0).toString());
        String url = image.path("url").asText();
        assertTrue(url.startsWith("https://yardstick.test.example/images/"), url);
        assertEquals("Stretch", image.path("size").asText());
        byte[] png = io.restassured.RestAssured.given().get(url.substring("https://yardstick.test.example".length()))
                .then().statusCode(200).contentType("image/png").extract().asByteArray();
        assertEquals(dev.yardstick.chat.ChartPng.WIDTH,
                javax.imageio.ImageIO.read(new java.io.ByteArrayInputStream(png))
                        .getWidth(),
                "full size");
        for (JsonNode card : cards) {
            for (String name : names) {
                assertFalse(card.toString().contains(name), name + " named in a channel card");
            }
        }
        admin().get("/api/v1/teams/" + team + "/digests").then().body("find { it.platform == 'teams' }.status",
                equalTo("sent"));
        admin().get("/api/v1/teams/" + team).then().body("teamsChannelId", equalTo(channel));
    }

    @Test
    void aTeamWithOnlyAWorkflowsWebhookGetsTheDigestThere() {
        String hook = teams.base() + "/webhook/" + Api.unique();
        String team = team(null, List.of(), hook);
        admin().get("/api/v1/teams/" + team).then().body("teamsWebhook", equalTo(true));
        try {
            webhookDigest(team, hook);
        } finally {
            // a webhook makes Teams a configured platform; later tests on this database expect none
            admin().body(Map.of("name", "Team " + team, "timezone", "UTC")).put("/api/v1/teams/" + team).then()
                    .statusCode(200);
        }
    }

    private void webhookDigest(String team, String hook) {
        List<String> names = people(team);
        String week = DigestService.isoWeek(Weeks.start(Instant.now(), ZoneId.of("UTC")).minusWeeks(1));
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
            admin().post("/api/v1/teams/" + team + "/digest/send?week=" + week).then().statusCode(200);
            assertFalse(teams.calls(c -> c.path().equals(java.net.URI.create(hook).getPath())).isEmpty());
        });
        List<FakeTeams.Call> posts = teams.calls(c -> c.path().startsWith("/webhook/"));
        List<JsonNode> cards = cards(posts);
        assertTrue(shown(cards.get(0)).contains("$"), cards.get(0).toString());
        for (String name : names) {
            assertFalse(posts.toString().contains(name));
        }
    }
}
