package dev.yardstick.pull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.yardstick.ledger.UsageRecord;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.IOException;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Claude Code usage from Anthropic's Claude Code Analytics Admin API
 * ({@code GET /v1/organizations/usage_report/claude_code}), one UTC day per request, paged by
 * {@code has_more} / {@code next_page}. Each record's {@code model_breakdown} becomes usage of tool
 * {@code claude-code} (the estimated cost is in cents); {@code commits_by_claude_code} and
 * {@code pull_requests_by_claude_code} become AI activity. Only complete days are pulled, each once;
 * the cursor is the last day stored.
 */
@ApplicationScoped
public class ClaudeCodePuller extends Puller {

    static final String NAME = "anthropic-claude-code";
    static final String TOOL = "claude-code";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int PAGE_SIZE = 1000;

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public boolean configured() {
        return config.anthropic().adminKey().isPresent();
    }

    @Override
    protected void pull() {
        for (LocalDate day : daysToPull()) {
            List<UsageRecord> usage = new ArrayList<>();
            List<Connectors.Activity> activity = new ArrayList<>();
            String page = null;
            do {
                JsonNode body = fetch(day, page);
                for (JsonNode r : body.path("data")) {
                    read(day, r, usage, activity);
                }
                page = body.path("has_more").asBoolean(false) ? text(body.path("next_page")) : null;
            } while (page != null);
            connectors.storeDay(TOOL, day, usage, activity);
            connectors.advance(NAME, day.toString());
        }
    }

    private JsonNode fetch(LocalDate day, String page) {
        String url = base(config.anthropic().apiUrl()) + "/v1/organizations/usage_report/claude_code?starting_at="
                + day + "&limit=" + PAGE_SIZE
                + (page == null ? "" : "&page=" + URLEncoder.encode(page, StandardCharsets.UTF_8));
        String body = http.send("anthropic", HttpRequest.newBuilder(URI.create(url)).GET()
                .header("x-api-key", config.anthropic().adminKey().orElseThrow())
                .header("anthropic-version", "2023-06-01"), Duration.ZERO);
        try {
            return JSON.readTree(body);
        } catch (IOException e) {
            throw new VendorException("anthropic answered a body that is not JSON", 200);
        }
    }

    /** One user-day (or API-key-day) record: a usage event per model, and its activity. */
    private void read(LocalDate day, JsonNode r, List<UsageRecord> usage, List<Connectors.Activity> activity) {
        JsonNode actor = r.path("actor");
        String type = text(actor.path("type"));
        String user;
        String team = null;
        String who;
        if ("user_actor".equals(type) && text(actor.path("email_address")) != null) {
            user = text(actor.path("email_address")).toLowerCase(Locale.ROOT);
            who = "user:" + user;
        } else {
            String key = text(actor.path("api_key_name"));
            user = Connectors.keyMember(key == null ? "unnamed" : key);
            team = connectors.teamOfKey(key);
            who = "key:" + key;
        }
        String terminal = text(r.path("terminal_type"));
        String customer = text(r.path("customer_type"));
        JsonNode core = r.path("core_metrics");
        activity.add(new Connectors.Activity(user, core.path("pull_requests_by_claude_code").asLong(0),
                core.path("commits_by_claude_code").asLong(0)));
        for (JsonNode m : r.path("model_breakdown")) {
            String model = text(m.path("model"));
            if (model == null) {
                continue;
            }
            JsonNode t = m.path("tokens");
            JsonNode cost = m.path("estimated_cost");
            BigDecimal usd = null;
            if (cost.hasNonNull("amount")) {
                // estimated_cost.amount is in cents (of estimated_cost.currency, USD)
                usd = cost.path("amount").decimalValue().movePointLeft(2).setScale(8, RoundingMode.HALF_UP);
            }
            usage.add(new UsageRecord(id(TOOL, day, who, terminal, customer, model), timeOf(day), user, team, TOOL,
                    model, t.path("input").asLong(0), t.path("output").asLong(0), t.path("cache_read").asLong(0),
                    t.path("cache_creation").asLong(0), usd, 0, null));
        }
    }

    private static String text(JsonNode n) {
        return n == null || n.isNull() || n.isMissingNode() || n.asText().isBlank() ? null : n.asText();
    }
}
