package dev.yardstick.limits;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.math.BigDecimal;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * Anthropic Admin API spend limits: {@code POST /v1/organizations/spend_limits} (an upsert keyed on scope and
 * period) with {@code amount} in cents as a string and the scope in the API's field names; read back with
 * {@code GET /v1/organizations/spend_limits} (beta header {@code spend-limit-reads-2026-09-26}). A {@code user} scope
 * (Claude Enterprise) takes {@code period: "weekly"}; {@code workspace} and {@code organization} limits (Claude
 * Console) are monthly only, so they get the weekly budget × 52 / 12.
 */
@ApplicationScoped
class AnthropicCaps extends CapSource {

    static final String VERSION = "2023-06-01";
    static final String READS_BETA = "spend-limit-reads-2026-09-26";
    private static final Set<String> TYPES = Set.of("workspace", "organization", "user");

    @Inject
    LimitsConfig config;
    @Inject
    CapHttp http;

    AnthropicCaps() {
        super("anthropic", "Anthropic", null, null);
    }

    @Override
    public String missing() {
        return config.anthropic().adminKey().isEmpty() ? "ANTHROPIC_ADMIN_KEY" : null;
    }

    @Override
    public String target(JsonNode json) {
        String shape = "target must be a spend-limit scope {\"type\": \"workspace\" | \"organization\" | \"user\", "
                + "\"id\": ...}";
        if (json == null || !json.isObject() || !json.path("type").isTextual()
                || !TYPES.contains(json.path("type").asText())) {
            throw new IllegalArgumentException(shape);
        }
        String type = json.path("type").asText();
        if ("organization".equals(type)) {
            return type;
        }
        JsonNode id = json.path("id");
        if (!id.isTextual() || id.asText().isBlank() || id.asText().length() > 280 || id.asText().matches(".*\\s.*")) {
            throw new IllegalArgumentException(shape + "; a " + type + " scope needs its id");
        }
        return type + ":" + id.asText();
    }

    @Override
    public JsonNode json(String target) {
        ObjectNode o = JsonNodeFactory.instance.objectNode();
        int colon = target.indexOf(':');
        o.put("type", colon < 0 ? target : target.substring(0, colon));
        if (colon >= 0) {
            o.put("id", target.substring(colon + 1));
        }
        return o;
    }

    @Override
    public String period(String target) {
        return target.startsWith("user:") ? "weekly" : "monthly";
    }

    @Override
    public void write(String target, BigDecimal amountUsd, boolean first) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("amount", Long.toString(CapSource.cents(amountUsd)));
        body.put("scope", scope(target));
        body.put("period", period(target));
        http.send(label(), request("/v1/organizations/spend_limits").header("Content-Type", "application/json")
                .POST(http.json(body)));
    }

    @Override
    public BigDecimal read(String target) {
        Map<String, Object> scope = scope(target);
        String type = (String) scope.get("type");
        String query = "?limit=1000&scope_type=" + type
                + ("workspace".equals(type) ? "&workspace_id=" + enc((String) scope.get("workspace_id")) : "");
        String page = null;
        for (int pages = 0; pages < 100; pages++) {
            JsonNode list = http.send(label(), request("/v1/organizations/spend_limits" + query
                    + (page == null ? "" : "&page=" + enc(page))).header("anthropic-beta", READS_BETA).GET());
            for (JsonNode limit : list.path("data")) {
                if (matches(limit.path("scope"), scope) && period(target).equals(limit.path("period").asText())) {
                    JsonNode amount = limit.path("amount");
                    return amount.isTextual() ? new BigDecimal(amount.asText()).movePointLeft(2) : null;
                }
            }
            JsonNode next = list.path("next_page");
            if (!next.isTextual() || next.asText().isBlank()) {
                return null;
            }
            page = next.asText();
        }
        return null;
    }

    private static boolean matches(JsonNode found, Map<String, Object> scope) {
        for (var e : scope.entrySet()) {
            if (!e.getValue().equals(found.path(e.getKey()).asText(null))) {
                return false;
            }
        }
        return true;
    }

    /** The scope in the API's own field names. */
    static Map<String, Object> scope(String target) {
        Map<String, Object> scope = new LinkedHashMap<>();
        int colon = target.indexOf(':');
        String type = colon < 0 ? target : target.substring(0, colon);
        scope.put("type", type);
        if (colon >= 0) {
            scope.put(type + "_id", target.substring(colon + 1));
        }
        return scope;
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    private HttpRequest.Builder request(String path) {
        String base = config.anthropic().apiUrl().replaceAll("/+$", "");
        return HttpRequest.newBuilder(URI.create(base + path))
                .header("x-api-key", config.anthropic().adminKey().orElseThrow())
                .header("anthropic-version", VERSION);
    }
}
