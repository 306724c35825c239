package dev.yardstick.ingest;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.yardstick.common.Problem;
import dev.yardstick.ingest.WebhookIntake.Result;
import dev.yardstick.ingest.WebhookIntake.ShippedWork;
import dev.yardstick.ledger.OutcomeRecord;
import jakarta.inject.Inject;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Webhooks that report shipped work: {@code POST /webhooks/github} (pull requests merged, reverted or closed
 * unmerged, and deployment statuses),
 * {@code /webhooks/linear} and {@code /webhooks/jira} (resolved tickets). Not behind the admin or
 * ingest tokens: each source proves itself with its own signature, checked on the raw body before anything
 * is read. Jira's {@code X-Hub-Signature} may be replaced by the secret itself as a token (weaker: it travels
 * in the URL or a header, so it can be logged and replayed), for webhooks registered without a secret.
 * See docs/connectors.md.
 */
@Path("/webhooks")
@Produces(MediaType.APPLICATION_JSON)
public class WebhookResource {

    /** How far Linear's {@code webhookTimestamp} may be from now. */
    static final Duration LINEAR_TOLERANCE = Duration.ofSeconds(60);

    @Inject
    WebhooksConfig webhookSettings;
    @Inject
    WebhookIntake intake;
    @Inject
    ObjectMapper mapper;

    @POST
    @Path("/github")
    public Response github(@HeaderParam("X-Hub-Signature-256") String signature,
            @HeaderParam("X-GitHub-Event") String event, byte[] body) {
        String secret = secret(webhookSettings.githubSecret());
        if (secret == null) {
            return off("github", "GITHUB_WEBHOOK_SECRET");
        }
        if (!WebhookSignatures.signatureMatches(secret, body, "sha256=", signature)) {
            return unauthorized("github", "X-Hub-Signature-256 must be the HMAC-SHA256 of the body with the "
                    + "webhook's secret.");
        }
        if (event == null || event.isBlank()) {
            throw Problem.badRequest("The X-GitHub-Event header is required.");
        }
        JsonNode payload = json(body);
        if ("ping".equals(event)) {
            intake.counted("github", "pong");
            return Response.ok(new Result("pong", null)).build();
        }
        if ("deployment_status".equals(event)) {
            return deploymentStatus(payload);
        }
        if (!"pull_request".equals(event)) {
            return accepted(intake.ignored("github", "event '" + event + "' carries no shipped work"));
        }
        JsonNode pr = payload.path("pull_request");
        if (!"closed".equals(payload.path("action").asText())) {
            return accepted(intake.ignored("github", "only closed pull requests count"));
        }
        String nodeId = text(pr, "node_id");
        String login = text(pr.path("user"), "login");
        if (nodeId == null || login == null) {
            throw Problem.badRequest("pull_request.node_id and pull_request.user.login are required.");
        }
        List<String> labels = new ArrayList<>();
        pr.path("labels").forEach(l -> labels.add(l.path("name").asText(null)));
        boolean ai = AiAssisted.labelled(labels) || AiAssisted.trailer(text(pr, "body"));
        String repository = text(payload.path("repository"), "full_name");
        String repo = repository == null ? null : repository.toLowerCase(Locale.ROOT);
        Integer number = pr.path("number").canConvertToInt() ? pr.path("number").asInt() : null;
        String branch = text(pr.path("head"), "ref");
        if (!pr.path("merged").asBoolean(false)) {
            return accepted(intake.record("github", new ShippedWork("github-pr-closed:" + nodeId,
                    time(text(pr, "closed_at")), "pr_closed", null, login, repository, text(pr, "title"),
                    text(pr, "html_url"), ai ? Boolean.TRUE : null,
                    new OutcomeRecord.PullRequest(repo, number, null, null, null, null, branch))));
        }
        String sha = text(pr, "merge_commit_sha");
        Reverts.Reverted reverted = Reverts.of(repository, branch, text(pr, "title"),
                text(pr, "body"));
        OutcomeRecord.PullRequest link = new OutcomeRecord.PullRequest(repo, number,
                sha == null ? null : sha.toLowerCase(Locale.ROOT), reverted == null ? null : reverted.repository(),
                reverted == null ? null : reverted.number(), reverted == null ? null : reverted.sha(), branch);
        return accepted(intake.record("github", new ShippedWork("github-pr:" + nodeId, time(text(pr, "merged_at")),
                reverted == null ? "pr_merged" : "pr_reverted", null, login, repository, text(pr, "title"),
                text(pr, "html_url"), ai ? Boolean.TRUE : null, link)));
    }

    /**
     * A {@code deployment_status} delivery: {@code success} is a {@code deployment}, {@code failure} or
     * {@code error} a {@code deployment_failed}, when the environment is one of the team's deploy environments.
     */
    private Response deploymentStatus(JsonNode payload) {
        JsonNode status = payload.path("deployment_status");
        JsonNode deployment = payload.path("deployment");
        String state = text(status, "state");
        String kind = "success".equals(state)
                ? "deployment"
                : "failure".equals(state) || "error".equals(state) ? "deployment_failed" : null;
        if (kind == null) {
            return accepted(intake.ignored("github", "only success, failure and error deployment statuses count"));
        }
        String id = text(status, "id");
        String repository = text(payload.path("repository"), "full_name");
        if (id == null || repository == null) {
            throw Problem.badRequest("deployment_status.id and repository.full_name are required.");
        }
        String environment = Optional.ofNullable(text(status, "environment")).orElse(text(deployment, "environment"));
        if (environment == null) {
            return accepted(intake.ignored("github", "the deployment names no environment"));
        }
        String url = Optional.ofNullable(text(status, "environment_url")).orElse(text(status, "target_url"));
        return accepted(intake.recordDeployment("github", new ShippedWork("github-deployment-status:" + id,
                time(text(status, "created_at")), kind, null, text(deployment.path("creator"), "login"), repository,
                repository + " to " + environment, url, null), environment));
    }

    @POST
    @Path("/linear")
    public Response linear(@HeaderParam("Linear-Signature") String signature, byte[] body) {
        String secret = secret(webhookSettings.linearSecret());
        if (secret == null) {
            return off("linear", "LINEAR_WEBHOOK_SECRET");
        }
        if (!WebhookSignatures.signatureMatches(secret, body, "", signature)) {
            return unauthorized("linear", "Linear-Signature must be the HMAC-SHA256 of the body with the "
                    + "webhook's signing secret.");
        }
        JsonNode payload = json(body);
        JsonNode ts = payload.path("webhookTimestamp");
        long now = System.currentTimeMillis();
        if (!ts.canConvertToLong() || ts.asLong() < now - LINEAR_TOLERANCE.toMillis()
                || ts.asLong() > now + LINEAR_TOLERANCE.toMillis()) {
            return unauthorized("linear", "webhookTimestamp must be within " + LINEAR_TOLERANCE.toSeconds()
                    + " seconds of now; a stale delivery may be a replay.");
        }
        JsonNode data = payload.path("data");
        JsonNode state = data.path("state");
        if (!"Issue".equals(payload.path("type").asText()) || !"update".equals(payload.path("action").asText())) {
            return accepted(intake.ignored("linear", "only issue updates carry resolved tickets"));
        }
        if (!"completed".equals(state.path("type").asText()) || !payload.path("updatedFrom").has("stateId")) {
            return accepted(intake.ignored("linear", "the issue did not move to a completed state"));
        }
        String id = text(data, "id");
        String stateId = Optional.ofNullable(text(state, "id")).orElse(text(data, "stateId"));
        if (id == null || stateId == null) {
            throw Problem.badRequest("data.id and data.state.id are required.");
        }
        JsonNode assignee = data.path("assignee");
        String email = text(assignee, "email");
        JsonNode actor = payload.path("actor");
        if (email == null && text(data, "assigneeId") != null && text(data, "assigneeId").equals(text(actor, "id"))) {
            email = text(actor, "email");
        }
        List<String> labels = new ArrayList<>();
        data.path("labels").forEach(l -> labels.add(l.path("name").asText(null)));
        String identifier = text(data, "identifier");
        String title = text(data, "title");
        return accepted(intake.record("linear", new ShippedWork("linear:" + id + ":" + stateId,
                time(text(data, "completedAt")), "ticket_resolved", email, null, null,
                identifier == null ? title : title == null ? identifier : identifier + " " + title,
                Optional.ofNullable(text(payload, "url")).orElse(text(data, "url")),
                AiAssisted.labelled(labels) ? Boolean.TRUE : null, null, identifier)));
    }

    @POST
    @Path("/jira")
    public Response jira(@HeaderParam("X-Hub-Signature") String signature, @QueryParam("token") String queryToken,
            @HeaderParam("X-Yardstick-Token") String headerToken, byte[] body) {
        String secret = secret(webhookSettings.jiraSecret());
        if (secret == null) {
            return off("jira", "JIRA_WEBHOOK_SECRET");
        }
        if (signature != null) {
            if (!WebhookSignatures.signatureMatches(secret, body, "sha256=", signature)) {
                return unauthorized("jira", "X-Hub-Signature must be sha256= and the HMAC-SHA256 of the body with "
                        + "the webhook's secret.");
            }
        } else if (!WebhookSignatures.tokenMatches(secret, headerToken != null ? headerToken : queryToken)) {
            return unauthorized("jira", "Set the webhook's secret in Jira so it signs deliveries (X-Hub-Signature);"
                    + " without it, the secret is required as ?token= or X-Yardstick-Token.");
        }
        JsonNode payload = json(body);
        if (!"jira:issue_updated".equals(payload.path("webhookEvent").asText())) {
            return accepted(intake.ignored("jira", "only jira:issue_updated carries resolved tickets"));
        }
        boolean statusChanged = false;
        for (JsonNode item : payload.path("changelog").path("items")) {
            statusChanged |= "status".equalsIgnoreCase(item.path("field").asText());
        }
        JsonNode issue = payload.path("issue");
        JsonNode fields = issue.path("fields");
        if (!statusChanged || !"done".equals(fields.path("status").path("statusCategory").path("key").asText())) {
            return accepted(intake.ignored("jira", "the issue did not move to a done status"));
        }
        String issueId = text(issue, "id");
        String changelogId = text(payload.path("changelog"), "id");
        if (issueId == null || changelogId == null) {
            throw Problem.badRequest("issue.id and changelog.id are required.");
        }
        String key = text(issue, "key");
        String summary = text(fields, "summary");
        String self = text(issue, "self");
        String url = self != null && key != null && self.contains("/rest/")
                ? self.substring(0, self.indexOf("/rest/")) + "/browse/" + key
                : null;
        List<String> labels = new ArrayList<>();
        fields.path("labels").forEach(l -> labels.add(l.asText(null)));
        JsonNode ts = payload.path("timestamp");
        return accepted(intake.record("jira", new ShippedWork("jira:" + issueId + ":" + changelogId,
                ts.canConvertToLong() ? Instant.ofEpochMilli(ts.asLong()) : null, "ticket_resolved",
                text(fields.path("assignee"), "emailAddress"), null, null,
                key == null ? summary : summary == null ? key : key + " " + summary, url,
                AiAssisted.labelled(labels) ? Boolean.TRUE : null, null, key)));
    }

    private static String secret(Optional<String> configured) {
        return configured.filter(s -> !s.isBlank()).orElse(null);
    }

    private Response off(String source, String variable) {
        intake.counted(source, "off");
        return Problem.response(Response.Status.SERVICE_UNAVAILABLE,
                variable + " is not set, so this webhook is off (docs/connectors.md).");
    }

    private Response unauthorized(String source, String detail) {
        intake.counted(source, "unauthorized");
        return Problem.response(Response.Status.UNAUTHORIZED, detail);
    }

    private static Response accepted(Result result) {
        return Response.accepted(result).build();
    }

    private JsonNode json(byte[] body) {
        try {
            JsonNode node = mapper.readTree(body);
            if (node == null || !node.isObject()) {
                throw Problem.badRequest("The body must be a JSON object; set the webhook's content type to "
                        + "application/json.");
            }
            return node;
        } catch (JsonProcessingException e) {
            throw Problem.badRequest("The body is not JSON; set the webhook's content type to application/json.");
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String text(JsonNode node, String field) {
        JsonNode v = node.path(field);
        return v.isTextual() && !v.asText().isBlank() ? v.asText() : v.isNumber() ? v.asText() : null;
    }

    private static Instant time(String iso) {
        if (iso == null) {
            return null;
        }
        try {
            return OffsetDateTime.parse(iso).toInstant();
        } catch (DateTimeParseException e) {
            return null;
        }
    }
}
