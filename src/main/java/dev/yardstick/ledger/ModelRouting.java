package dev.yardstick.ledger;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.Date;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;
import javax.sql.DataSource;

/**
 * Routing advice in dollars: what the short requests on a premium model would have cost on the same provider's
 * efficient model, for the same token counts, at the pricing table's list prices. A request is short when it is one
 * request of at most {@value #SHORT_REQUEST_TOKENS} tokens in total; the rollups add those up as they are written
 * ({@link UsageRollups#counts}). The cheaper model of each premium family is the explicit mapping {@link #RULES}
 * (documented in {@code docs/pricing.md#routing-advice}), or the model a table in Yardstick's format names in a
 * model's {@code cheaper} field; used only when both models are in the table, the one premium and the other
 * efficient. Figures only: the sentences are composed by {@code personal} and {@code digest}.
 */
@ApplicationScoped
public class ModelRouting {

    /**
     * The most tokens a request may have in total (input, output, cache reads and cache writes) to count as short:
     * small enough that an efficient model is a reasonable choice. Context counts, so a small edit in a long
     * conversation is not short.
     */
    public static final long SHORT_REQUEST_TOKENS = 16_000;

    /** A model of the pricing table's premium tier and the efficient model its short requests are set against. */
    record Rule(Pattern premium, String efficient) {
    }

    private static final String SUFFIX = "(-\\d{8}|-\\d{4}-\\d{2}-\\d{2}|\\[1m\\])?";

    /** The tier mapping, premium family to the same provider's efficient model; the first match counts. */
    static final List<Rule> RULES = List.of(
            rule("claude-(opus|sonnet|fable|mythos)-5(-\\d+)?", "claude-haiku-5-5"),
            rule("claude-(opus|sonnet)-4(-\\d+)?|claude-3-7-sonnet(-latest)?", "claude-haiku-4-5"),
            rule("gpt-6(\\.\\d+)?-(astra|sol|terra)", "gpt-6-luna"),
            rule("gpt-5\\.6(-sol|-terra)?", "gpt-5.6-luna"),
            rule("gpt-5\\.[45]", "gpt-5.4-mini"),
            rule("gpt-5(\\.[1-3])?-codex(-max)?", "gpt-5.1-codex-mini"),
            rule("gpt-5(\\.[12])?(-chat-latest)?", "gpt-5-mini"),
            rule("gpt-4\\.1", "gpt-4.1-mini"),
            rule("gpt-4o", "gpt-4o-mini"),
            rule("o1|o3", "o4-mini"),
            rule("gemini-3(\\.\\d+)?-pro(-preview)?", "gemini-3-flash-preview"),
            rule("gemini-2\\.5-pro(-preview(-\\d{2}-\\d{2})?)?", "gemini-2.5-flash"));

    private static Rule rule(String premium, String efficient) {
        return new Rule(Pattern.compile("(" + premium + ")" + SUFFIX), efficient);
    }

    /**
     * The short requests on one model in a range of days, and what they would have cost on its cheaper model.
     *
     * @param costUsd        their tokens at the model's own list prices
     * @param cheaperCostUsd the same tokens at the cheaper model's list prices
     */
    public record Advice(String model, String cheaperModel, long requests, BigDecimal costUsd,
            BigDecimal cheaperCostUsd) {

        /** How much less the requests would have cost on the cheaper model. */
        public BigDecimal savingUsd() {
            return costUsd.subtract(cheaperCostUsd);
        }
    }

    @Inject
    Pricing pricing;
    @Inject
    DataSource dataSource;

    /** Whether a usage event is one short request (see {@link #SHORT_REQUEST_TOKENS}). */
    static boolean isShort(long in, long out, long cacheRead, long cacheWrite, long requests) {
        return requests == 1 && in >= 0 && out >= 0 && cacheRead >= 0 && cacheWrite >= 0
                && in + out + cacheRead + cacheWrite <= SHORT_REQUEST_TOKENS;
    }

    /**
     * The efficient model the short requests of {@code model} are set against, or empty: the model is not in the
     * table, not premium, has no rule (nor {@code cheaper} in the table), or the model so named is not in the table
     * as an efficient one.
     */
    public Optional<Pricing.Price> cheaper(String model) {
        Optional<Pricing.Price> own = pricing.lookup(model);
        if (own.isEmpty() || !"premium".equals(own.get().tier())) {
            return Optional.empty();
        }
        Optional<String> named = pricing.cheaperOf(own.get().model());
        if (named.isPresent()) {
            return pricing.lookup(named.get()).filter(p -> "efficient".equals(p.tier()));
        }
        String name = own.get().model();
        name = name.substring(name.lastIndexOf('/') + 1);
        for (Rule r : RULES) {
            if (r.premium().matcher(name).matches()) {
                return pricing.lookup(r.efficient()).filter(p -> "efficient".equals(p.tier()));
            }
        }
        return Optional.empty();
    }

    /**
     * One member's short requests in the days {@code from..to}, per model that has a cheaper one and on which they
     * would have cost less, largest saving first. For that member's own eyes only.
     */
    public List<Advice> ofMember(long memberId, LocalDate from, LocalDate to) {
        return advise("usage_daily_all", "member_id = ?", ps -> ps.setLong(1, memberId), from, to);
    }

    /** The team's short requests in the days {@code from..to}, as {@link #ofMember}; no person in it. */
    public List<Advice> ofTeam(String team, LocalDate from, LocalDate to) {
        return advise("usage_team_daily_all", "team_key = ?", ps -> ps.setString(1, team), from, to);
    }

    /** The sum of the savings. */
    public static BigDecimal total(List<Advice> advice) {
        return advice.stream().map(Advice::savingUsd).reduce(BigDecimal.ZERO, BigDecimal::add);
    }

    /** Binds the first parameter of a query. */
    @FunctionalInterface
    private interface Binder {

        void bind(PreparedStatement ps) throws SQLException;
    }

    private List<Advice> advise(String table, String who, Binder binder, LocalDate from, LocalDate to) {
        // the models' names as the table knows them (aliases and dated ids together): requests and tokens
        java.util.Map<String, long[]> byModel = new java.util.TreeMap<>();
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement("""
                select model, sum(short_requests), sum(short_input_tokens), sum(short_output_tokens),
                       sum(short_cache_read_tokens), sum(short_cache_write_tokens)
                from %s where %s and day between ? and ?
                group by model having sum(short_requests) > 0
                """.formatted(table, who))) {
            binder.bind(ps);
            ps.setDate(2, Date.valueOf(from));
            ps.setDate(3, Date.valueOf(to));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    String model = rs.getString(1);
                    if (cheaper(model).isEmpty()) {
                        continue;
                    }
                    long[] sums = byModel.computeIfAbsent(pricing.lookup(model).orElseThrow().model(),
                            k -> new long[5]);
                    for (int i = 0; i < 5; i++) {
                        sums[i] += rs.getLong(i + 2);
                    }
                }
            }
        } catch (SQLException e) {
            throw new IllegalStateException("routing query failed", e);
        }
        List<Advice> out = new ArrayList<>();
        byModel.forEach((model, s) -> {
            Pricing.Price own = pricing.lookup(model).orElseThrow();
            Pricing.Price cheaper = cheaper(model).orElseThrow();
            BigDecimal cost = own.cost(s[1], s[2], s[3], s[4]);
            BigDecimal cheaperCost = cheaper.cost(s[1], s[2], s[3], s[4]);
            if (cost.compareTo(cheaperCost) > 0) {
                out.add(new Advice(model, cheaper.model(), s[0], cost, cheaperCost));
            }
        });
        out.sort(Comparator.comparing(Advice::savingUsd).reversed().thenComparing(Advice::model));
        return out;
    }
}
