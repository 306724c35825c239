package dev.yardstick.ingest;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.yardstick.Api;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;

/** GitHub webhook payloads in GitHub's documented shapes, for the webhook tests. */
final class GitHubPayloads {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final AtomicLong IDS = new AtomicLong(System.nanoTime() % 1_000_000_000L);

    private GitHubPayloads() {
    }

    /** A {@code pull_request} event with action {@code closed}, merged or not. */
    static byte[] pullRequest(String nodeId, int number, String repository, boolean merged, String headRef,
            String title, String body, String mergeSha, Instant closedAt) {
        String login = "dev-" + Api.unique();
        Map<String, Object> pr = new LinkedHashMap<>();
        pr.put("url", "https://api.github.com/repos/" + repository + "/pulls/" + number);
        pr.put("id", IDS.incrementAndGet());
        pr.put("node_id", nodeId);
        pr.put("html_url", "https://github.com/" + repository + "/pull/" + number);
        pr.put("number", number);
        pr.put("state", "closed");
        pr.put("title", title);
        pr.put("user", Map.of("login", login, "id", 583231, "node_id", "MDQ6VXNlcjU4MzIzMQ==", "type", "User"));
        pr.put("body", body);
        pr.put("labels", List.of());
        pr.put("created_at", closedAt.minusSeconds(7200).toString());
        pr.put("closed_at", closedAt.toString());
        pr.put("merged_at", merged ? closedAt.toString() : null);
        pr.put("merge_commit_sha", mergeSha);
        pr.put("head", Map.of("label", "acme:" + headRef, "ref", headRef, "sha", sha()));
        pr.put("base", Map.of("label", "acme:main", "ref", "main", "sha", sha(), "repo", repository(repository)));
        pr.put("merged", merged);
        Map<String, Object> payload = new LinkedHashMap<>();
        payload.put("action", "closed");
        payload.put("number", number);
        payload.put("pull_request", pr);
        payload.put("repository", repository(repository));
        payload.put("sender", Map.of("login", login, "id", 583231, "type", "User"));
        return json(payload);
    }

    /** A repository object as webhook payloads carry it. */
    static Map<String, Object> repository(String fullName) {
        return Map.of("id", 1296269, "node_id", "MDEwOlJlcG9zaXRvcnkxMjk2MjY5",
                "name", fullName.substring(fullName.indexOf('/') + 1), "full_name", fullName, "private", true,
                "owner", Map.of("login", "acme", "type", "Organization"));
    }

    /** A random 40-hex commit sha. */
    static String sha() {
        return (UUID.randomUUID().toString() + UUID.randomUUID()).replace("-", "").substring(0, 40);
    }

    /** The JSON bytes of a payload. */
    static byte[] json(Object value) {
        try {
            return JSON.writeValueAsBytes(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
