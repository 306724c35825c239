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
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * GitHub Copilot usage from the organisation's per-user usage metrics report
 * ({@code GET /orgs/{org}/copilot/metrics/reports/users-1-day?day=}), one UTC day per request: the
 * answer holds signed links to NDJSON files, one record per user. Copilot bills seats, not tokens:
 * each user active that day becomes one usage event of tool {@code copilot}, model
 * {@value #MODEL}, costing {@code COPILOT_SEAT_PRICE_USD} divided by the days of that month, with
 * the CLI's token counts when reported. Users match members by {@code githubLogin}. A day whose
 * report is not there yet (no links) is asked for again on later runs, for {@value #REPORT_WAIT_DAYS}
 * days.
 */
@ApplicationScoped
public class CopilotPuller extends Puller {

    static final String NAME = "github-copilot";
    static final String TOOL = "copilot";
    static final String MODEL = "copilot-seat";
    /** How many days after its end a day without a report is waited for rather than taken as empty. */
    static final int REPORT_WAIT_DAYS = 3;
    private static final ObjectMapper JSON = new ObjectMapper();

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public boolean configured() {
        return config.github().token().isPresent() && config.github().org().isPresent();
    }

    /** One user's figures of a day, summed over the report's records of that user. */
    private static final class Day {

        long in;
        long out;
        long requests;
        boolean active;
    }

    @Override
    protected void pull() {
        LocalDate today = LocalDate.now(ZoneOffset.UTC);
        for (LocalDate day : daysToPull()) {
            List<String> links = links(day);
            if (links.isEmpty() && day.plusDays(REPORT_WAIT_DAYS).isAfter(today)) {
                return; // not generated yet: the next run asks again
            }
            Map<String, Day> users = new TreeMap<>();
            for (String link : links) {
                for (JsonNode r : ndjson(link)) {
                    String login = text(r.path("user_login"));
                    if (login == null) {
                        continue;
                    }
                    Day d = users.computeIfAbsent(login.toLowerCase(Locale.ROOT), x -> new Day());
                    JsonNode tokens = r.path("totals_by_cli").path("token_usage");
                    d.in += tokens.path("prompt_tokens_sum").asLong(0);
                    d.out += tokens.path("output_tokens_sum").asLong(0);
                    d.requests += r.path("user_initiated_interaction_count").asLong(0);
                    d.active |= active(r);
                }
            }
            users.values().removeIf(d -> !d.active);
            Map<String, String> emails = connectors.emailsByGithubLogin(users.keySet());
            BigDecimal seatDay = config.github().seatPriceUsd()
                    .divide(BigDecimal.valueOf(day.lengthOfMonth()), 8, RoundingMode.HALF_UP);
            List<UsageRecord> usage = new ArrayList<>();
            for (var e : users.entrySet()) {
                String user = emails.getOrDefault(e.getKey(), loginMember(e.getKey()));
                Day d = e.getValue();
                usage.add(new UsageRecord(id(TOOL, day, "login:" + e.getKey()), timeOf(day), user, null, TOOL, MODEL,
                        d.in, d.out, 0, 0, seatDay, requests(d.requests), null));
            }
            connectors.storeDay(TOOL, day, usage, List.of());
            connectors.advance(NAME, day.toString());
        }
    }

    /** Whether a record shows any Copilot use that day. */
    static boolean active(JsonNode r) {
        for (String count : List.of("user_initiated_interaction_count", "code_generation_activity_count",
                "code_acceptance_activity_count", "loc_added_sum", "loc_suggested_to_add_sum")) {
            if (r.path(count).asLong(0) > 0) {
                return true;
            }
        }
        for (Iterator<String> it = r.fieldNames(); it.hasNext();) {
            String f = it.next();
            if (f.startsWith("used_") && r.path(f).asBoolean(false)) {
                return true;
            }
        }
        return r.path("totals_by_cli").path("request_count").asLong(0) > 0;
    }

    /** The report's download links for the day; none when GitHub has no report (204). */
    private List<String> links(LocalDate day) {
        var gh = config.github();
        String url = base(gh.apiUrl()) + "/orgs/" + URLEncoder.encode(gh.org().orElseThrow(), StandardCharsets.UTF_8)
                + "/copilot/metrics/reports/users-1-day?day=" + day;
        String body = http.send("github", HttpRequest.newBuilder(URI.create(url)).GET()
                .header("Authorization", "Bearer " + gh.token().orElseThrow())
                .header("Accept", "application/vnd.github+json")
                .header("X-GitHub-Api-Version", "2022-11-28"), Duration.ZERO);
        List<String> out = new ArrayList<>();
        if (body == null || body.isBlank()) {
            return out;
        }
        try {
            for (JsonNode l : JSON.readTree(body).path("download_links")) {
                if (text(l) != null) {
                    out.add(l.asText());
                }
            }
        } catch (IOException e) {
            throw new VendorException("github answered a body that is not JSON", 200);
        }
        return out;
    }

    /** The records of one report file; the signed link is fetched without the token (another host). */
    private List<JsonNode> ndjson(String link) {
        URI uri;
        try {
            uri = URI.create(link);
        } catch (IllegalArgumentException e) {
            throw new VendorException("github gave a download link that is not a URL", 200);
        }
        String body = http.send("github", HttpRequest.newBuilder(uri).GET(), Duration.ZERO);
        List<JsonNode> out = new ArrayList<>();
        for (String line : body.split("\r?\n")) {
            if (line.isBlank()) {
                continue;
            }
            try {
                out.add(JSON.readTree(line));
            } catch (IOException e) {
                throw new VendorException("github report file has a line that is not JSON", 200);
            }
        }
        return out;
    }

    /**
     * The ledger member of a GitHub login no member has: a placeholder under the reserved
     * {@code .invalid} domain, e.g. {@code github.octocat@yardstick.invalid} (team {@code unassigned}).
     */
    static String loginMember(String login) {
        String slug = login.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9-]+", "-");
        return "github." + (slug.length() > 100 ? slug.substring(0, 100) : slug) + "@yardstick.invalid";
    }

    private static String text(JsonNode n) {
        return n == null || n.isNull() || n.isMissingNode() || n.asText().isBlank() ? null : n.asText();
    }
}
