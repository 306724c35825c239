package dev.yardstick.ingest;

import static dev.yardstick.Api.admin;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.yardstick.Api;
import dev.yardstick.Db;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;
import jakarta.inject.Inject;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;

/**
 * The webhooks end to end: payloads in each vendor's documented shape, signed as the vendor signs
 * them (secrets of the test profile in application.properties), replayed against the real service
 * and read back from the team summary.
 */
@QuarkusTest
class WebhooksTest {

    private static final String GITHUB_SECRET = "test-github-secret";
    private static final String LINEAR_SECRET = "test-linear-secret";
    private static final String JIRA_SECRET = "test-jira-secret";
    private static final ObjectMapper JSON = new ObjectMapper();

    @Inject
    DataSource ds;

    // --- GitHub -----------------------------------------------------------------------------

    @Test
    void mergedPullRequestCountsOnceForItsAuthorsTeam() {
        String team = Api.team("gh", "UTC");
        String login = "Ana-" + Api.unique();
        String email = member(team, login);
        String nodeId = "PR_kwDO" + Api.unique();
        byte[] body = pullRequest(nodeId, login.toLowerCase(), "acme/unmapped-" + Api.unique(), true,
                List.of("bug", "AI-Assisted"), "Retry card payments.");

        github("pull_request", body).then().statusCode(202).body("result", equalTo("accepted"));
        github("pull_request", body).then().statusCode(202).body("result", equalTo("duplicate"));

        summary(team).then().statusCode(200)
                .body("outcomes.pr_merged", equalTo(1))
                .body("outcomesTotal", equalTo(1))
                .body("activeMembers", equalTo(1));
        String id = "github-pr:" + nodeId;
        assertEquals(1, Db.scalar(ds, "select count(*) from outcome_event where id = ?", id));
        assertEquals("true", Db.string(ds, "select ai_assisted::text from outcome_event where id = ?", id));
        assertEquals(email, Db.string(ds,
                "select m.email from outcome_event o join member m on m.id = o.member_id where o.id = ?", id));
        assertEquals("https://github.com/acme/pr/" + nodeId,
                Db.string(ds, "select url from outcome_event where id = ?", id));
    }

    @Test
    void aiAssistanceIsReadFromTrailersInTheBody() {
        String team = Api.team("gh-ai", "UTC");
        String login = "dev-" + Api.unique();
        member(team, login);
        String repo = "acme/ai-" + Api.unique();
        Map<String, String> bodies = new LinkedHashMap<>();
        bodies.put("claude", "Adds retries.\n\nCo-authored-by: Claude <noreply@anthropic.com>");
        bodies.put("copilot", "Adds retries.\r\n\r\nco-authored-by: Copilot "
                + "<175728472+Copilot@users.noreply.github.com>");
        bodies.put("cursor", "Adds retries.\n\nMade-with: Cursor");
        bodies.put("person", "Adds retries.\n\nCo-authored-by: Claude Dupont <claude.dupont@acme.com>");
        bodies.put("none", "Adds retries. Claude reviewed it.");
        for (var e : bodies.entrySet()) {
            github("pull_request", pullRequest("PR_" + e.getKey() + Api.unique(), login, repo, true, List.of(),
                    e.getValue())).then().statusCode(202).body("result", equalTo("accepted"));
        }
        summary(team).then().body("outcomes.pr_merged", equalTo(5));
        assertEquals(3, Db.scalar(ds, "select sum(ai_assisted) from outcome_daily where team_key = ?", team));
    }

    @Test
    void unknownAuthorCountsForTheTeamThatOwnsTheRepositoryOrIsIgnored() {
        String repo = "acme/payments-" + Api.unique();
        String team = "pay-" + Api.unique();
        admin().body(Map.of("name", "Payments", "repositories", List.of(repo.toUpperCase())))
                .put("/api/v1/teams/" + team).then().statusCode(201);
        String mapped = "PR_m" + Api.unique();
        github("pull_request", pullRequest(mapped, "stranger-" + Api.unique(), repo, true, List.of(), null))
                .then().statusCode(202).body("result", equalTo("accepted"));
        summary(team).then().body("outcomes.pr_merged", equalTo(1)).body("activeMembers", equalTo(0));

        String unmapped = "PR_u" + Api.unique();
        github("pull_request", pullRequest(unmapped, "stranger-" + Api.unique(), "acme/other-" + Api.unique(), true,
                List.of(), null))
                .then().statusCode(202).body("result", equalTo("ignored"))
                .body("reason", containsString("not a known member"));
        assertEquals(0, Db.scalar(ds, "select count(*) from outcome_event where id = ?", "github-pr:" + unmapped));
    }

    @Test
    void forgedOrMissingGithubSignaturesStoreNothing() {
        String team = Api.team("gh-sig", "UTC");
        String login = "sig-" + Api.unique();
        member(team, login);
        String nodeId = "PR_s" + Api.unique();
        byte[] body = pullRequest(nodeId, login, "acme/x", true, List.of(), null);
        byte[] tampered = new String(body, StandardCharsets.UTF_8).replace("Retry", "Rotry")
                .getBytes(StandardCharsets.UTF_8);

        githubRequest("pull_request").header("X-Hub-Signature-256", signature(GITHUB_SECRET, body))
                .body(tampered).post("/webhooks/github").then().statusCode(401)
                .contentType("application/problem+json");
        githubRequest("pull_request").header("X-Hub-Signature-256", signature("wrong-secret", body))
                .body(body).post("/webhooks/github").then().statusCode(401);
        githubRequest("pull_request").header("X-Hub-Signature-256", WebhookSignatures.hmacHex(GITHUB_SECRET, body))
                .body(body).post("/webhooks/github").then().statusCode(401);
        githubRequest("pull_request").body(body).post("/webhooks/github").then().statusCode(401)
                .contentType("application/problem+json").body("detail", containsString("X-Hub-Signature-256"));
        githubRequest("pull_request").header("Authorization", "Bearer " + Api.ADMIN_TOKEN).body(body)
                .post("/webhooks/github").then().statusCode(401);

        assertEquals(0, Db.scalar(ds, "select count(*) from outcome_event where id = ?", "github-pr:" + nodeId));
        summary(team).then().body("outcomesTotal", equalTo(0));
    }

    @Test
    void pingOtherEventsAndUnmergedPullRequests() {
        byte[] ping = json(Map.of("zen", "Keep it logically awesome.", "hook_id", 123,
                "hook", Map.of("type", "Repository", "events", List.of("pull_request"))));
        github("ping", ping).then().statusCode(200).body("result", equalTo("pong"));

        byte[] push = json(Map.of("ref", "refs/heads/main", "repository", Map.of("full_name", "acme/x")));
        github("push", push).then().statusCode(202).body("result", equalTo("ignored"));
        github("push", "{not json".getBytes(StandardCharsets.UTF_8)).then().statusCode(400)
                .contentType("application/problem+json").body("detail", containsString("application/json"));

        String team = Api.team("gh-unmerged", "UTC");
        String login = "closer-" + Api.unique();
        member(team, login);
        String nodeId = "PR_c" + Api.unique();
        github("pull_request", pullRequest(nodeId, login, "acme/x", false, List.of("ai-assisted"), null))
                .then().statusCode(202).body("result", equalTo("accepted"));
        assertEquals(0, Db.scalar(ds, "select count(*) from outcome_event where id = ?", "github-pr:" + nodeId));
        assertEquals("pr_closed", Db.string(ds, "select kind from outcome_event where id = ?",
                "github-pr-closed:" + nodeId));
        summary(team).then().body("outcomesTotal", equalTo(0)).body("prSurvival.aiAssisted.closed", equalTo(1));
        byte[] opened = json(Map.of("action", "opened", "number", 43, "pull_request", Map.of("node_id", nodeId)));
        github("pull_request", opened).then().statusCode(202).body("result", equalTo("ignored"));
        given().get("/q/metrics").then().statusCode(200)
                .body(containsString("yardstick_webhooks_total{result=\"pong\",source=\"github\"}"))
                .body(containsString("yardstick_webhooks_total{result=\"ignored\",source=\"github\"}"));
    }

    // --- Linear -----------------------------------------------------------------------------

    @Test
    void linearIssueCompletedCountsOnce() {
        String team = Api.team("lin", "UTC");
        String email = Api.member(team);
        String issueId = UUID.randomUUID().toString();
        String stateId = UUID.randomUUID().toString();

        linear(linearIssue(issueId, stateId, "completed", email.toUpperCase(), true, Instant.now(),
                List.of("ai-assisted")))
                .then().statusCode(202).body("result", equalTo("accepted"));
        // Linear retries with a fresh timestamp and signature: still the same work.
        linear(linearIssue(issueId, stateId, "completed", email, true, Instant.now(), List.of()))
                .then().statusCode(202).body("result", equalTo("duplicate"));
        // An edit that did not change the state, and a move to a state that is not completed.
        linear(linearIssue(issueId, stateId, "completed", email, false, Instant.now(), List.of()))
                .then().statusCode(202).body("result", equalTo("ignored"));
        linear(linearIssue(UUID.randomUUID().toString(), stateId, "started", email, true, Instant.now(), List.of()))
                .then().statusCode(202).body("result", equalTo("ignored"));

        // An assignee without an email, who closed the issue themselves: the actor's email is theirs.
        String selfClosed = UUID.randomUUID().toString();
        linear(linearIssue(selfClosed, stateId, "completed", email, true, Instant.now(), List.of(), true))
                .then().statusCode(202).body("result", equalTo("accepted"));

        summary(team).then().body("outcomes.ticket_resolved", equalTo(2)).body("outcomesTotal", equalTo(2));
        String id = "linear:" + issueId + ":" + stateId;
        assertEquals("true", Db.string(ds, "select ai_assisted::text from outcome_event where id = ?", id));
        assertEquals("ENG-1 Retry card payments", Db.string(ds, "select title from outcome_event where id = ?", id));
    }

    @Test
    void linearRejectsForgedAndStaleDeliveries() {
        String team = Api.team("lin-sig", "UTC");
        String email = Api.member(team);
        String issueId = UUID.randomUUID().toString();
        byte[] body = linearIssue(issueId, UUID.randomUUID().toString(), "completed", email, true, Instant.now(),
                List.of());

        given().contentType("application/json").header("Linear-Signature", WebhookSignatures.hmacHex("x", body))
                .body(body).post("/webhooks/linear").then().statusCode(401).contentType("application/problem+json");
        given().contentType("application/json").body(body).post("/webhooks/linear").then().statusCode(401);
        linear(linearIssue(issueId, UUID.randomUUID().toString(), "completed", email, true,
                Instant.now().minusSeconds(120), List.of()))
                .then().statusCode(401).body("detail", containsString("webhookTimestamp"));
        linear(linearIssue(issueId, UUID.randomUUID().toString(), "completed", email, true,
                Instant.now().plusSeconds(120), List.of()))
                .then().statusCode(401);

        assertEquals(0, Db.scalar(ds, "select count(*) from outcome_event where id like ?", "linear:" + issueId + "%"));
        summary(team).then().body("outcomesTotal", equalTo(0));
    }

    // --- Jira -------------------------------------------------------------------------------

    @Test
    void jiraIssueDoneCountsOnceWithTheTokenInTheUrlOrAHeader() {
        String team = Api.team("jira", "UTC");
        String email = Api.member(team);
        String issueId = String.valueOf(10_000 + (int) (Math.random() * 1_000_000));
        byte[] done = jiraIssue(issueId, "10105", "status", "done", email);

        given().contentType("application/json").queryParam("token", JIRA_SECRET).body(done)
                .post("/webhooks/jira").then().statusCode(202).body("result", equalTo("accepted"));
        given().contentType("application/json").header("X-Yardstick-Token", JIRA_SECRET).body(done)
                .post("/webhooks/jira").then().statusCode(202).body("result", equalTo("duplicate"));
        given().contentType("application/json").queryParam("token", JIRA_SECRET)
                .body(jiraIssue(issueId, "10106", "summary", "done", email))
                .post("/webhooks/jira").then().statusCode(202).body("result", equalTo("ignored"));
        given().contentType("application/json").queryParam("token", JIRA_SECRET)
                .body(jiraIssue(issueId, "10107", "status", "indeterminate", email))
                .post("/webhooks/jira").then().statusCode(202).body("result", equalTo("ignored"));

        given().contentType("application/json").queryParam("token", JIRA_SECRET)
                .body(jiraIssue(issueId, "10108", "status", "done", "nobody-" + Api.unique() + "@example.com"))
                .post("/webhooks/jira").then().statusCode(202).body("result", equalTo("ignored"))
                .body("reason", containsString("not a known member"));

        summary(team).then().body("outcomes.ticket_resolved", equalTo(1));
        assertEquals("https://acme.atlassian.net/browse/PAY-7",
                Db.string(ds, "select url from outcome_event where id = ?", "jira:" + issueId + ":10105"));
    }

    @Test
    void jiraSignedDeliveryIsAcceptedAndABadSignatureIsRefusedWhateverElseItCarries() {
        String team = Api.team("jira-hmac", "UTC");
        String email = Api.member(team);
        String issueId = String.valueOf(10_000 + (int) (Math.random() * 1_000_000));
        byte[] done = jiraIssue(issueId, "20001", "status", "done", email);
        String good = "sha256=" + WebhookSignatures.hmacHex(JIRA_SECRET, done);
        byte[] other = jiraIssue(issueId, "20002", "status", "done", email);

        given().contentType("application/json").header("X-Hub-Signature", "sha256="
                + WebhookSignatures.hmacHex("not-the-secret", done)).body(done)
                .post("/webhooks/jira").then().statusCode(401).contentType("application/problem+json")
                .body("detail", containsString("X-Hub-Signature"));
        given().contentType("application/json").header("X-Hub-Signature", good).body(other)
                .post("/webhooks/jira").then().statusCode(401);
        given().contentType("application/json").header("X-Hub-Signature", good.substring("sha256=".length()))
                .body(done).post("/webhooks/jira").then().statusCode(401);
        given().contentType("application/json").header("X-Hub-Signature", "sha256=" + "0".repeat(64))
                .queryParam("token", JIRA_SECRET).body(done).post("/webhooks/jira").then().statusCode(401);
        assertEquals(0, Db.scalar(ds, "select count(*) from outcome_event where id like ?", "jira:" + issueId + ":%"));

        given().contentType("application/json").header("X-Hub-Signature", good).body(done)
                .post("/webhooks/jira").then().statusCode(202).body("result", equalTo("accepted"));
        given().contentType("application/json").header("X-Hub-Signature", good.toUpperCase().replace("SHA256=",
                "sha256=")).body(done).post("/webhooks/jira").then().statusCode(202)
                .body("result", equalTo("duplicate"));
        given().contentType("application/json").queryParam("token", JIRA_SECRET).body(other)
                .post("/webhooks/jira").then().statusCode(202).body("result", equalTo("accepted"));

        summary(team).then().body("outcomes.ticket_resolved", equalTo(2));
        assertEquals(1, Db.scalar(ds, "select count(*) from outcome_event where id = ?", "jira:" + issueId + ":20001"));
    }

    @Test
    void jiraRejectsAWrongOrMissingToken() {
        String team = Api.team("jira-sig", "UTC");
        String email = Api.member(team);
        String issueId = String.valueOf(10_000 + (int) (Math.random() * 1_000_000));
        byte[] done = jiraIssue(issueId, "1", "status", "done", email);
        given().contentType("application/json").queryParam("token", "guess").body(done)
                .post("/webhooks/jira").then().statusCode(401).contentType("application/problem+json");
        given().contentType("application/json").header("X-Yardstick-Token", JIRA_SECRET + "x").body(done)
                .post("/webhooks/jira").then().statusCode(401);
        given().contentType("application/json").body(done).post("/webhooks/jira").then().statusCode(401);
        assertEquals(0, Db.scalar(ds, "select count(*) from outcome_event where id like ?", "jira:" + issueId + ":%"));
        summary(team).then().body("outcomesTotal", equalTo(0));
    }

    @Test
    void aiTrailerRules() {
        assertTrue(AiAssisted.trailer("x\n\nCo-authored-by: Cursor Agent <cursoragent@cursor.com>"));
        assertTrue(AiAssisted.trailer("Co-Authored-By: aider (openai/gpt-4o) <noreply@aider.chat>"));
        assertTrue(AiAssisted.trailer("Co-authored-by: devin-ai-integration[bot] "
                + "<158243242+devin-ai-integration[bot]@users.noreply.github.com>"));
        assertTrue(AiAssisted.trailer("Co-authored-by: Codex <codex@openai.com>"));
        assertFalse(AiAssisted.trailer("Co-authored-by: Devin Smith <devin@example.com>"));
        assertFalse(AiAssisted.trailer("Co-authored-by: Ana <ana@example.com>"));
        assertFalse(AiAssisted.trailer("Written with Claude, no trailer."));
    }

    // --- Payloads in the vendors' shapes --------------------------------------------------------

    private static byte[] pullRequest(String nodeId, String login, String repository, boolean merged,
            List<String> labels, String body) {
        Map<String, Object> pr = new LinkedHashMap<>();
        pr.put("url", "https://api.github.com/repos/" + repository + "/pulls/42");
        pr.put("id", 1_934_000_123L);
        pr.put("node_id", nodeId);
        pr.put("html_url", "https://github.com/acme/pr/" + nodeId);
        pr.put("number", 42);
        pr.put("state", "closed");
        pr.put("title", "Retry card payments");
        pr.put("user", Map.of("login", login, "id", 583231, "node_id", "MDQ6VXNlcjU4MzIzMQ==", "type", "User"));
        pr.put("body", body);
        pr.put("labels", labels.stream().map(l -> Map.of("id", 1, "node_id", "LA_1", "name", l, "color", "ededed",
                "default", false)).toList());
        pr.put("created_at", Instant.now().minusSeconds(7200).toString());
        pr.put("closed_at", Instant.now().minusSeconds(60).toString());
        pr.put("merged_at", merged ? Instant.now().minusSeconds(60).toString() : null);
        pr.put("merge_commit_sha", merged ? "e5bd3914e2e596debea16f433f57875b5b90bcd6" : null);
        pr.put("head", Map.of("ref", "retry-payments", "sha", "6dcb09b5b57875f334f61aebed695e2e4193db5e"));
        pr.put("base", Map.of("ref", "main", "sha", "9049f1265b7d61be4a8904a9a27120d2064dab3b"));
        pr.put("merged", merged);
        Map<String, Object> payload = new LinkedHashMap<>();
        payload.put("action", "closed");
        payload.put("number", 42);
        payload.put("pull_request", pr);
        payload.put("repository", Map.of("id", 1296269, "node_id", "MDEwOlJlcG9zaXRvcnkxMjk2MjY5",
                "name", repository.substring(repository.indexOf('/') + 1), "full_name", repository,
                "private", true, "owner", Map.of("login", "acme", "type", "Organization")));
        payload.put("organization", Map.of("login", "acme", "id", 1));
        payload.put("sender", Map.of("login", login, "id", 583231, "type", "User"));
        return json(payload);
    }

    private static byte[] linearIssue(String issueId, String stateId, String stateType, String assigneeEmail,
            boolean stateChanged, Instant sentAt, List<String> labels) {
        return linearIssue(issueId, stateId, stateType, assigneeEmail, stateChanged, sentAt, labels, false);
    }

    /** With {@code emailOnActor}, the assignee object has no email and the actor (the assignee) has it. */
    private static byte[] linearIssue(String issueId, String stateId, String stateType, String assigneeEmail,
            boolean stateChanged, Instant sentAt, List<String> labels, boolean emailOnActor) {
        String assigneeId = UUID.randomUUID().toString();
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("id", issueId);
        data.put("createdAt", "2026-01-05T10:00:00.000Z");
        data.put("updatedAt", sentAt.toString());
        data.put("number", 1);
        data.put("title", "Retry card payments");
        data.put("priority", 2);
        data.put("identifier", "ENG-1");
        data.put("url", "https://linear.app/acme/issue/ENG-1/retry-card-payments");
        data.put("teamId", "team-1");
        data.put("stateId", stateId);
        data.put("state", Map.of("id", stateId, "color", "#5e6ad2", "name", "Done", "type", stateType));
        data.put("assigneeId", assigneeId);
        data.put("assignee", emailOnActor
                ? Map.of("id", assigneeId, "name", "Ana")
                : Map.of("id", assigneeId, "name", "Ana", "email", assigneeEmail));
        data.put("labelIds", List.of());
        data.put("labels", labels.stream().map(l -> Map.of("id", "label-1", "color", "#bec2c8", "name", l)).toList());
        data.put("completedAt", "completed".equals(stateType) ? sentAt.minusSeconds(1).toString() : null);
        Map<String, Object> payload = new LinkedHashMap<>();
        payload.put("action", "update");
        payload.put("actor", emailOnActor
                ? Map.of("id", assigneeId, "type", "user", "name", "Ana", "email", assigneeEmail)
                : Map.of("id", assigneeId, "type", "user", "name", "Ana"));
        payload.put("createdAt", sentAt.toString());
        payload.put("data", data);
        payload.put("url", "https://linear.app/acme/issue/ENG-1/retry-card-payments");
        payload.put("type", "Issue");
        payload.put("organizationId", "org-1");
        payload.put("webhookTimestamp", sentAt.toEpochMilli());
        payload.put("webhookId", UUID.randomUUID().toString());
        payload.put("updatedFrom", stateChanged
                ? Map.of("updatedAt", sentAt.minusSeconds(30).toString(), "stateId", "previous-state",
                        "completedAt", "")
                : Map.of("updatedAt", sentAt.minusSeconds(30).toString(), "title", "Retry payments"));
        return json(payload);
    }

    private static byte[] jiraIssue(String issueId, String changelogId, String changedField, String category,
            String assigneeEmail) {
        Map<String, Object> fields = new LinkedHashMap<>();
        fields.put("summary", "Retry card payments");
        fields.put("issuetype", Map.of("id", "10001", "name", "Story", "subtask", false));
        fields.put("project", Map.of("id", "10000", "key", "PAY", "name", "Payments"));
        fields.put("status", Map.of("self", "https://acme.atlassian.net/rest/api/2/status/10002",
                "name", "done".equals(category) ? "Done" : "In Progress", "id", "10002",
                "statusCategory", Map.of("id", "done".equals(category) ? 3 : 4, "key", category,
                        "colorName", "green", "name", "Done")));
        fields.put("assignee", Map.of("accountId", "5b10ac8d82e05b22cc7d4ef5", "emailAddress", assigneeEmail,
                "displayName", "Ana", "active", true, "timeZone", "Europe/Berlin", "accountType", "atlassian"));
        fields.put("labels", List.of());
        Map<String, Object> payload = new LinkedHashMap<>();
        payload.put("timestamp", System.currentTimeMillis());
        payload.put("webhookEvent", "jira:issue_updated");
        payload.put("issue_event_type_name", "issue_generic");
        payload.put("user", Map.of("accountId", "5b10ac8d82e05b22cc7d4ef5", "displayName", "Ana"));
        payload.put("issue", Map.of("id", issueId, "self", "https://acme.atlassian.net/rest/api/2/issue/" + issueId,
                "key", "PAY-7", "fields", fields));
        payload.put("changelog", Map.of("id", changelogId, "items", List.of(Map.of("field", changedField,
                "fieldtype", "jira", "fieldId", changedField, "from", "3", "fromString", "In Progress",
                "to", "10002", "toString", "Done"))));
        return json(payload);
    }

    // --- Helpers ------------------------------------------------------------------------------

    private static String member(String team, String githubLogin) {
        String email = "gh-" + Api.unique() + "@example.com";
        admin().body(Map.of("displayName", "Dev", "team", team, "githubLogin", githubLogin))
                .put("/api/v1/members/" + email).then().statusCode(201);
        return email;
    }

    private static Response summary(String team) {
        LocalDate today = LocalDate.now(ZoneOffset.UTC);
        return admin().get("/api/v1/teams/" + team + "/summary?from=" + today.minusDays(1) + "&to=" + today);
    }

    private static RequestSpecification githubRequest(String event) {
        return given().contentType("application/json").header("X-GitHub-Event", event)
                .header("X-GitHub-Delivery", UUID.randomUUID().toString())
                .header("User-Agent", "GitHub-Hookshot/044aadd");
    }

    private static Response github(String event, byte[] body) {
        return githubRequest(event).header("X-Hub-Signature-256", signature(GITHUB_SECRET, body)).body(body)
                .post("/webhooks/github");
    }

    private static Response linear(byte[] body) {
        return given().contentType("application/json").header("Linear-Delivery", UUID.randomUUID().toString())
                .header("Linear-Event", "Issue")
                .header("Linear-Signature", WebhookSignatures.hmacHex(LINEAR_SECRET, body)).body(body)
                .post("/webhooks/linear");
    }

    private static String signature(String secret, byte[] body) {
        return "sha256=" + WebhookSignatures.hmacHex(secret, body);
    }

    private static byte[] json(Object value) {
        try {
            return JSON.writeValueAsBytes(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
