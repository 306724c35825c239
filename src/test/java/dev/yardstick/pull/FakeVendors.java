package dev.yardstick.pull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Fake vendor admin APIs on loopback, answering in the vendors' documented shapes and recording
 * every call: Anthropic's Claude Code Analytics API (records per UTC day, a few per page), OpenAI's
 * organisation usage, costs and users, Cursor's Admin API ({@code filtered-usage-events}, a few
 * events per page) and GitHub's Copilot users-1-day report (download links to NDJSON files, a few
 * records per file, served here too).
 */
public final class FakeVendors {

    /** One recorded call. */
    public record Call(String path, Map<String, String> query, Map<String, String> headers, int status, long at) {
    }

    static final ObjectMapper JSON = new ObjectMapper();
    /** Records per page the fake serves, whatever {@code limit} asks. */
    static final int PAGE = 2;

    private final HttpServer server;
    private final List<Call> calls = new CopyOnWriteArrayList<>();
    private final Map<String, List<ObjectNode>> claudeCode = new ConcurrentHashMap<>();
    private final Map<Long, List<ObjectNode>> openAiUsage = new ConcurrentHashMap<>();
    private final Map<Long, List<Double>> openAiCosts = new ConcurrentHashMap<>();
    private final Map<String, String> openAiUsers = new java.util.TreeMap<>();
    private final List<ObjectNode> cursorEvents = new CopyOnWriteArrayList<>();
    private final Map<String, List<ObjectNode>> copilot = new ConcurrentHashMap<>();
    private final AtomicInteger rateLimitNext = new AtomicInteger();
    /** "day/page" that answers 500 while present. */
    private final Map<String, Boolean> failing = new ConcurrentHashMap<>();

    public FakeVendors() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.setExecutor(Executors.newFixedThreadPool(4));
        server.createContext("/anthropic/", this::anthropic);
        server.createContext("/openai/", this::openai);
        server.createContext("/cursor/", this::cursor);
        server.createContext("/github/", this::github);
        server.createContext("/github-files/", this::githubFile);
        server.start();
    }

    /** The base URL of a fake vendor, as {@code ANTHROPIC_API_URL} takes it. */
    public String url(String vendor) {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/" + vendor;
    }

    public void reset() {
        calls.clear();
        claudeCode.clear();
        openAiUsage.clear();
        openAiCosts.clear();
        cursorEvents.clear();
        copilot.clear();
        synchronized (openAiUsers) {
            openAiUsers.clear();
        }
        rateLimitNext.set(0);
        failing.clear();
    }

    public List<Call> calls() {
        return List.copyOf(calls);
    }

    /** The next {@code n} calls answer 429 with {@code Retry-After: 1}. */
    public void rateLimitNext(int n) {
        rateLimitNext.set(n);
    }

    /** Page {@code page} (1-based) of {@code day} answers 500 until {@link #heal}. */
    public void failPage(String day, int page) {
        failing.put(day + "/" + page, true);
    }

    public void heal() {
        failing.clear();
    }

    /** Adds a Claude Code analytics record of a user on a UTC day; returns it for more models. */
    public ObjectNode claudeCodeUser(String day, String email, long commits, long prs) {
        ObjectNode r = JSON.createObjectNode();
        r.put("date", day + "T00:00:00Z");
        r.putObject("actor").put("type", "user_actor").put("email_address", email);
        r.put("organization_id", "12345678-1234-5678-1234-567812345678");
        r.put("customer_type", "api");
        r.put("terminal_type", "vscode");
        ObjectNode core = r.putObject("core_metrics");
        core.put("num_sessions", 3);
        core.putObject("lines_of_code").put("added", 120).put("removed", 30);
        core.put("commits_by_claude_code", commits);
        core.put("pull_requests_by_claude_code", prs);
        r.putObject("tool_actions").putObject("edit_tool").put("accepted", 10).put("rejected", 1);
        r.putArray("model_breakdown");
        claudeCode.computeIfAbsent(day, d -> new CopyOnWriteArrayList<>()).add(r);
        return r;
    }

    /** Adds a model to a record: tokens and the estimated cost in cents. */
    public static void model(ObjectNode record, String model, long in, long out, long cacheRead, long cacheCreation,
            long cents) {
        ObjectNode m = ((ArrayNode) record.get("model_breakdown")).addObject();
        m.put("model", model);
        m.putObject("tokens").put("input", in).put("output", out).put("cache_read", cacheRead)
                .put("cache_creation", cacheCreation);
        m.putObject("estimated_cost").put("currency", "USD").put("amount", cents);
    }

    /** An OpenAI organisation user. */
    public void openAiUser(String id, String email) {
        synchronized (openAiUsers) {
            openAiUsers.put(id, email);
        }
    }

    /** A completions usage record of a user and model on the UTC day starting at {@code start} (epoch s). */
    public void openAiUsage(long start, String userId, String model, long input, long cached, long output,
            long requests) {
        openAiUsage(start, "proj_default", userId, "key_of_" + userId, model, input, cached, output, requests);
    }

    /**
     * A completions usage record on the UTC day starting at {@code start} (epoch s), made in a project with an
     * API key, by a user ({@code null} for a service account's key). The fake keeps the records and answers each
     * query with their sums per bucket and the dimensions of its {@code group_by}, as OpenAI does.
     */
    public void openAiUsage(long start, String projectId, String userId, String apiKeyId, String model, long input,
            long cached, long output, long requests) {
        ObjectNode r = JSON.createObjectNode();
        r.put("project_id", projectId);
        r.put("user_id", userId);
        r.put("api_key_id", apiKeyId);
        r.put("model", model);
        r.put("batch", false);
        r.put("input_tokens", input);
        r.put("output_tokens", output);
        r.put("input_cached_tokens", cached);
        r.put("num_model_requests", requests);
        openAiUsage.computeIfAbsent(start, d -> new CopyOnWriteArrayList<>()).add(r);
    }

    /**
     * The results of a completions usage query: one per distinct value of the {@code group_by} fields, those
     * fields filled and the others null (OpenAI fills {@code project_id}, {@code user_id}, {@code api_key_id},
     * {@code model} and {@code batch} only when grouped by them), tokens and requests summed.
     */
    private static List<ObjectNode> grouped(List<ObjectNode> records, List<String> groupBy) {
        Map<List<String>, ObjectNode> out = new java.util.LinkedHashMap<>();
        for (ObjectNode rec : records) {
            List<String> key = new ArrayList<>();
            for (String g : groupBy) {
                key.add(g + "=" + rec.path(g).asText());
            }
            ObjectNode r = out.computeIfAbsent(key, k -> {
                ObjectNode n = JSON.createObjectNode();
                n.put("object", "organization.usage.completions.result");
                n.put("input_tokens", 0);
                n.put("output_tokens", 0);
                n.put("input_cached_tokens", 0);
                n.put("input_audio_tokens", 0);
                n.put("output_audio_tokens", 0);
                n.put("num_model_requests", 0);
                for (String dim : List.of("project_id", "user_id", "api_key_id", "model", "batch")) {
                    if (groupBy.contains(dim)) {
                        n.set(dim, rec.get(dim));
                    } else {
                        n.putNull(dim);
                    }
                }
                return n;
            });
            for (String sum : List.of("input_tokens", "output_tokens", "input_cached_tokens", "num_model_requests")) {
                r.put(sum, r.path(sum).asLong() + rec.path(sum).asLong());
            }
        }
        return new ArrayList<>(out.values());
    }

    /** A cost line (dollars) on the UTC day starting at {@code start}. */
    public void openAiCost(long start, double dollars) {
        openAiCosts.computeIfAbsent(start, d -> new CopyOnWriteArrayList<>()).add(dollars);
    }

    /** Adds a token-based Cursor usage event (model cost and token fee in cents; {@code chargedCents} is their sum). */
    public ObjectNode cursorEvent(long epochMs, String email, String model, long in, long out, long cacheRead,
            long cacheWrite, double totalCents, Double tokenFeeCents) {
        ObjectNode e = JSON.createObjectNode();
        e.put("timestamp", Long.toString(epochMs));
        e.put("userEmail", email);
        e.put("model", model);
        e.put("kind", "Usage-based");
        e.put("maxMode", false);
        e.put("requestsCosts", 1);
        e.put("isTokenBasedCall", true);
        e.put("isChargeable", true);
        e.put("isHeadless", false);
        e.putObject("tokenUsage").put("inputTokens", in).put("outputTokens", out).put("cacheWriteTokens", cacheWrite)
                .put("cacheReadTokens", cacheRead).put("totalCents", totalCents);
        e.put("chargedCents", totalCents + (tokenFeeCents == null ? 0 : tokenFeeCents));
        if (tokenFeeCents != null) {
            e.put("cursorTokenFee", tokenFeeCents);
        }
        e.put("isFreeBugbot", false);
        cursorEvents.add(e);
        return e;
    }

    /** Adds a Copilot users-1-day record of a login on a UTC day; returns it for more fields. */
    public ObjectNode copilotUser(String day, String login, long interactions, long promptTokens, long outputTokens) {
        ObjectNode r = JSON.createObjectNode();
        r.put("user_id", Math.abs(login.hashCode()));
        r.put("user_login", login);
        r.put("day", day);
        r.put("organization_id", "4242");
        r.put("user_initiated_interaction_count", interactions);
        r.put("code_generation_activity_count", interactions);
        r.put("code_acceptance_activity_count", 0);
        r.put("loc_suggested_to_add_sum", 0);
        r.put("loc_added_sum", 0);
        r.put("used_agent", false);
        r.put("used_chat", interactions > 0);
        r.put("used_cli", promptTokens > 0);
        r.putArray("totals_by_ide");
        r.putArray("totals_by_feature");
        if (promptTokens > 0) {
            ObjectNode cli = r.putObject("totals_by_cli");
            cli.put("session_count", 1).put("request_count", 2).put("prompt_count", 2);
            cli.putObject("token_usage").put("output_tokens_sum", outputTokens).put("prompt_tokens_sum", promptTokens)
                    .put("avg_tokens_per_request", (promptTokens + outputTokens) / 2.0);
        }
        copilot.computeIfAbsent(day, d -> new CopyOnWriteArrayList<>()).add(r);
        return r;
    }

    private void cursor(HttpExchange ex) throws IOException {
        Map<String, String> q = new HashMap<>();
        JsonNode body = JSON.readTree(ex.getRequestBody().readAllBytes());
        body.fields().forEachRemaining(f -> q.put(f.getKey(), f.getValue().asText()));
        String auth = "Basic " + java.util.Base64.getEncoder()
                .encodeToString("test-cursor-admin-key:".getBytes(StandardCharsets.UTF_8));
        if (!"POST".equals(ex.getRequestMethod()) || !auth.equals(ex.getRequestHeaders().getFirst("Authorization"))) {
            answer(ex, q, 401, "{\"error\":\"Unauthorized\"}");
            return;
        }
        if (rateLimit(ex, q)) {
            return;
        }
        if (!ex.getRequestURI().getPath().endsWith("/teams/filtered-usage-events")) {
            answer(ex, q, 404, "{\"error\":\"Not found\"}");
            return;
        }
        long start = body.path("startDate").asLong();
        long end = body.path("endDate").asLong();
        int page = body.path("page").asInt(1);
        List<ObjectNode> all = cursorEvents.stream().filter(e -> {
            long t = Long.parseLong(e.path("timestamp").asText());
            return t >= start && t <= end;
        }).toList();
        int pages = Math.max(1, (all.size() + PAGE - 1) / PAGE);
        ObjectNode out = JSON.createObjectNode();
        out.put("totalUsageEventsCount", all.size());
        out.putObject("pagination").put("numPages", pages).put("currentPage", page).put("pageSize", PAGE)
                .put("hasNextPage", page < pages).put("hasPreviousPage", page > 1);
        ArrayNode events = out.putArray("usageEvents");
        for (int i = (page - 1) * PAGE; i < Math.min(all.size(), page * PAGE); i++) {
            events.add(all.get(i));
        }
        out.putObject("period").put("startDate", start).put("endDate", end);
        answer(ex, q, 200, out.toString());
    }

    private void github(HttpExchange ex) throws IOException {
        Map<String, String> q = query(ex);
        var h = ex.getRequestHeaders();
        if (!"Bearer test-github-token".equals(h.getFirst("Authorization"))
                || !"application/vnd.github+json".equals(h.getFirst("Accept"))
                || !"2022-11-28".equals(h.getFirst("X-GitHub-Api-Version"))) {
            answer(ex, q, 401, "{\"message\":\"Bad credentials\"}");
            return;
        }
        if (!ex.getRequestURI().getPath().equals("/github/orgs/acme-test/copilot/metrics/reports/users-1-day")) {
            answer(ex, q, 404, "{\"message\":\"Not Found\"}");
            return;
        }
        String day = q.get("day");
        List<ObjectNode> records = copilot.getOrDefault(day, List.of());
        if (records.isEmpty()) {
            answer(ex, q, 204, "");
            return;
        }
        ObjectNode out = JSON.createObjectNode();
        ArrayNode links = out.putArray("download_links");
        for (int f = 0; f * PAGE < records.size(); f++) { // a few records per file
            links.add(url("github-files") + "/" + day + "/" + f + ".ndjson?sig=signed");
        }
        out.put("report_day", day);
        answer(ex, q, 200, out.toString());
    }

    /** A signed report file: refuses requests that carry a token (it belongs on api.github.com only). */
    private void githubFile(HttpExchange ex) throws IOException {
        Map<String, String> q = query(ex);
        if (ex.getRequestHeaders().getFirst("Authorization") != null || !"signed".equals(q.get("sig"))) {
            answer(ex, q, 400, "<Error>InvalidArgument</Error>");
            return;
        }
        String[] parts = ex.getRequestURI().getPath().split("/");
        String day = parts[2];
        int f = Integer.parseInt(parts[3].replace(".ndjson", ""));
        List<ObjectNode> records = copilot.getOrDefault(day, List.of());
        StringBuilder b = new StringBuilder();
        for (int i = f * PAGE; i < Math.min(records.size(), (f + 1) * PAGE); i++) {
            b.append(records.get(i).toString()).append('\n');
        }
        answer(ex, q, 200, b.toString());
    }

    private void openai(HttpExchange ex) throws IOException {
        Map<String, String> q = query(ex);
        if (!"Bearer test-openai-admin-key".equals(ex.getRequestHeaders().getFirst("Authorization"))) {
            answer(ex, q, 401, "{\"error\":{\"message\":\"Incorrect API key\"}}");
            return;
        }
        if (rateLimit(ex, q)) {
            return;
        }
        String path = ex.getRequestURI().getPath();
        ObjectNode body = JSON.createObjectNode();
        if (path.endsWith("/v1/organization/users")) {
            List<Map.Entry<String, String>> users;
            synchronized (openAiUsers) {
                users = new ArrayList<>(openAiUsers.entrySet());
            }
            String after = q.get("after");
            int from = 0;
            while (after != null && from < users.size() && !users.get(from++).getKey().equals(after)) {
                // skip up to and including "after"
            }
            body.put("object", "list");
            ArrayNode data = body.putArray("data");
            if (from < users.size()) { // one user per page
                var u = users.get(from);
                data.addObject().put("object", "organization.user").put("id", u.getKey()).put("name", "Dev")
                        .put("email", u.getValue()).put("role", "reader").put("added_at", 1711471533);
                body.put("first_id", u.getKey()).put("last_id", u.getKey());
            }
            body.put("has_more", from + 1 < users.size());
            answer(ex, q, 200, body.toString());
            return;
        }
        long start = Long.parseLong(q.get("start_time"));
        int page = q.containsKey("page") ? Integer.parseInt(q.get("page").substring(5)) : 1;
        List<ObjectNode> results = new ArrayList<>();
        if (path.endsWith("/v1/organization/costs")) {
            for (double d : openAiCosts.getOrDefault(start, List.of())) {
                ObjectNode r = JSON.createObjectNode();
                r.put("object", "organization.costs.result");
                r.putObject("amount").put("value", d).put("currency", "usd");
                r.putNull("line_item");
                r.putNull("project_id");
                results.add(r);
            }
        } else {
            results.addAll(grouped(openAiUsage.getOrDefault(start, List.of()), queryAll(ex, "group_by")));
        }
        // one result per page, each in its day bucket
        body.put("object", "page");
        ArrayNode data = body.putArray("data");
        if (page <= results.size()) {
            ObjectNode bucket = data.addObject();
            bucket.put("object", "bucket").put("start_time", start).put("end_time", start + 86400);
            bucket.putArray("results").add(results.get(page - 1));
        }
        boolean more = page < results.size();
        body.put("has_more", more);
        if (more) {
            body.put("next_page", "page_" + (page + 1));
        } else {
            body.putNull("next_page");
        }
        answer(ex, q, 200, body.toString());
    }

    private void anthropic(HttpExchange ex) throws IOException {
        Map<String, String> q = query(ex);
        if (!"test-anthropic-admin-key".equals(ex.getRequestHeaders().getFirst("x-api-key"))
                || !"2023-06-01".equals(ex.getRequestHeaders().getFirst("anthropic-version"))) {
            answer(ex, q, 401, "{\"type\":\"error\",\"error\":{\"type\":\"authentication_error\"}}");
            return;
        }
        if (rateLimit(ex, q)) {
            return;
        }
        String day = q.get("starting_at");
        int page = q.containsKey("page") ? Integer.parseInt(q.get("page").substring(5)) : 1;
        if (failing.containsKey(day + "/" + page)) {
            answer(ex, q, 500, "{\"type\":\"error\",\"error\":{\"type\":\"api_error\"}}");
            return;
        }
        List<ObjectNode> all = claudeCode.getOrDefault(day, List.of());
        int from = (page - 1) * PAGE;
        ObjectNode body = JSON.createObjectNode();
        ArrayNode data = body.putArray("data");
        for (int i = from; i < Math.min(all.size(), from + PAGE); i++) {
            data.add(all.get(i));
        }
        boolean more = all.size() > from + PAGE;
        body.put("has_more", more);
        if (more) {
            body.put("next_page", "page_" + (page + 1));
        } else {
            body.putNull("next_page");
        }
        answer(ex, q, 200, body.toString());
    }

    private boolean rateLimit(HttpExchange ex, Map<String, String> q) throws IOException {
        if (rateLimitNext.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
            ex.getResponseHeaders().add("Retry-After", "1");
            answer(ex, q, 429, "{\"error\":\"rate_limited\"}");
            return true;
        }
        return false;
    }

    private void answer(HttpExchange ex, Map<String, String> q, int status, String body) throws IOException {
        Map<String, String> headers = new HashMap<>();
        ex.getRequestHeaders().forEach((k, v) -> headers.put(k.toLowerCase(), v.get(0)));
        calls.add(new Call(ex.getRequestURI().getPath(), q, headers, status, System.currentTimeMillis()));
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().add("Content-Type", "application/json");
        if (status == 204) {
            ex.sendResponseHeaders(204, -1);
            ex.close();
            return;
        }
        ex.sendResponseHeaders(status, bytes.length);
        try (OutputStream os = ex.getResponseBody()) {
            os.write(bytes);
        }
    }

    private static Map<String, String> query(HttpExchange ex) {
        Map<String, String> q = new HashMap<>();
        String raw = ex.getRequestURI().getRawQuery();
        if (raw != null) {
            for (String pair : raw.split("&")) {
                int eq = pair.indexOf('=');
                if (eq > 0) {
                    q.put(URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8),
                            URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
                }
            }
        }
        return q;
    }

    /** Every value of a repeated query parameter, in order. */
    private static List<String> queryAll(HttpExchange ex, String name) {
        List<String> values = new ArrayList<>();
        String raw = ex.getRequestURI().getRawQuery();
        if (raw != null) {
            for (String pair : raw.split("&")) {
                int eq = pair.indexOf('=');
                if (eq > 0 && URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8).equals(name)) {
                    values.add(URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
                }
            }
        }
        return values;
    }

    static List<String> list(String... s) {
        return new ArrayList<>(List.of(s));
    }
}
