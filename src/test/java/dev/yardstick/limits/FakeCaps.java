package dev.yardstick.limits;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.math.BigDecimal;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;

/**
 * Fake cap APIs on loopback, in the vendors' documented shapes, checking their auth headers and recording every
 * call: LiteLLM ({@code POST /team/update}, {@code GET /team/info}), Anthropic ({@code POST} and {@code GET
 * /v1/organizations/spend_limits}), OpenAI ({@code /v1/organization/projects/{id}/spend_limit}) and GitHub
 * ({@code /organizations/{org}/settings/billing/budgets/{id}}).
 */
public final class FakeCaps {

    public static final String LITELLM_KEY = "test-litellm-master-key";
    public static final String ANTHROPIC_KEY = "test-anthropic-admin-key";
    public static final String OPENAI_KEY = "test-openai-admin-key";
    public static final String GITHUB_TOKEN = "test-github-token";
    public static final String GITHUB_ORG = "acme-test";

    /** One recorded call: vendor, method, path with query, JSON body (or null). */
    public record Call(String vendor, String method, String path, JsonNode body) {
    }

    static final ObjectMapper JSON = new ObjectMapper();

    private final HttpServer server;
    private final List<Call> calls = new CopyOnWriteArrayList<>();
    /** The caps as each vendor holds them: "vendor|key" → USD. */
    private final Map<String, BigDecimal> caps = new ConcurrentHashMap<>();
    /** Statuses to answer writes with before answering normally, per "vendor|key": "503" or "503/2" (Retry-After 2). */
    private final Map<String, Queue<String>> failures = new ConcurrentHashMap<>();

    public FakeCaps() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.setExecutor(Executors.newFixedThreadPool(4));
        server.createContext("/", this::handle);
        server.start();
    }

    public String url(String vendor) {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/" + vendor;
    }

    /** The writes a vendor received for a key (LiteLLM team id, Anthropic scope "type:id", project, budget id). */
    public List<Call> writes(String vendor, String key) {
        return calls.stream().filter(c -> c.vendor().equals(vendor) && !c.method().equals("GET"))
                .filter(c -> key.equals(keyOf(vendor, c.path(), c.body()))).toList();
    }

    /** The cap the vendor holds, as its console would show it. */
    public BigDecimal cap(String vendor, String key) {
        return caps.get(vendor + "|" + key);
    }

    /** Changes a cap as someone in the vendor's console would. */
    public void setInConsole(String vendor, String key, BigDecimal usd) {
        caps.put(vendor + "|" + key, usd);
    }

    /** The next writes of this key answer these statuses first ("503/1": 503 with Retry-After: 1). */
    public void failNextWrites(String vendor, String key, String... statuses) {
        failures.computeIfAbsent(vendor + "|" + key, v -> new ConcurrentLinkedQueue<>()).addAll(List.of(statuses));
    }

    private static String keyOf(String vendor, String path, JsonNode body) {
        return switch (vendor) {
            case "litellm" -> body == null ? null : body.path("team_id").asText();
            case "anthropic" -> body == null ? null : scopeKey(body.path("scope"));
            case "openai" -> path.split("/")[4];
            default -> path.substring(path.lastIndexOf('/') + 1);
        };
    }

    private static String scopeKey(JsonNode scope) {
        String type = scope.path("type").asText();
        return "organization".equals(type) ? type : type + ":" + scope.path(type + "_id").asText();
    }

    private void handle(HttpExchange ex) throws IOException {
        try (ex) {
            String full = ex.getRequestURI().getRawPath();
            String vendor = full.split("/")[1];
            String path = full.substring(vendor.length() + 1);
            String method = ex.getRequestMethod();
            byte[] raw = ex.getRequestBody().readAllBytes();
            JsonNode body = raw.length == 0 ? null : JSON.readTree(raw);
            Map<String, String> query = query(ex.getRequestURI().getRawQuery());
            String unauthorized = auth(vendor, ex);
            if (unauthorized != null) {
                answer(ex, 401, "{\"error\":\"" + unauthorized + "\"}", null);
                return;
            }
            if (!method.equals("GET")) {
                Queue<String> q = failures.get(vendor + "|" + keyOf(vendor, path, body));
                String fail = q == null ? null : q.poll();
                if (fail != null) {
                    calls.add(new Call(vendor, method, path, body));
                    String[] f = fail.split("/");
                    answer(ex, Integer.parseInt(f[0]), "{\"error\":\"unavailable\"}", f.length > 1 ? f[1] : null);
                    return;
                }
            }
            switch (vendor) {
                case "litellm" -> litellm(ex, method, path, body, query);
                case "anthropic" -> anthropic(ex, method, path, body, query);
                case "openai" -> openai(ex, method, path, body);
                case "github" -> github(ex, method, path, body);
                default -> answer(ex, 404, "{}", null);
            }
        } catch (RuntimeException e) {
            answer(ex, 500, "{\"error\":\"" + e.getClass().getSimpleName() + "\"}", null);
        }
    }

    private static String auth(String vendor, HttpExchange ex) {
        var h = ex.getRequestHeaders();
        return switch (vendor) {
            case "litellm" -> ("Bearer " + LITELLM_KEY).equals(h.getFirst("Authorization")) ? null : "bad key";
            case "anthropic" -> ANTHROPIC_KEY.equals(h.getFirst("x-api-key"))
                    && "2023-06-01".equals(h.getFirst("anthropic-version")) ? null : "bad key or version";
            case "openai" -> ("Bearer " + OPENAI_KEY).equals(h.getFirst("Authorization")) ? null : "bad key";
            case "github" -> ("Bearer " + GITHUB_TOKEN).equals(h.getFirst("Authorization"))
                    && "application/vnd.github+json".equals(h.getFirst("Accept"))
                    && h.getFirst("X-GitHub-Api-Version") != null ? null : "bad token or headers";
            default -> null;
        };
    }

    private void litellm(HttpExchange ex, String method, String path, JsonNode body, Map<String, String> query)
            throws IOException {
        if (method.equals("POST") && path.equals("/team/update")) {
            calls.add(new Call("litellm", method, path, body));
            String team = body.path("team_id").asText();
            if (body.has("max_budget")) {
                caps.put("litellm|" + team, body.path("max_budget").decimalValue());
            }
            ObjectNode out = JSON.createObjectNode().put("team_id", team);
            out.set("data", body);
            answer(ex, 200, out.toString(), null);
        } else if (method.equals("GET") && path.equals("/team/info")) {
            calls.add(new Call("litellm", method, path + "?team_id=" + query.get("team_id"), null));
            String team = query.get("team_id");
            ObjectNode out = JSON.createObjectNode().put("team_id", team);
            ObjectNode info = out.putObject("team_info").put("team_id", team).put("spend", 12.5)
                    .put("budget_duration", "7d").put("budget_reset_at", "2026-12-14T00:00:00Z");
            BigDecimal cap = caps.get("litellm|" + team);
            if (cap == null) {
                info.putNull("max_budget");
            } else {
                info.put("max_budget", cap);
            }
            answer(ex, 200, out.toString(), null);
        } else {
            answer(ex, 404, "{}", null);
        }
    }

    private void anthropic(HttpExchange ex, String method, String path, JsonNode body, Map<String, String> query)
            throws IOException {
        if (!path.equals("/v1/organizations/spend_limits")) {
            answer(ex, 404, "{}", null);
            return;
        }
        if (method.equals("POST")) {
            calls.add(new Call("anthropic", method, path, body));
            if (!body.path("amount").isTextual() || !body.path("amount").asText().matches("[0-9]+")) {
                answer(ex, 400, "{\"error\":{\"type\":\"invalid_request_error\"}}", null);
                return;
            }
            String key = scopeKey(body.path("scope")) + "|" + body.path("period").asText();
            caps.put("anthropic|" + key, new BigDecimal(body.path("amount").asText()).movePointLeft(2));
            answer(ex, 200, limit(key).toString(), null);
        } else {
            calls.add(new Call("anthropic", method, path, null));
            if (!"spend-limit-reads-2026-09-26".equals(ex.getRequestHeaders().getFirst("anthropic-beta"))) {
                answer(ex, 400, "{\"error\":{\"type\":\"invalid_request_error\"}}", null);
                return;
            }
            ObjectNode out = JSON.createObjectNode();
            ArrayNode data = out.putArray("data");
            caps.keySet().stream().filter(k -> k.startsWith("anthropic|")).map(k -> k.substring(10))
                    .filter(k -> k.startsWith(query.getOrDefault("scope_type", "")))
                    .forEach(k -> data.add(limit(k)));
            out.putNull("next_page");
            answer(ex, 200, out.toString(), null);
        }
    }

    private ObjectNode limit(String key) {
        String[] parts = key.split("\\|");
        String scope = parts[0];
        ObjectNode l = JSON.createObjectNode().put("type", "spend_limit").put("id", "spl_" + scope.hashCode())
                .put("amount", caps.get("anthropic|" + key).movePointRight(2).toBigInteger().toString())
                .put("currency", "USD").put("is_enabled", true).put("period", parts[1])
                .put("created_at", "2026-12-01T00:00:00Z");
        ObjectNode s = l.putObject("scope");
        int colon = scope.indexOf(':');
        String type = colon < 0 ? scope : scope.substring(0, colon);
        s.put("type", type);
        if (colon >= 0) {
            s.put(type + "_id", scope.substring(colon + 1));
        }
        return l;
    }

    /** The Anthropic cap of a scope ("workspace:wrkspc_1") and period. */
    public BigDecimal anthropic(String scope, String period) {
        return caps.get("anthropic|" + scope + "|" + period);
    }

    private void openai(HttpExchange ex, String method, String path, JsonNode body) throws IOException {
        String[] p = path.split("/");
        if (p.length != 6 || !path.startsWith("/v1/organization/projects/") || !p[5].equals("spend_limit")) {
            answer(ex, 404, "{}", null);
            return;
        }
        calls.add(new Call("openai", method, path, body));
        String project = p[4];
        if (method.equals("POST")) {
            if (!body.path("threshold_amount").isIntegralNumber() || !"USD".equals(body.path("currency").asText())
                    || !"month".equals(body.path("interval").asText())) {
                answer(ex, 400, "{\"error\":{\"message\":\"invalid\"}}", null);
                return;
            }
            caps.put("openai|" + project, body.path("threshold_amount").decimalValue().movePointLeft(2));
        }
        BigDecimal cap = caps.get("openai|" + project);
        ObjectNode out = JSON.createObjectNode().put("object", "project.spend_limit").put("currency", "USD")
                .put("interval", "month").put("threshold_amount", cap == null ? 0 : cap.movePointRight(2).longValue());
        out.putObject("enforcement").put("status", "enforcing");
        answer(ex, 200, out.toString(), null);
    }

    private void github(HttpExchange ex, String method, String path, JsonNode body) throws IOException {
        String prefix = "/organizations/" + GITHUB_ORG + "/settings/billing/budgets/";
        if (!path.startsWith(prefix)) {
            answer(ex, 404, "{\"message\":\"Not Found\"}", null);
            return;
        }
        calls.add(new Call("github", method, path, body));
        String id = path.substring(prefix.length());
        if (method.equals("PATCH")) {
            if (!body.path("budget_amount").isIntegralNumber()) {
                answer(ex, 422, "{\"message\":\"Validation Failed\"}", null);
                return;
            }
            caps.put("github|" + id, body.path("budget_amount").decimalValue());
        }
        BigDecimal cap = caps.getOrDefault("github|" + id, BigDecimal.ZERO);
        ObjectNode out = JSON.createObjectNode().put("id", id).put("budget_type", "ProductPricing")
                .put("budget_scope", "organization").put("budget_entity_name", GITHUB_ORG)
                .put("budget_amount", cap.longValue()).put("prevent_further_usage", true);
        out.putArray("budget_product_skus").add("copilot");
        answer(ex, 200, out.toString(), null);
    }

    private static Map<String, String> query(String raw) {
        Map<String, String> q = new HashMap<>();
        if (raw != null) {
            for (String kv : raw.split("&")) {
                int eq = kv.indexOf('=');
                if (eq > 0) {
                    q.put(kv.substring(0, eq), URLDecoder.decode(kv.substring(eq + 1), StandardCharsets.UTF_8));
                }
            }
        }
        return q;
    }

    private static void answer(HttpExchange ex, int status, String body, String retryAfter) throws IOException {
        byte[] b = body.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("Content-Type", "application/json");
        if (retryAfter != null) {
            ex.getResponseHeaders().set("Retry-After", retryAfter);
        }
        ex.sendResponseHeaders(status, b.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(b);
        }
    }
}
