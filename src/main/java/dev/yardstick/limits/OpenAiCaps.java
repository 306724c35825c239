package dev.yardstick.limits;

import com.fasterxml.jackson.databind.JsonNode;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.math.BigDecimal;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * OpenAI project hard spend limits: {@code POST /v1/organization/projects/{id}/spend_limit} with
 * {@code threshold_amount} in cents, {@code currency: "USD"}, {@code interval: "month"} (the only interval), read
 * with {@code GET} on the same path.
 */
@ApplicationScoped
class OpenAiCaps extends CapSource {

    @Inject
    LimitsConfig config;
    @Inject
    CapHttp http;

    OpenAiCaps() {
        super("openai", "OpenAI", "an OpenAI project id such as proj_abc123", "monthly");
    }

    @Override
    public String missing() {
        return config.openai().adminKey().isEmpty() ? "OPENAI_ADMIN_KEY" : null;
    }

    @Override
    public void write(String target, BigDecimal amountUsd, boolean first) {
        http.send(label(), request(target).header("Content-Type", "application/json").POST(http.json(Map.of(
                "threshold_amount", CapSource.cents(amountUsd), "currency", "USD", "interval", "month"))));
    }

    @Override
    public BigDecimal read(String target) {
        JsonNode limit = http.send(label(), request(target).GET()).path("threshold_amount");
        return limit.isNumber() ? limit.decimalValue().movePointLeft(2) : null;
    }

    private HttpRequest.Builder request(String project) {
        String base = config.openai().apiUrl().replaceAll("/+$", "");
        return HttpRequest.newBuilder(URI.create(base + "/v1/organization/projects/"
                + URLEncoder.encode(project, StandardCharsets.UTF_8) + "/spend_limit"))
                .header("Authorization", "Bearer " + config.openai().adminKey().orElseThrow());
    }
}
