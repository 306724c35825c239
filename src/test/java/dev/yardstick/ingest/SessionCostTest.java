package dev.yardstick.ingest;

import static dev.yardstick.Api.admin;
import static dev.yardstick.Api.ingest;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.yardstick.Api;
import dev.yardstick.Db;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import jakarta.inject.Inject;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import javax.sql.DataSource;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The AI cost of a merged pull request and of a resolved ticket: the spend of the sessions linked to its branch, from
 * when each link arrived until the merge (or resolution), checked against sums done by hand. Webhooks in GitHub's,
 * Linear's and Jira's documented shapes, signed as they sign them.
 */
@QuarkusTest
class SessionCostTest {

    private static final String GITHUB_SECRET = "test-github-secret";
    private static final AtomicLong IDS = new AtomicLong(System.nanoTime() % 1_000_000_000L);

    @Inject
    DataSource ds;

    String token;
    String user;
    Instant t;

    @BeforeEach
    void setUp() {
        token = Api.ingestToken();
        user = "cost-" + Api.unique() + "@example.com";
        t = Instant.now().truncatedTo(ChronoUnit.SECONDS);
    }

    @Test
    void aMergedPullRequestCostsWhatItsBranchsSessionsSpentBetweenTheirLinkAndTheMerge() {
        String repo = "acme/cost-" + Api.unique();
        String team = teamOwning(repo);
        String branch = "ana/eng-" + (IDS.incrementAndGet() % 100000) + "-retry";
        String a = session(), b = session(), elsewhere = session();
        link(a, repo, branch, t.minus(60, ChronoUnit.MINUTES));
        link(b, repo, branch, t.minus(50, ChronoUnit.MINUTES));
        link(elsewhere, repo, "bo/other-work", t.minus(60, ChronoUnit.MINUTES));
        // b moves to another branch 15 minutes before the merge: its later spend is not this PR's
        link(b, repo, "ana/next-thing", t.minus(15, ChronoUnit.MINUTES));

        usage(a, t.minus(90, ChronoUnit.MINUTES), "5.00"); // before a's link arrived: not counted
        usage(a, t.minus(30, ChronoUnit.MINUTES), "1.25"); // counted
        usage(b, t.minus(20, ChronoUnit.MINUTES), "2.50"); // counted
        usage(a, t.minus(10, ChronoUnit.MINUTES), "0.75"); // counted
        usage(b, t.minus(12, ChronoUnit.MINUTES), "3.00"); // after b moved branches: not counted
        usage(elsewhere, t.minus(15, ChronoUnit.MINUTES), "9.00"); // another branch: not counted
        usage(a, t.plusSeconds(60), "4.00"); // after the merge: not counted

        String nodeId = "PR_k" + Api.unique();
        github(pullRequest(nodeId, 17, repo, true, branch, "Retry card payments", "No trailer here.",
                t.minus(5, ChronoUnit.MINUTES))).then().statusCode(202).body("result", equalTo("accepted"));

        // 1.25 + 2.50 + 0.75, by hand
        assertEquals("4.50000000", Db.string(ds, "select ai_cost_usd::text from outcome_event where id = ?",
                "github-pr:" + nodeId));
        assertEquals("true", Db.string(ds, "select ai_assisted::text from outcome_event where id = ?",
                "github-pr:" + nodeId), "a linked session that spent makes the PR AI-assisted");
        assertEquals(branch, Db.string(ds, "select branch from outcome_event where id = ?", "github-pr:" + nodeId));
        assertEquals(1, Db.scalar(ds, "select coalesce(sum(ai_assisted), 0) from outcome_daily where team_key = ?"
                + " and kind = 'pr_merged'", team));

        // the digest of the merge's week: the median of the one known cost
        java.time.LocalDate day = t.minus(5, ChronoUnit.MINUTES).atZone(java.time.ZoneOffset.UTC).toLocalDate();
        String digest = admin().get("/api/v1/teams/" + team + "/digest?week="
                + dev.yardstick.digest.DigestService.isoWeek(day)).then().statusCode(200).extract().asString();
        org.junit.jupiter.api.Assertions.assertTrue(
                digest.contains("$4.50 median; the one PR merged had a known AI cost"), digest);
        org.junit.jupiter.api.Assertions.assertFalse(digest.contains("Retry card payments"), digest);
    }

    @Test
    void aPullRequestWithoutLinkedSessionsHasNoKnownCostAndOneWhoseSessionsSpentNothingCostsZero() {
        String repo = "acme/nocost-" + Api.unique();
        teamOwning(repo);
        String none = "PR_n" + Api.unique();
        github(pullRequest(none, 3, repo, true, "feature/unlinked", "Tidy", null, t.minusSeconds(30)))
                .then().statusCode(202);
        assertNull(Db.string(ds, "select ai_cost_usd::text from outcome_event where id = ?", "github-pr:" + none));
        assertNull(Db.string(ds, "select ai_assisted::text from outcome_event where id = ?", "github-pr:" + none));

        String idle = session();
        link(idle, repo, "feature/idle", t.minus(10, ChronoUnit.MINUTES));
        String zero = "PR_z" + Api.unique();
        github(pullRequest(zero, 4, repo, true, "feature/idle", "Tidy more", null, t.minusSeconds(30)))
                .then().statusCode(202);
        assertEquals("0.00000000", Db.string(ds, "select ai_cost_usd::text from outcome_event where id = ?",
                "github-pr:" + zero));
        assertNull(Db.string(ds, "select ai_assisted::text from outcome_event where id = ?", "github-pr:" + zero));
    }

    @Test
    void aSecondPullRequestFromTheSameBranchCountsOnlyTheSpendAfterTheFirstMerged() {
        String repo = "acme/again-" + Api.unique();
        teamOwning(repo);
        String s = session();
        link(s, repo, "fix/flaky", t.minus(60, ChronoUnit.MINUTES));
        usage(s, t.minus(50, ChronoUnit.MINUTES), "2.00");
        usage(s, t.minus(20, ChronoUnit.MINUTES), "0.40");
        String first = "PR_1" + Api.unique(), second = "PR_2" + Api.unique();
        github(pullRequest(first, 8, repo, true, "fix/flaky", "Fix", null, t.minus(30, ChronoUnit.MINUTES)))
                .then().statusCode(202);
        github(pullRequest(second, 9, repo, true, "fix/flaky", "Fix again", null, t.minus(5, ChronoUnit.MINUTES)))
                .then().statusCode(202);
        assertEquals("2.00000000", Db.string(ds, "select ai_cost_usd::text from outcome_event where id = ?",
                "github-pr:" + first));
        assertEquals("0.40000000", Db.string(ds, "select ai_cost_usd::text from outcome_event where id = ?",
                "github-pr:" + second));
    }

    @Test
    void theShippedListGivesEachPullRequestsStatusAndCostButNeverItsAuthorOrTitle() {
        String repo = "acme/list-" + Api.unique();
        String team = teamOwning(repo);
        Instant when = t.minusSeconds(60);
        String s = session();
        link(s, repo, "ana/list-work", when.minus(30, ChronoUnit.MINUTES));
        usage(s, when.minus(20, ChronoUnit.MINUTES), "1.10");
        github(pullRequest("PR_l" + Api.unique(), 21, repo, true, "ana/list-work", "Secret title one", null, when))
                .then().statusCode(202);
        github(pullRequest("PR_c" + Api.unique(), 22, repo, false, "bo/abandoned", "Secret title two", null, when))
                .then().statusCode(202);
        github(pullRequest("PR_r" + Api.unique(), 23, repo, true, "revert-21-ana/list-work",
                "Revert \"Secret title one\"", "Reverts " + repo + "#21", when)).then().statusCode(202);
        String week = dev.yardstick.digest.DigestService.isoWeek(when.atZone(java.time.ZoneOffset.UTC).toLocalDate());

        Response r = admin().get("/api/v1/teams/" + team + "/shipped?week=" + week);
        r.then().statusCode(200).body("week", equalTo(week));
        String raw = r.asString();
        org.junit.jupiter.api.Assertions.assertFalse(raw.contains("Secret title") || raw.contains("dev-"), raw);
        io.restassured.path.json.JsonPath json = r.jsonPath();
        List<Map<String, Object>> prs = json.getList("pullRequests");
        assertEquals(3, prs.size(), raw);
        for (Map<String, Object> pr : prs) {
            org.junit.jupiter.api.Assertions.assertTrue(java.util.Set.of("repository", "number", "status", "aiCostUsd",
                    "aiAssisted", "reverts").containsAll(pr.keySet()), pr.toString());
        }
        assertEquals(Map.of("repository", repo, "number", 21, "status", "merged", "aiCostUsd", 1.1f,
                "aiAssisted", true), prs.get(0));
        Map<String, Object> closed = new java.util.HashMap<>(Map.of("repository", repo, "number", 22, "status",
                "closed", "aiAssisted", false));
        closed.put("aiCostUsd", null);
        assertEquals(closed, prs.get(1));
        assertEquals("reverted", prs.get(2).get("status"));
        assertEquals(repo + "#21", prs.get(2).get("reverts"));
        assertEquals(List.of(), json.getList("tickets"));

        admin().get("/api/v1/teams/" + team + "/shipped").then().statusCode(400);
        admin().get("/api/v1/teams/" + team + "/shipped?week=2026-W60").then().statusCode(400);
        admin().get("/api/v1/teams/no-such-" + Api.unique() + "/shipped?week=" + week).then().statusCode(404);
        given().header("Authorization", "Bearer " + token).get("/api/v1/teams/" + team + "/shipped?week=" + week)
                .then().statusCode(401);
    }

    @Test
    void aResolvedTicketCostsWhatTheSessionsOnBranchesNamingItsKeySpent() {
        String team = Api.team("tix", "UTC");
        String ana = Api.member(team);
        long n = 1000 + IDS.incrementAndGet() % 100000;
        String key = "ENG-" + n;
        String a = session(), b = session(), longer = session(), other = session();
        link(a, "acme/widgets", "ana/eng-" + n + "-retry", t.minus(60, ChronoUnit.MINUTES));
        link(b, "acme/api", "ENG-" + n, t.minus(40, ChronoUnit.MINUTES));
        link(longer, "acme/widgets", "ana/eng-" + n + "7-other", t.minus(60, ChronoUnit.MINUTES));
        link(other, "acme/widgets", "main", t.minus(60, ChronoUnit.MINUTES));
        usage(a, t.minus(70, ChronoUnit.MINUTES), "8.00"); // before the link: not counted
        usage(a, t.minus(30, ChronoUnit.MINUTES), "1.20"); // counted
        usage(b, t.minus(20, ChronoUnit.MINUTES), "0.30"); // counted, in another repository
        usage(longer, t.minus(20, ChronoUnit.MINUTES), "5.00"); // ENG-<n>7 is another ticket
        usage(other, t.minus(20, ChronoUnit.MINUTES), "7.00");
        usage(a, t.plusSeconds(30), "2.00"); // after the resolution: not counted

        String issueId = UUID.randomUUID().toString();
        Instant resolved = t.minusSeconds(10);
        linear(linearIssue(issueId, key, ana, resolved)).then().statusCode(202).body("result", equalTo("accepted"));
        String id = Db.string(ds, "select id from outcome_event where id like ?", "linear:" + issueId + ":%");
        assertEquals(key + "|1.50000000|true", Db.string(ds,
                "select ticket_key || '|' || ai_cost_usd || '|' || ai_assisted from outcome_event where id = ?", id));

        // Jira: the same rule, by the issue's key
        String jiraKey = "PAY-" + n;
        String c = session();
        link(c, "acme/payments", "feature/pay-" + n, t.minus(15, ChronoUnit.MINUTES));
        usage(c, t.minus(5, ChronoUnit.MINUTES), "0.45");
        String jiraId = String.valueOf(IDS.incrementAndGet());
        jira(jiraIssue(jiraId, jiraKey, ana)).then().statusCode(202).body("result", equalTo("accepted"));
        assertEquals("0.45000000", Db.string(ds, "select ai_cost_usd::text from outcome_event where id like ?",
                "jira:" + jiraId + ":%"));

        String week = dev.yardstick.digest.DigestService.isoWeek(
                resolved.atZone(java.time.ZoneOffset.UTC).toLocalDate());
        Response r = admin().get("/api/v1/teams/" + team + "/shipped?week=" + week);
        r.then().statusCode(200);
        List<Map<String, Object>> tickets = r.jsonPath().getList("tickets");
        org.junit.jupiter.api.Assertions.assertTrue(tickets.contains(Map.of("key", key, "aiCostUsd", 1.5f,
                "aiAssisted", true)), tickets.toString());
        org.junit.jupiter.api.Assertions.assertTrue(tickets.contains(Map.of("key", jiraKey, "aiCostUsd", 0.45f,
                "aiAssisted", true)), tickets.toString());
        org.junit.jupiter.api.Assertions.assertFalse(r.asString().contains("Retry card payments")
                || r.asString().contains(ana), r.asString());
    }

    @Test
    void openTelemetryResourceAttributesNamingTheRepositoryAndBranchLinkTheSession() {
        String repo = "acme/otel-" + Api.unique();
        teamOwning(repo);
        String branch = "ana/otel-" + Api.unique();
        String s = session(), tagged = session(), elsewhere = session();
        // as OTEL_RESOURCE_ATTRIBUTES sets them (semantic conventions: vcs.repository.url.full, vcs.ref.head.name)
        String resource = vcs("https://github.com/" + repo.toUpperCase(java.util.Locale.ROOT) + ".git", branch, null);
        otlpLog(resource, s, t.minus(20, ChronoUnit.MINUTES), 1.25); // the link's start: counted
        otlpLog(resource, s, t.minus(10, ChronoUnit.MINUTES), 0.75); // counted
        otlpLog(resource, s, t.plusSeconds(60), 4.00); // after the merge: not counted
        otlpLog(vcs("git@github.com:" + repo + ".git", branch, "tag"), tagged, t.minus(10, ChronoUnit.MINUTES), 9.00);
        otlpLog(vcs("https://github.com/" + repo, "bo/other", null), elsewhere, t.minus(10, ChronoUnit.MINUTES), 8.00);
        assertEquals(repo + "|" + branch + "|" + Timestamp.from(t.minus(20, ChronoUnit.MINUTES)).getTime(),
                Db.string(ds,
                        "select repository || '|' || branch || '|' || (extract(epoch from linked_at) * 1000)::bigint"
                                + " from session_link where session_id = ?",
                        s));
        assertNull(Db.string(ds, "select branch from session_link where session_id = ?", tagged),
                "a tag is not a branch");

        String nodeId = "PR_t" + Api.unique();
        github(pullRequest(nodeId, 41, repo, true, branch, "Otel work", null, t.minus(5, ChronoUnit.MINUTES)))
                .then().statusCode(202).body("result", equalTo("accepted"));
        // 1.25 + 0.75, by hand
        assertEquals("2.00000000", Db.string(ds, "select ai_cost_usd::text from outcome_event where id = ?",
                "github-pr:" + nodeId));
    }

    /** Resource attributes naming a repository and branch, as JSON for an OTLP resource. */
    private static String vcs(String url, String branch, String refType) {
        return "{\"key\":\"vcs.repository.url.full\",\"value\":{\"stringValue\":\"" + url + "\"}},"
                + "{\"key\":\"vcs.ref.head.name\",\"value\":{\"stringValue\":\"" + branch + "\"}}"
                + (refType == null
                        ? ""
                        : ",{\"key\":\"vcs.ref.type\",\"value\":{\"stringValue\":\"" + refType
                                + "\"}}");
    }

    /** One Claude Code {@code api_request} log record, OTLP/JSON, its resource carrying {@code resource}. */
    private void otlpLog(String resource, String session, Instant time, double costUsd) {
        long nanos = time.getEpochSecond() * 1_000_000_000L + time.getNano();
        String body = """
                {"resourceLogs":[{"resource":{"attributes":[
                  {"key":"service.name","value":{"stringValue":"claude-code"}},%s]},
                 "scopeLogs":[{"scope":{"name":"com.anthropic.claude_code.events"},"logRecords":[{
                  "timeUnixNano":"%d","body":{"stringValue":"claude_code.api_request"},
                  "attributes":[{"key":"event.name","value":{"stringValue":"api_request"}},
                   {"key":"session.id","value":{"stringValue":"%s"}},
                   {"key":"user.email","value":{"stringValue":"%s"}},
                   {"key":"model","value":{"stringValue":"claude-sonnet-4-5"}},
                   {"key":"input_tokens","value":{"intValue":"100"}},
                   {"key":"output_tokens","value":{"intValue":50}},
                   {"key":"cost_usd","value":{"doubleValue":%s}},
                   {"key":"request_id","value":{"stringValue":"req_%s"}}]}]}]}]}
                """.formatted(resource, nanos, session, user, costUsd, UUID.randomUUID());
        given().header("Authorization", "Bearer " + token).contentType("application/json")
                .body(body.getBytes(java.nio.charset.StandardCharsets.UTF_8)).post("/v1/logs")
                .then().statusCode(200).body(equalTo("{}"));
    }

    @Inject
    dev.yardstick.personal.PersonalFigures personal;

    @Test
    void theAuthorSeesTheirOwnPullRequestsCostsPrivatelyAndNobodyElseDoes() {
        String team = Api.team("own", "UTC");
        String login = "ana-" + Api.unique();
        String ana = "ana-" + Api.unique() + "@example.com";
        admin().body(Map.of("displayName", "Ana", "team", team, "githubLogin", login))
                .put("/api/v1/members/" + ana).then().statusCode(201);
        String bo = Api.member(team);
        String repo = "acme/own-" + Api.unique();
        String s = session();
        link(s, repo, "ana/own-work", t.minus(10, ChronoUnit.MINUTES));
        usage(s, t.minus(5, ChronoUnit.MINUTES), "3.10");
        byte[] body = pullRequest("PR_o" + Api.unique(), 31, repo, true, "ana/own-work", "Own work", null,
                t.minusSeconds(2));
        github(new String(body, java.nio.charset.StandardCharsets.UTF_8).replaceAll("dev-[0-9a-f]{8}", login)
                .getBytes(java.nio.charset.StandardCharsets.UTF_8)).then().statusCode(202)
                .body("result", equalTo("accepted"));

        String mine = io.quarkus.narayana.jta.QuarkusTransaction.requiringNew().call(() -> text(
                personal.myWeek(dev.yardstick.admin.Member.find("email", ana).firstResult(), Instant.now())));
        org.junit.jupiter.api.Assertions.assertTrue(
                mine.contains("**AI cost of your merged PRs:** " + repo + "#31 $3.10"), mine);
        String home = io.quarkus.narayana.jta.QuarkusTransaction.requiringNew().call(() -> text(
                personal.home(dev.yardstick.admin.Member.find("email", ana).firstResult(), Instant.now(),
                        List.of())));
        org.junit.jupiter.api.Assertions.assertTrue(home.contains(repo + "#31 $3.10"), home);
        String theirs = io.quarkus.narayana.jta.QuarkusTransaction.requiringNew().call(() -> text(
                personal.myWeek(dev.yardstick.admin.Member.find("email", bo).firstResult(), Instant.now())));
        org.junit.jupiter.api.Assertions.assertFalse(theirs.contains(repo) || theirs.contains("merged PRs"), theirs);
    }

    private static String text(dev.yardstick.chat.ChatMessage m) {
        return m.blocks().stream().filter(dev.yardstick.chat.ChatMessage.Paragraph.class::isInstance)
                .map(b -> ((dev.yardstick.chat.ChatMessage.Paragraph) b).text())
                .collect(java.util.stream.Collectors.joining("\n"));
    }

    // --- Helpers ------------------------------------------------------------------------------

    private static String session() {
        return UUID.randomUUID().toString();
    }

    /** Links a session as the hook does, then dates the link's arrival back to {@code arrived}. */
    private void link(String session, String repo, String branch, Instant arrived) {
        ingest(token).body(Map.of("sessionId", session, "repository", repo, "branch", branch))
                .post("/api/v1/sessions").then().statusCode(201);
        Db.update(ds, "update session_link set linked_at = ? where session_id = ? and branch = ?",
                Timestamp.from(arrived), session, branch);
    }

    private void usage(String session, Instant time, String costUsd) {
        ingest(token).body(List.of(Map.of("id", "u-" + UUID.randomUUID(), "time", time.toString(), "user", user,
                "tool", "claude-code", "model", "claude-sonnet-4-5", "inputTokens", 1000, "costUsd",
                new java.math.BigDecimal(costUsd), "sessionId", session)))
                .post("/api/v1/usage-events").then().statusCode(202).body("accepted", equalTo(1));
    }

    private static String teamOwning(String repository) {
        String key = "sc-" + Api.unique();
        admin().body(Map.of("name", "Team " + key, "repositories", List.of(repository)))
                .put("/api/v1/teams/" + key).then().statusCode(201);
        return key;
    }

    private static byte[] linearIssue(String issueId, String identifier, String assignee, Instant sentAt) {
        String stateId = UUID.randomUUID().toString();
        String assigneeId = UUID.randomUUID().toString();
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("id", issueId);
        data.put("createdAt", sentAt.minusSeconds(86400).toString());
        data.put("updatedAt", sentAt.toString());
        data.put("number", Integer.parseInt(identifier.substring(identifier.indexOf('-') + 1)));
        data.put("title", "Retry card payments");
        data.put("identifier", identifier);
        data.put("url", "https://linear.app/acme/issue/" + identifier + "/retry-card-payments");
        data.put("teamId", "team-1");
        data.put("stateId", stateId);
        data.put("state", Map.of("id", stateId, "color", "#5e6ad2", "name", "Done", "type", "completed"));
        data.put("assigneeId", assigneeId);
        data.put("assignee", Map.of("id", assigneeId, "name", "Ana", "email", assignee));
        data.put("labelIds", List.of());
        data.put("labels", List.of());
        data.put("completedAt", sentAt.toString());
        Map<String, Object> payload = new LinkedHashMap<>();
        payload.put("action", "update");
        payload.put("actor", Map.of("id", assigneeId, "type", "user", "name", "Ana"));
        payload.put("createdAt", sentAt.toString());
        payload.put("data", data);
        payload.put("url", "https://linear.app/acme/issue/" + identifier + "/retry-card-payments");
        payload.put("type", "Issue");
        payload.put("organizationId", "org-1");
        payload.put("webhookTimestamp", System.currentTimeMillis());
        payload.put("webhookId", UUID.randomUUID().toString());
        payload.put("updatedFrom", Map.of("updatedAt", sentAt.minusSeconds(30).toString(), "stateId", "previous"));
        return GitHubPayloads.json(payload);
    }

    private static byte[] jiraIssue(String issueId, String key, String assignee) {
        Map<String, Object> fields = new LinkedHashMap<>();
        fields.put("summary", "Retry card payments");
        fields.put("issuetype", Map.of("id", "10001", "name", "Story", "subtask", false));
        fields.put("project", Map.of("id", "10000", "key", key.substring(0, key.indexOf('-')), "name", "Payments"));
        fields.put("status", Map.of("self", "https://acme.atlassian.net/rest/api/2/status/10002", "name", "Done",
                "id", "10002", "statusCategory", Map.of("id", 3, "key", "done", "colorName", "green", "name",
                        "Done")));
        fields.put("assignee", Map.of("accountId", "5b10ac8d82e05b22cc7d4ef5", "emailAddress", assignee,
                "displayName", "Ana", "active", true, "timeZone", "Europe/Berlin", "accountType", "atlassian"));
        fields.put("labels", List.of());
        Map<String, Object> payload = new LinkedHashMap<>();
        payload.put("timestamp", System.currentTimeMillis() - 1000);
        payload.put("webhookEvent", "jira:issue_updated");
        payload.put("issue_event_type_name", "issue_generic");
        payload.put("user", Map.of("accountId", "5b10ac8d82e05b22cc7d4ef5", "displayName", "Ana"));
        payload.put("issue", Map.of("id", issueId, "self", "https://acme.atlassian.net/rest/api/2/issue/" + issueId,
                "key", key, "fields", fields));
        payload.put("changelog", Map.of("id", String.valueOf(IDS.incrementAndGet()), "items", List.of(Map.of(
                "field", "status", "fieldtype", "jira", "fieldId", "status", "from", "3",
                "fromString", "In Progress", "to", "10002", "toString", "Done"))));
        return GitHubPayloads.json(payload);
    }

    private static Response linear(byte[] body) {
        return given().contentType("application/json").header("Linear-Delivery", UUID.randomUUID().toString())
                .header("Linear-Event", "Issue")
                .header("Linear-Signature", WebhookSignatures.hmacHex("test-linear-secret", body)).body(body)
                .post("/webhooks/linear");
    }

    private static Response jira(byte[] body) {
        return given().contentType("application/json").header("X-Yardstick-Token", "test-jira-secret").body(body)
                .post("/webhooks/jira");
    }

    static Response github(byte[] body) {
        return given().contentType("application/json").header("X-GitHub-Event", "pull_request")
                .header("X-GitHub-Delivery", UUID.randomUUID().toString())
                .header("User-Agent", "GitHub-Hookshot/044aadd")
                .header("X-Hub-Signature-256", "sha256=" + WebhookSignatures.hmacHex(GITHUB_SECRET, body)).body(body)
                .post("/webhooks/github");
    }

    static byte[] pullRequest(String nodeId, int number, String repository, boolean merged, String headRef,
            String title, String body, Instant closedAt) {
        return GitHubPayloads.pullRequest(nodeId, number, repository, merged, headRef, title, body,
                merged ? GitHubPayloads.sha() : null, closedAt);
    }
}
