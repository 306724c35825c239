package dev.yardstick.limits;

import com.fasterxml.jackson.databind.JsonNode;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.math.BigDecimal;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * LiteLLM team budgets: {@code POST /team/update} sets {@code max_budget} (with {@code budget_duration: "7d"} on the
 * first write only, since LiteLLM restarts the period on each change of duration); {@code GET /team/info} reads it.
 */
@ApplicationScoped
class LiteLlmCaps extends CapSource {

    @Inject
    LimitsConfig config;
    @Inject
    CapHttp http;

    LiteLlmCaps() {
        super("litellm", "LiteLLM", "a LiteLLM team id (team_id)", "weekly");
    }

    @Override
    public String missing() {
        return config.litellm().url().isEmpty() || config.litellm().masterKey().isEmpty()
                ? "LITELLM_URL and LITELLM_MASTER_KEY"
                : null;
    }

    @Override
    public void write(String target, BigDecimal amountUsd, boolean first) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("team_id", target);
        body.put("max_budget", amountUsd);
        if (first) {
            body.put("budget_duration", "7d");
        }
        http.send(label(), request("/team/update").header("Content-Type", "application/json")
                .POST(http.json(body)));
    }

    @Override
    public BigDecimal read(String target) {
        JsonNode info = http.send(label(),
                request("/team/info?team_id=" + URLEncoder.encode(target, StandardCharsets.UTF_8)).GET());
        JsonNode max = info.path("team_info").path("max_budget");
        return max.isNumber() ? max.decimalValue() : null;
    }

    private HttpRequest.Builder request(String path) {
        String base = config.litellm().url().orElseThrow().replaceAll("/+$", "");
        return HttpRequest.newBuilder(URI.create(base + path))
                .header("Authorization", "Bearer " + config.litellm().masterKey().orElseThrow())
                .header("Accept", "application/json");
    }
}
