package dev.yardstick.pull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.yardstick.ledger.Pricing;
import dev.yardstick.ledger.UsageRecord;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.io.IOException;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * OpenAI API usage from the organisation Usage and Costs APIs, one UTC day at a time: tokens per
 * project, user, API key and model from {@code /v1/organization/usage/completions} ({@code input_tokens}
 * includes {@code input_cached_tokens}; OpenAI fills {@code api_key_id} and {@code project_id} only when
 * grouped by them), the day's cost in dollars from {@code /v1/organization/costs}, shared
 * out over the day's usage rows by their pricing-table cost (by tokens when a model is not priced).
 * User ids become emails through {@code /v1/organization/users}; usage of no known user goes to its API key's
 * placeholder member, team from {@code YARDSTICK_CONNECTORS_API_KEY_TEAMS} (the key's id, else the project's).
 * Tool {@code openai-api}.
 */
@ApplicationScoped
public class OpenAiPuller extends Puller {

    static final String NAME = "openai";
    static final String TOOL = "openai-api";
    private static final ObjectMapper JSON = new ObjectMapper();

    @Inject
    Pricing pricing;

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public boolean configured() {
        return config.openai().adminKey().isPresent();
    }

    /** One usage result: {@code who} (user or key), project and API key tell it apart from the day's others. */
    private record Row(String who, String project, String key, String user, String team, String model, long in,
            long out, long cached, int requests) {
    }

    @Override
    protected void pull() {
        List<LocalDate> days = daysToPull();
        if (days.isEmpty()) {
            return;
        }
        Map<String, String> emails = users();
        for (LocalDate day : days) {
            long start = day.atStartOfDay(ZoneOffset.UTC).toEpochSecond();
            long end = day.plusDays(1).atStartOfDay(ZoneOffset.UTC).toEpochSecond();
            List<Row> rows = new ArrayList<>();
            for (JsonNode r : results("/v1/organization/usage/completions?start_time=" + start + "&end_time=" + end
                    + "&bucket_width=1d&group_by=project_id&group_by=user_id&group_by=api_key_id&group_by=model"
                    + "&limit=31")) {
                String model = text(r.path("model"));
                if (model == null) {
                    continue;
                }
                String userId = text(r.path("user_id"));
                String keyId = text(r.path("api_key_id"));
                String projectId = text(r.path("project_id"));
                String user;
                String team = null;
                String who;
                if (userId != null && emails.containsKey(userId)) {
                    user = emails.get(userId);
                    who = "user:" + userId;
                } else {
                    String key = keyId != null ? keyId : projectId != null ? projectId : userId;
                    user = Connectors.keyMember(key == null ? "openai" : key);
                    team = Optional.ofNullable(connectors.teamOfKey(keyId)).orElse(connectors.teamOfKey(projectId));
                    who = "key:" + key;
                }
                long cached = r.path("input_cached_tokens").asLong(0);
                rows.add(new Row(who, projectId, keyId, user, team, model,
                        Math.max(0, r.path("input_tokens").asLong(0) - cached), r.path("output_tokens").asLong(0),
                        cached, requests(r.path("num_model_requests").asLong(0))));
            }
            BigDecimal dollars = BigDecimal.ZERO;
            for (JsonNode r : results("/v1/organization/costs?start_time=" + start + "&end_time=" + end
                    + "&bucket_width=1d&limit=31")) {
                // amount.value is in dollars
                dollars = dollars.add(r.path("amount").path("value").decimalValue());
            }
            List<BigDecimal> costs = share(rows, dollars);
            List<UsageRecord> usage = new ArrayList<>();
            for (int i = 0; i < rows.size(); i++) {
                Row w = rows.get(i);
                usage.add(new UsageRecord(id(TOOL, day, w.who(), w.model(), w.project(), w.key()), timeOf(day),
                        w.user(), w.team(), TOOL,
                        w.model(), w.in(), w.out(), w.cached(), 0, costs.get(i), w.requests(), null));
            }
            connectors.storeDay(TOOL, day, usage, List.of());
            connectors.advance(NAME, day.toString());
        }
    }

    /** The day's dollars shared over the rows, by pricing-table cost (by tokens if any model is unpriced); exact sum. */
    private List<BigDecimal> share(List<Row> rows, BigDecimal dollars) {
        List<BigDecimal> weights = new ArrayList<>();
        boolean priced = true;
        for (Row r : rows) {
            var p = pricing.lookup(r.model());
            priced &= p.isPresent();
            weights.add(p.map(x -> x.cost(r.in(), r.out(), r.cached(), 0)).orElse(BigDecimal.ZERO));
        }
        if (!priced || weights.stream().allMatch(w -> w.signum() == 0)) {
            weights.clear();
            rows.forEach(r -> weights.add(BigDecimal.valueOf(r.in() + r.out() + r.cached())));
        }
        BigDecimal total = weights.stream().reduce(BigDecimal.ZERO, BigDecimal::add);
        List<BigDecimal> out = new ArrayList<>();
        BigDecimal given = BigDecimal.ZERO;
        for (int i = 0; i < rows.size(); i++) {
            BigDecimal c;
            if (i == rows.size() - 1) {
                c = dollars.subtract(given);
            } else if (total.signum() == 0) {
                c = dollars.divide(BigDecimal.valueOf(rows.size()), 8, RoundingMode.DOWN);
            } else {
                c = dollars.multiply(weights.get(i)).divide(total, 8, RoundingMode.DOWN);
            }
            given = given.add(c);
            out.add(c.setScale(8, RoundingMode.HALF_UP));
        }
        return out;
    }

    /** Every result of every bucket of a paged usage or costs query. */
    private List<JsonNode> results(String pathAndQuery) {
        List<JsonNode> out = new ArrayList<>();
        String page = null;
        do {
            JsonNode body = get(pathAndQuery + (page == null
                    ? ""
                    : "&page=" + URLEncoder.encode(page,
                            StandardCharsets.UTF_8)));
            for (JsonNode bucket : body.path("data")) {
                bucket.path("results").forEach(out::add);
            }
            page = body.path("has_more").asBoolean(false) ? text(body.path("next_page")) : null;
        } while (page != null);
        return out;
    }

    /** User id to email, from the organisation's users (paged by {@code after}). */
    private Map<String, String> users() {
        Map<String, String> out = new HashMap<>();
        String after = null;
        do {
            JsonNode body = get("/v1/organization/users?limit=100"
                    + (after == null ? "" : "&after=" + URLEncoder.encode(after, StandardCharsets.UTF_8)));
            for (JsonNode u : body.path("data")) {
                if (text(u.path("id")) != null && text(u.path("email")) != null) {
                    out.put(text(u.path("id")), text(u.path("email")).toLowerCase(Locale.ROOT));
                }
            }
            after = body.path("has_more").asBoolean(false) ? text(body.path("last_id")) : null;
        } while (after != null);
        return out;
    }

    private JsonNode get(String pathAndQuery) {
        String body = http.send("openai", HttpRequest.newBuilder(URI.create(base(config.openai().apiUrl())
                + pathAndQuery)).GET().header("Authorization", "Bearer " + config.openai().adminKey().orElseThrow()),
                Duration.ZERO);
        try {
            return JSON.readTree(body);
        } catch (IOException e) {
            throw new VendorException("openai answered a body that is not JSON", 200);
        }
    }

    private static String text(JsonNode n) {
        return n == null || n.isNull() || n.isMissingNode() || n.asText().isBlank() ? null : n.asText();
    }
}
