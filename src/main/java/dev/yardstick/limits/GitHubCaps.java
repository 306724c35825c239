package dev.yardstick.limits;

import com.fasterxml.jackson.databind.JsonNode;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * A GitHub budget of the organisation's Copilot spending, made in GitHub and linked by its id:
 * {@code PATCH /organizations/{org}/settings/billing/budgets/{budget_id}} sets {@code budget_amount} (whole dollars,
 * monthly), {@code GET} on the same path reads it.
 */
@ApplicationScoped
class GitHubCaps extends CapSource {

    /** The REST API version the budgets endpoints are documented for. */
    static final String API_VERSION = "2026-03-10";

    @Inject
    LimitsConfig config;
    @Inject
    CapHttp http;

    GitHubCaps() {
        super("github-copilot", "GitHub Copilot", "the id of a GitHub budget of the organisation's Copilot spending",
                "monthly");
    }

    @Override
    public String missing() {
        return config.github().token().isEmpty() || config.github().org().isEmpty()
                ? "GITHUB_TOKEN and GITHUB_ORG"
                : null;
    }

    @Override
    public BigDecimal amount(BigDecimal weekly, String target) {
        return super.amount(weekly, target).setScale(0, RoundingMode.DOWN).setScale(2);
    }

    @Override
    public void write(String target, BigDecimal amountUsd, boolean first) {
        http.send(label(), request(target).header("Content-Type", "application/json").method("PATCH",
                http.json(Map.of("budget_amount", amountUsd.setScale(0, RoundingMode.DOWN).longValueExact()))));
    }

    @Override
    public BigDecimal read(String target) {
        JsonNode amount = http.send(label(), request(target).GET()).path("budget_amount");
        return amount.isNumber() ? amount.decimalValue() : null;
    }

    private HttpRequest.Builder request(String budgetId) {
        String base = config.github().apiUrl().replaceAll("/+$", "");
        return HttpRequest.newBuilder(URI.create(base + "/organizations/"
                + URLEncoder.encode(config.github().org().orElseThrow(), StandardCharsets.UTF_8)
                + "/settings/billing/budgets/" + URLEncoder.encode(budgetId, StandardCharsets.UTF_8)))
                .header("Authorization", "Bearer " + config.github().token().orElseThrow())
                .header("Accept", "application/vnd.github+json").header("X-GitHub-Api-Version", API_VERSION);
    }
}
