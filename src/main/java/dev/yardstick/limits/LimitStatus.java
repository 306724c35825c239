package dev.yardstick.limits;

import dev.yardstick.budget.CapStatus;
import dev.yardstick.chat.Format;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A team's caps as people read them on a budget approval: one line per cap ({@code "LiteLLM: applied"},
 * {@code "Anthropic: retrying, 503"}, {@code "OpenAI: failed, 401"}), and a sentence when the ceiling
 * ({@code YARDSTICK_LIMITS_MAX_WEEKLY_USD}) holds the caps below the team's budget.
 */
@ApplicationScoped
public class LimitStatus implements CapStatus {

    private static final Pattern STATUS = Pattern.compile("answered (\\d{3})");

    @Inject
    EntityManager em;
    @Inject
    Limits limits;

    @Override
    public Caps of(String teamKey) {
        @SuppressWarnings("unchecked")
        List<Object[]> rows = em.createNativeQuery("""
                select source, target, status, last_error from team_limit where team_key = ?1 order by position
                """).setParameter(1, teamKey).getResultList();
        if (rows.isEmpty()) {
            return Caps.NONE;
        }
        List<String> places = new ArrayList<>();
        Set<String> labels = new LinkedHashSet<>();
        boolean settled = true;
        for (Object[] r : rows) {
            String source = (String) r[0];
            String label = limits.source(source).label();
            boolean shared = rows.stream().filter(o -> o[0].equals(source)).count() > 1;
            places.add(label + (shared ? " " + r[1] : "") + ": " + state((String) r[2], (String) r[3]));
            labels.add(label);
            settled &= "in_step".equals(r[2]);
        }
        Limits.Wanted wanted = limits.wanted(teamKey, Instant.now());
        String ceiling = wanted.capped()
                ? "The caps stop at the " + Format.usd(wanted.weeklyUsd()) + " weekly ceiling your Yardstick admin "
                        + "set, below the team's " + Format.usd(wanted.effectiveUsd()) + " budget this week."
                : null;
        return new Caps(places, and(new ArrayList<>(labels)), settled, ceiling);
    }

    private static String state(String status, String error) {
        return switch (status) {
            case "in_step" -> "applied";
            case "drifted" -> "changed outside Yardstick";
            case "failed" -> "failed, " + reason(error);
            default -> error == null ? "pending" : "retrying, " + reason(error);
        };
    }

    /** The vendor's status code from a write's error, or what kept it from answering. */
    private static String reason(String error) {
        if (error == null) {
            return "error";
        }
        Matcher m = STATUS.matcher(error);
        return m.find() ? m.group(1) : error.contains("could not be reached") ? "unreachable" : "error";
    }

    private static String and(List<String> names) {
        return names.size() == 1
                ? names.get(0)
                : String.join(", ", names.subList(0, names.size() - 1)) + " and " + names.get(names.size() - 1);
    }
}
