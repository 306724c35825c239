package dev.yardstick.pull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.yardstick.ledger.UsageRecord;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.IOException;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.net.URI;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Cursor usage from the Cursor Admin API ({@code POST /teams/filtered-usage-events}), one UTC day
 * per query, paged by {@code pagination.hasNextPage}. Each usage event becomes one usage event of
 * tool {@code cursor} at its own time, with one request; its cost is {@code chargedCents} (model cost
 * after discount plus the Cursor Token Fee), else {@code tokenUsage.totalCents} plus
 * {@code cursorTokenFee}, in cents. Requests are spaced by
 * {@code YARDSTICK_CONNECTORS_CURSOR_REQUEST_INTERVAL} (the API allows 20 a minute). Only complete
 * days are pulled, each once; the cursor is the last day stored.
 */
@ApplicationScoped
public class CursorPuller extends Puller {

    static final String NAME = "cursor";
    static final String TOOL = "cursor";
    /** The member of usage events without a user email (placeholder, team from the API key teams as {@code cursor}). */
    static final String UNATTRIBUTED = "cursor";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int PAGE_SIZE = 100;
    private static final int MAX_PAGES = 10_000;

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public boolean configured() {
        return config.cursor().adminKey().isPresent();
    }

    @Override
    protected void pull() {
        for (LocalDate day : daysToPull()) {
            long start = day.atStartOfDay(ZoneOffset.UTC).toInstant().toEpochMilli();
            long end = day.plusDays(1).atStartOfDay(ZoneOffset.UTC).toInstant().toEpochMilli();
            List<UsageRecord> usage = new ArrayList<>();
            Map<String, Integer> seen = new HashMap<>();
            for (int page = 1;; page++) {
                JsonNode body = fetch(start, end - 1, page);
                for (JsonNode e : body.path("usageEvents")) {
                    read(day, start, end, e, seen, usage);
                }
                JsonNode p = body.path("pagination");
                boolean more = p.has("hasNextPage")
                        ? p.path("hasNextPage").asBoolean(false)
                        : page < p.path("numPages").asInt(0);
                if (!more || page >= MAX_PAGES) {
                    break;
                }
            }
            connectors.storeDay(TOOL, day, usage, List.of(), true);
            connectors.advance(NAME, day.toString());
        }
    }

    private JsonNode fetch(long startMs, long endMs, int page) {
        String request = JSON.createObjectNode().put("startDate", startMs).put("endDate", endMs).put("page", page)
                .put("pageSize", PAGE_SIZE).toString();
        String auth = Base64.getEncoder()
                .encodeToString((config.cursor().adminKey().orElseThrow() + ":").getBytes(StandardCharsets.UTF_8));
        String body = http.send("cursor", HttpRequest.newBuilder(URI.create(base(config.cursor().apiUrl())
                + "/teams/filtered-usage-events")).POST(HttpRequest.BodyPublishers.ofString(request))
                .header("Authorization", "Basic " + auth).header("Content-Type", "application/json"),
                config.cursor().requestInterval());
        try {
            return JSON.readTree(body);
        } catch (IOException e) {
            throw new VendorException("cursor answered a body that is not JSON", 200);
        }
    }

    /** One Cursor usage event, if it falls on the day; identical events are told apart by their order. */
    private void read(LocalDate day, long start, long end, JsonNode e, Map<String, Integer> seen,
            List<UsageRecord> usage) {
        long ms;
        try {
            ms = Long.parseLong(e.path("timestamp").asText().trim());
        } catch (NumberFormatException x) {
            return;
        }
        if (ms < start || ms >= end) {
            return;
        }
        String email = text(e.path("userEmail"));
        String user = email == null ? Connectors.keyMember(UNATTRIBUTED) : email.toLowerCase(Locale.ROOT);
        String team = email == null ? connectors.teamOfKey(UNATTRIBUTED) : null;
        String model = text(e.path("model"));
        JsonNode t = e.path("tokenUsage");
        long in = t.path("inputTokens").asLong(0);
        long out = t.path("outputTokens").asLong(0);
        long cacheRead = t.path("cacheReadTokens").asLong(0);
        long cacheWrite = t.path("cacheWriteTokens").asLong(0);
        BigDecimal cents = cents(e);
        String key = String.join("\u001f", e.path("timestamp").asText(), user, String.valueOf(model),
                String.valueOf(text(e.path("kind"))), String.valueOf(in), String.valueOf(out),
                String.valueOf(cacheRead), String.valueOf(cacheWrite), String.valueOf(cents),
                e.path("maxMode").asText(), e.path("isHeadless").asText());
        int n = seen.merge(key, 1, Integer::sum);
        usage.add(new UsageRecord(id(TOOL, day, key, String.valueOf(n)), Instant.ofEpochMilli(ms), user, team, TOOL,
                model == null ? "unknown" : model, in, out, cacheRead, cacheWrite,
                cents == null ? null : cents.movePointLeft(2).setScale(8, RoundingMode.HALF_UP), 1, null));
    }

    /**
     * The event's cost in cents: {@code chargedCents} when present (Cursor documents it as model cost
     * plus Cursor Token Fee, after any discount, matching {@code /teams/spend}); else
     * {@code tokenUsage.totalCents} plus {@code cursorTokenFee} (each when present); else none.
     */
    static BigDecimal cents(JsonNode e) {
        if (e.path("chargedCents").isNumber()) {
            return e.path("chargedCents").decimalValue();
        }
        JsonNode total = e.path("tokenUsage").path("totalCents");
        JsonNode fee = e.path("cursorTokenFee");
        if (!total.isNumber() && !fee.isNumber()) {
            return null;
        }
        BigDecimal c = total.isNumber() ? total.decimalValue() : BigDecimal.ZERO;
        return fee.isNumber() ? c.add(fee.decimalValue()) : c;
    }

    private static String text(JsonNode n) {
        return n == null || n.isNull() || n.isMissingNode() || n.asText().isBlank() ? null : n.asText();
    }
}
