package dev.yardstick.ingest;

import static dev.yardstick.Api.admin;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.yardstick.Api;
import dev.yardstick.Db;
import dev.yardstick.digest.DigestService;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import jakarta.inject.Inject;
import java.time.DayOfWeek;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.temporal.TemporalAdjusters;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;

/**
 * Pull requests closed unmerged or reverted, and deployments, from GitHub webhooks in GitHub's documented shapes
 * ({@code pull_request} closed; {@code deployment_status} created), signed as GitHub signs them; read back from the
 * outcome events, the team summary and the digest.
 */
@QuarkusTest
class OutcomeWebhooksTest {

    private static final String GITHUB_SECRET = "test-github-secret";
    private static final AtomicLong IDS = new AtomicLong(System.nanoTime() % 1_000_000_000L);

    @Inject
    DataSource ds;

    // --- Pull requests ------------------------------------------------------------------------

    @Test
    void aPullRequestClosedUnmergedIsRecordedButIsNoShippedWork() {
        String repo = "acme/closed-" + Api.unique();
        String team = teamOwning(repo, null);
        String nodeId = "PR_c" + Api.unique();
        byte[] body = GitHubPayloads.pullRequest(nodeId, 7, repo, false, "add-cache", "Add a cache",
                "Adds a cache.\n\nCo-authored-by: Claude <noreply@anthropic.com>", null,
                Instant.now().minusSeconds(60));

        github("pull_request", body).then().statusCode(202).body("result", equalTo("accepted"));
        github("pull_request", body).then().statusCode(202).body("result", equalTo("duplicate"));

        assertEquals("pr_closed", Db.string(ds, "select kind from outcome_event where id = ?",
                "github-pr-closed:" + nodeId));
        summary(today(), today(), team).then().statusCode(200)
                .body("outcomesTotal", equalTo(0))
                .body("outcomes.pr_merged", equalTo(0))
                .body("costPerOutcomeUsd", nullValue())
                .body("prSurvival.aiAssisted.closed", equalTo(1))
                .body("prSurvival.aiAssisted.merged", equalTo(0))
                .body("prSurvival.aiAssisted.survival", equalTo(0.0f))
                .body("prSurvival.others.closed", equalTo(0))
                .body("prSurvival.others.survival", nullValue());
    }

    @Test
    void aRevertByGithubsBranchIsLinkedAndTheRevertedPullRequestsWeekStaysAsItWas() {
        String repo = "acme/revert-" + Api.unique();
        String team = teamOwning(repo, null);
        LocalDate lastMonday = today().minusWeeks(1).with(TemporalAdjusters.previousOrSame(DayOfWeek.MONDAY));
        Instant lastWeek = lastMonday.atTime(12, 0).toInstant(ZoneOffset.UTC);
        int number = 101;
        github("pull_request", GitHubPayloads.pullRequest("PR_o" + Api.unique(), number, repo, true, "retry-payments",
                "Retry card payments", "Adds retries.\n\nCo-authored-by: Claude <noreply@anthropic.com>",
                GitHubPayloads.sha(), lastWeek)).then().statusCode(202).body("result", equalTo("accepted"));
        summary(lastMonday, lastMonday.plusDays(6), team).then()
                .body("outcomesTotal", equalTo(1)).body("prSurvival.aiAssisted.merged", equalTo(1));

        // GitHub's Revert button: head branch revert-<n>-<branch>, title Revert "…", body Reverts owner/repo#n
        String revertId = "PR_r" + Api.unique();
        github("pull_request",
                GitHubPayloads.pullRequest(revertId, 102, repo, true, "revert-" + number + "-retry-payments",
                        "Revert \"Retry card payments\"", "Reverts " + repo + "#" + number, GitHubPayloads.sha(),
                        Instant.now().minusSeconds(30)))
                .then().statusCode(202).body("result", equalTo("accepted"));

        String id = "github-pr:" + revertId;
        assertEquals("pr_reverted", Db.string(ds, "select kind from outcome_event where id = ?", id));
        assertEquals(repo + "#" + number, Db.string(ds,
                "select reverts_repository || '#' || reverts_number from outcome_event where id = ?", id));
        assertEquals("true", Db.string(ds, "select ai_assisted::text from outcome_event where id = ?", id));
        // the reverted pull request stays counted in its own week, as merged and not reverted
        summary(lastMonday, lastMonday.plusDays(6), team).then()
                .body("outcomesTotal", equalTo(1)).body("outcomes.pr_merged", equalTo(1))
                .body("prSurvival.aiAssisted.merged", equalTo(1))
                .body("prSurvival.aiAssisted.reverted", equalTo(0));
        // the revert is no shipped work; it counts as a revert of AI-assisted work in its own week
        summary(today(), today(), team).then()
                .body("outcomesTotal", equalTo(0)).body("outcomes.pr_merged", equalTo(0))
                .body("prSurvival.aiAssisted.reverted", equalTo(1))
                .body("prSurvival.others.reverted", equalTo(0));
    }

    @Test
    void revertsByTitleAndBodyAreLinkedByNumberOrByMergeCommit() {
        String repo = "acme/rv-" + Api.unique();
        String team = teamOwning(repo, null);
        Instant earlier = Instant.now().minusSeconds(3600);
        String mergeSha = GitHubPayloads.sha();
        github("pull_request",
                GitHubPayloads.pullRequest("PR_a" + Api.unique(), 11, repo, true, "cache", "Add a cache", null,
                        mergeSha, earlier))
                .then().statusCode(202);
        github("pull_request",
                GitHubPayloads.pullRequest("PR_b" + Api.unique(), 12, repo, true, "limits", "Raise limits", null,
                        GitHubPayloads.sha(), earlier))
                .then().statusCode(202);

        String bySha = "PR_s" + Api.unique();
        github("pull_request", GitHubPayloads.pullRequest(bySha, 13, repo, true, "undo-cache", "Revert \"Add a cache\"",
                "This reverts commit " + mergeSha + ".", GitHubPayloads.sha(), Instant.now())).then().statusCode(202);
        String byBody = "PR_n" + Api.unique();
        github("pull_request",
                GitHubPayloads.pullRequest(byBody, 14, repo, true, "undo-limits", "Revert \"Raise limits\"",
                        "Reverts " + repo.toUpperCase() + "#12\n\nLimits broke the nightly job.", GitHubPayloads.sha(),
                        Instant.now()))
                .then().statusCode(202);
        // a title alone is no revert: nothing says what it reverts
        String titleOnly = "PR_t" + Api.unique();
        github("pull_request",
                GitHubPayloads.pullRequest(titleOnly, 15, repo, true, "docs", "Revert \"the old wording\" in docs",
                        "Puts the old wording back.", GitHubPayloads.sha(), Instant.now()))
                .then().statusCode(202);

        assertEquals("11", Db.string(ds, "select reverts_number::text from outcome_event where id = ?",
                "github-pr:" + bySha));
        assertEquals(repo + "#12", Db.string(ds,
                "select reverts_repository || '#' || reverts_number from outcome_event where id = ?",
                "github-pr:" + byBody));
        assertEquals("pr_merged", Db.string(ds, "select kind from outcome_event where id = ?",
                "github-pr:" + titleOnly));
        summary(today().minusDays(1), today(), team).then()
                .body("outcomes.pr_merged", equalTo(3)).body("outcomesTotal", equalTo(3))
                .body("prSurvival.others.merged", equalTo(3))
                .body("prSurvival.others.reverted", equalTo(2));
    }

    @Test
    void survivalFiguresAndTheDigestLineAndNudgeMatchHandWorkedNumbers() {
        String repo = "acme/surv-" + Api.unique();
        String team = teamOwning(repo, null);
        String ai = "Done.\n\nCo-authored-by: Claude <noreply@anthropic.com>";
        Instant now = Instant.now().minusSeconds(120);
        int n = 1;
        // AI-assisted: 6 merged, 2 closed, and a revert of one of the 6; the others: 5 merged
        for (int i = 0; i < 6; i++, n++) {
            github("pull_request",
                    GitHubPayloads.pullRequest("PR_" + Api.unique(), n, repo, true, "ai-" + n, "AI work " + n, ai,
                            GitHubPayloads.sha(), now))
                    .then().statusCode(202).body("result", equalTo("accepted"));
        }
        for (int i = 0; i < 2; i++, n++) {
            github("pull_request",
                    GitHubPayloads.pullRequest("PR_" + Api.unique(), n, repo, false, "ai-" + n, "AI try " + n, ai,
                            null, now))
                    .then().statusCode(202).body("result", equalTo("accepted"));
        }
        for (int i = 0; i < 5; i++, n++) {
            github("pull_request",
                    GitHubPayloads.pullRequest("PR_" + Api.unique(), n, repo, true, "work-" + n, "Work " + n, null,
                            GitHubPayloads.sha(), now))
                    .then().statusCode(202).body("result", equalTo("accepted"));
        }
        github("pull_request",
                GitHubPayloads.pullRequest("PR_" + Api.unique(), n, repo, true, "revert-1-ai-1", "Revert \"AI work 1\"",
                        "Reverts " + repo + "#1", GitHubPayloads.sha(), Instant.now()))
                .then().statusCode(202);

        // AI-assisted: (6 − 1) ÷ (6 + 2) = 0.625; the others: (5 − 0) ÷ (5 + 0) = 1
        LocalDate monday = today().with(TemporalAdjusters.previousOrSame(DayOfWeek.MONDAY));
        summary(monday, monday.plusDays(6), team).then()
                .body("outcomesTotal", equalTo(11))
                .body("prSurvival.aiAssisted.merged", equalTo(6))
                .body("prSurvival.aiAssisted.closed", equalTo(2))
                .body("prSurvival.aiAssisted.reverted", equalTo(1))
                .body("prSurvival.aiAssisted.survival", equalTo(0.625f))
                .body("prSurvival.others.merged", equalTo(5))
                .body("prSurvival.others.closed", equalTo(0))
                .body("prSurvival.others.reverted", equalTo(0))
                .body("prSurvival.others.survival", equalTo(1.0f));

        String blocks = digest(team, monday);
        assertTrue(blocks.contains("6 merged, 2 closed, 1 reverted — 63% kept; others 100%"), blocks);
        assertTrue(blocks.contains("AI-assisted PRs were kept less often than the others this week (63% against "
                + "100%)"), blocks);
        assertTrue(blocks.contains("11 items: 11 PRs merged"), blocks);
        // 6 of the 11 shipped items are AI-assisted: the closed PRs and the revert are not shipped work
        assertTrue(blocks.contains("55% marked AI-assisted"), blocks);
        admin().get("/api/v1/org/summary?from=" + monday + "&to=" + monday.plusDays(6)).then().statusCode(200)
                .body("teams.find { it.team == '" + team + "' }.outcomesTotal", equalTo(11));
    }

    // --- Deployments --------------------------------------------------------------------------

    @Test
    void deploymentStatusesCountOnTheTeamsEnvironmentsOnceEach() {
        String repo = "acme/deploy-" + Api.unique();
        String team = teamOwning(repo, null);
        admin().get("/api/v1/teams/" + team).then().body("deployEnvironments", equalTo(List.of("production", "prod")));
        long ok = IDS.incrementAndGet();
        byte[] success = deploymentStatus(ok, "success", "production", repo);
        github("deployment_status", success).then().statusCode(202).body("result", equalTo("accepted"));
        github("deployment_status", success).then().statusCode(202).body("result", equalTo("duplicate"));
        github("deployment_status", deploymentStatus(IDS.incrementAndGet(), "failure", "Production", repo))
                .then().statusCode(202).body("result", equalTo("accepted"));
        github("deployment_status", deploymentStatus(IDS.incrementAndGet(), "error", "prod", repo))
                .then().statusCode(202).body("result", equalTo("accepted"));
        github("deployment_status", deploymentStatus(IDS.incrementAndGet(), "success", "staging", repo))
                .then().statusCode(202).body("result", equalTo("ignored"))
                .body("reason", containsString("deployEnvironments"));
        github("deployment_status", deploymentStatus(IDS.incrementAndGet(), "in_progress", "production", repo))
                .then().statusCode(202).body("result", equalTo("ignored"));
        github("deployment_status", deploymentStatus(IDS.incrementAndGet(), "success", "production",
                "acme/nobody-" + Api.unique())).then().statusCode(202).body("result", equalTo("ignored"));

        assertEquals("deployment", Db.string(ds, "select kind from outcome_event where id = ?",
                "github-deployment-status:" + ok));
        assertEquals(1, Db.scalar(ds, "select count(*) from outcome_event where id = ? and member_id is null",
                "github-deployment-status:" + ok));
        summary(today(), today(), team).then()
                .body("outcomes.deployment", equalTo(1)).body("outcomesTotal", equalTo(1))
                .body("deployments.succeeded", equalTo(1)).body("deployments.failed", equalTo(2))
                .body("deployments.changeFailureRate", equalTo(0.6667f));

        String blocks = digest(team, today().with(TemporalAdjusters.previousOrSame(DayOfWeek.MONDAY)));
        assertTrue(blocks.contains("1 item: 0 PRs merged, 0 tickets resolved, 1 deployments"), blocks);
        assertTrue(blocks.contains("1 succeeded, 2 failed (67% change failure rate)"), blocks);
    }

    @Test
    void aTeamChoosesItsDeployEnvironmentsAndNoFailureMeansNoChangeFailureLine() {
        String repo = "acme/stage-" + Api.unique();
        String team = teamOwning(repo, List.of("Staging"));
        admin().get("/api/v1/teams/" + team).then().body("deployEnvironments", equalTo(List.of("staging")));
        github("deployment_status", deploymentStatus(IDS.incrementAndGet(), "success", "staging", repo))
                .then().statusCode(202).body("result", equalTo("accepted"));
        github("deployment_status", deploymentStatus(IDS.incrementAndGet(), "failure", "production", repo))
                .then().statusCode(202).body("result", equalTo("ignored"));
        summary(today(), today(), team).then().body("deployments.succeeded", equalTo(1))
                .body("deployments.failed", equalTo(0));
        String blocks = digest(team, today().with(TemporalAdjusters.previousOrSame(DayOfWeek.MONDAY)));
        assertTrue(blocks.contains("1 deployments"), blocks);
        assertFalse(blocks.contains("change failure"), blocks);
        assertFalse(blocks.contains("AI-assisted PRs"), blocks);
    }

    // --- Payloads in GitHub's shapes ------------------------------------------------------------

    private static byte[] deploymentStatus(long statusId, String state, String environment, String repository) {
        long deploymentId = IDS.incrementAndGet();
        String api = "https://api.github.com/repos/" + repository;
        Map<String, Object> bot = Map.of("login", "github-actions[bot]", "id", 41898282, "type", "Bot");
        Map<String, Object> status = new LinkedHashMap<>();
        status.put("url", api + "/deployments/" + deploymentId + "/statuses/" + statusId);
        status.put("id", statusId);
        status.put("node_id", "DES_" + statusId);
        status.put("state", state);
        status.put("creator", bot);
        status.put("description", "");
        status.put("environment", environment);
        status.put("target_url", "https://github.com/" + repository + "/actions/runs/" + deploymentId);
        status.put("created_at", Instant.now().minusSeconds(10).toString());
        status.put("updated_at", Instant.now().minusSeconds(10).toString());
        status.put("deployment_url", api + "/deployments/" + deploymentId);
        status.put("repository_url", api);
        Map<String, Object> deployment = new LinkedHashMap<>();
        deployment.put("url", api + "/deployments/" + deploymentId);
        deployment.put("id", deploymentId);
        deployment.put("node_id", "DE_" + deploymentId);
        deployment.put("sha", GitHubPayloads.sha());
        deployment.put("ref", "main");
        deployment.put("task", "deploy");
        deployment.put("payload", Map.of());
        deployment.put("original_environment", environment);
        deployment.put("environment", environment);
        deployment.put("description", null);
        deployment.put("creator", bot);
        deployment.put("created_at", Instant.now().minusSeconds(60).toString());
        deployment.put("updated_at", Instant.now().minusSeconds(10).toString());
        deployment.put("statuses_url", api + "/deployments/" + deploymentId + "/statuses");
        deployment.put("repository_url", api);
        Map<String, Object> payload = new LinkedHashMap<>();
        payload.put("action", "created");
        payload.put("deployment_status", status);
        payload.put("deployment", deployment);
        payload.put("repository", GitHubPayloads.repository(repository));
        payload.put("sender", bot);
        return GitHubPayloads.json(payload);
    }

    // --- Helpers ------------------------------------------------------------------------------

    private static String teamOwning(String repository, List<String> deployEnvironments) {
        String key = "oc-" + Api.unique();
        Map<String, Object> body = new LinkedHashMap<>(Map.of("name", "Team " + key, "repositories",
                List.of(repository)));
        if (deployEnvironments != null) {
            body.put("deployEnvironments", deployEnvironments);
        }
        admin().body(body).put("/api/v1/teams/" + key).then().statusCode(201);
        return key;
    }

    private static LocalDate today() {
        return LocalDate.now(ZoneOffset.UTC);
    }

    private static Response summary(LocalDate from, LocalDate to, String team) {
        return admin().get("/api/v1/teams/" + team + "/summary?from=" + from + "&to=" + to);
    }

    private static String digest(String team, LocalDate monday) {
        return admin().get("/api/v1/teams/" + team + "/digest?week=" + DigestService.isoWeek(monday)).then()
                .statusCode(200).extract().jsonPath().prettify();
    }

    private static Response github(String event, byte[] body) {
        return given().contentType("application/json").header("X-GitHub-Event", event)
                .header("X-GitHub-Delivery", UUID.randomUUID().toString())
                .header("User-Agent", "GitHub-Hookshot/044aadd")
                .header("X-Hub-Signature-256", "sha256=" + WebhookSignatures.hmacHex(GITHUB_SECRET, body)).body(body)
                .post("/webhooks/github");
    }

}
