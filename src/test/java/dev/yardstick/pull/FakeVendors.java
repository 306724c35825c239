package dev.yardstick.pull;

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
 * every call: Anthropic's Claude Code Analytics API (records per UTC day, a few per page).
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
    private final AtomicInteger rateLimitNext = new AtomicInteger();
    /** "day/page" that answers 500 while present. */
    private final Map<String, Boolean> failing = new ConcurrentHashMap<>();

    public FakeVendors() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.setExecutor(Executors.newFixedThreadPool(4));
        server.createContext("/anthropic/", this::anthropic);
        server.createContext("/openai/", this::openai);
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

    /** A completions usage result of a user and model on the UTC day starting at {@code start} (epoch s). */
    public void openAiUsage(long start, String userId, String model, long input, long cached, long output,
            long requests) {
        ObjectNode r = JSON.createObjectNode();
        r.put("object", "organization.usage.completions.result");
        r.put("input_tokens", input);
        r.put("output_tokens", output);
        r.put("input_cached_tokens", cached);
        r.put("input_audio_tokens", 0);
        r.put("output_audio_tokens", 0);
        r.put("num_model_requests", requests);
        r.putNull("project_id");
        r.put("user_id", userId);
        r.putNull("api_key_id");
        r.put("model", model);
        r.putNull("batch");
        openAiUsage.computeIfAbsent(start, d -> new CopyOnWriteArrayList<>()).add(r);
    }

    /** A cost line (dollars) on the UTC day starting at {@code start}. */
    public void openAiCost(long start, double dollars) {
        openAiCosts.computeIfAbsent(start, d -> new CopyOnWriteArrayList<>()).add(dollars);
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
            results.addAll(openAiUsage.getOrDefault(start, List.of()));
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

    static List<String> list(String... s) {
        return new ArrayList<>(List.of(s));
    }
}
