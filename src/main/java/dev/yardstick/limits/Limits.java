package dev.yardstick.limits;

import com.fasterxml.jackson.databind.JsonNode;
import dev.yardstick.admin.BudgetChanged;
import dev.yardstick.admin.SpendCaps;
import dev.yardstick.admin.Team;
import dev.yardstick.budget.Budgets;
import dev.yardstick.budget.Weeks;
import dev.yardstick.common.Problem;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import jakarta.ws.rs.core.Response;
import java.math.BigDecimal;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The caps linked to each team ({@code team_limit}) and the writes queued to them ({@code limit_write}): whenever a
 * team's effective weekly budget changes, in the transaction that changed it, each linked cap gets a new version and
 * a write of it; older writes not yet sent are superseded.
 */
@ApplicationScoped
public class Limits implements SpendCaps {

    /** The sources in the order the API names them. */
    public static final List<String> SOURCES = List.of("litellm", "anthropic", "openai", "github-copilot");

    @Inject
    EntityManager em;
    @Inject
    Instance<CapSource> sources;
    @Inject
    Budgets budgets;
    @Inject
    LimitsConfig config;

    /**
     * The cap Yardstick wants for a team this week, before each source's period: null when it has no budget;
     * {@code effectiveUsd} is the team's effective budget, above {@code weeklyUsd} when the ceiling stopped it.
     */
    record Wanted(BigDecimal weeklyUsd, Instant revertsAt, BigDecimal effectiveUsd) {

        /** Whether the ceiling holds the cap below the team's budget. */
        boolean capped() {
            return weeklyUsd != null && effectiveUsd.compareTo(weeklyUsd) > 0;
        }
    }

    CapSource source(String name) {
        for (CapSource s : sources) {
            if (s.name().equals(name)) {
                return s;
            }
        }
        throw new IllegalArgumentException("unknown source " + name);
    }

    @Override
    public void link(String teamKey, List<Link> links) {
        List<String[]> wanted = new ArrayList<>();
        List<String> errors = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        List<Link> given = links == null ? List.of() : links;
        for (int i = 0; i < given.size(); i++) {
            Link l = given.get(i);
            String at = "limits[" + i + "]";
            if (l == null || l.source() == null || !SOURCES.contains(l.source())) {
                errors.add(at + ".source must be one of " + String.join(", ", SOURCES) + ".");
                continue;
            }
            CapSource s = source(l.source());
            if (s.missing() != null) {
                errors.add(at + ": " + s.label() + " caps need " + s.missing() + " to be set (docs/limits.md).");
                continue;
            }
            try {
                String target = s.target(l.target());
                if (!seen.add(s.name() + "|" + target)) {
                    errors.add(at + " repeats an earlier " + s.name() + " target.");
                } else {
                    wanted.add(new String[]{s.name(), target});
                }
            } catch (IllegalArgumentException e) {
                errors.add(at + "." + e.getMessage() + ".");
            }
        }
        if (!errors.isEmpty()) {
            throw Problem.badRequest(String.join(" ", errors));
        }
        for (String[] w : wanted) {
            List<?> owner = em.createNativeQuery(
                    "select team_key from team_limit where source = ?1 and target = ?2 and team_key <> ?3")
                    .setParameter(1, w[0]).setParameter(2, w[1]).setParameter(3, teamKey).getResultList();
            if (!owner.isEmpty()) {
                throw Problem.exception(Response.Status.CONFLICT, "The " + source(w[0]).label() + " cap '" + w[1]
                        + "' is already linked to team '" + owner.get(0) + "'.");
            }
        }
        List<Object[]> existing = rows(teamKey);
        for (Object[] row : existing) {
            boolean kept = wanted.stream().anyMatch(w -> w[0].equals(row[0]) && w[1].equals(row[1]));
            if (!kept) {
                em.createNativeQuery("delete from team_limit where source = ?1 and target = ?2")
                        .setParameter(1, row[0]).setParameter(2, row[1]).executeUpdate();
            }
        }
        for (int i = 0; i < wanted.size(); i++) {
            String[] w = wanted.get(i);
            em.createNativeQuery("""
                    insert into team_limit (team_key, source, target, position, period) values (?1, ?2, ?3, ?4, ?5)
                    on conflict (source, target) do update set position = excluded.position
                    """).setParameter(1, teamKey).setParameter(2, w[0]).setParameter(3, w[1]).setParameter(4, i)
                    .setParameter(5, source(w[0]).period(w[1])).executeUpdate();
        }
        requeue(teamKey, Instant.now(), false);
    }

    @Override
    public List<Link> of(String teamKey) {
        List<Link> out = new ArrayList<>();
        for (Object[] row : rows(teamKey)) {
            out.add(new Link((String) row[0], source((String) row[0]).json((String) row[1])));
        }
        return out;
    }

    @SuppressWarnings("unchecked")
    private List<Object[]> rows(String teamKey) {
        return em.createNativeQuery("select source, target from team_limit where team_key = ?1 order by position")
                .setParameter(1, teamKey).getResultList();
    }

    /** An approved request: the team's caps follow, in the transaction that approved it. */
    void onBudgetChanged(@Observes BudgetChanged changed) {
        requeue(changed.teamKey(), Instant.now(), false);
    }

    /** The team's weekly cap for the week containing {@code now}: its effective budget, at most the ceiling. */
    Wanted wanted(String teamKey, Instant now) {
        Team team = Team.findById(teamKey);
        if (team == null || team.deletedAt != null) {
            return new Wanted(null, null, null);
        }
        LocalDate week = Weeks.start(now, team.zone());
        BigDecimal effective = budgets.effective(teamKey, week);
        if (effective == null) {
            return new Wanted(null, null, null);
        }
        BigDecimal base = team.weeklyBudgetUsd == null ? BigDecimal.ZERO : team.weeklyBudgetUsd;
        Instant reverts = effective.compareTo(base) != 0
                ? week.plusWeeks(1).atStartOfDay(team.zone()).toInstant()
                : null;
        BigDecimal cap = config.maxWeeklyUsd().filter(max -> max.compareTo(effective) < 0).orElse(effective);
        return new Wanted(cap, reverts, effective);
    }

    /**
     * In the caller's transaction: queues a write to each of the team's caps whose wanted amount changed, and with
     * {@code again} also to those that failed or drifted (the sync writes them back). Returns the writes queued.
     */
    @SuppressWarnings("unchecked")
    int requeue(String teamKey, Instant now, boolean again) {
        List<Object[]> links = em.createNativeQuery("""
                select source, target, wanted_usd, status from team_limit where team_key = ?1
                order by position for update
                """).setParameter(1, teamKey).getResultList();
        if (links.isEmpty()) {
            return 0;
        }
        Wanted wanted = wanted(teamKey, now);
        int queued = 0;
        for (Object[] l : links) {
            String source = (String) l[0];
            String target = (String) l[1];
            BigDecimal before = (BigDecimal) l[2];
            String status = (String) l[3];
            BigDecimal amount = wanted.weeklyUsd() == null ? null : source(source).amount(wanted.weeklyUsd(), target);
            Timestamp reverts = wanted.revertsAt() == null ? null : Timestamp.from(wanted.revertsAt());
            boolean changed = amount != null && (before == null || amount.compareTo(before) != 0);
            boolean retry = again && amount != null && ("failed".equals(status) || "drifted".equals(status));
            if (!changed && !retry) {
                em.createNativeQuery(
                        "update team_limit set wanted_usd = ?1, reverts_at = ?2 where source = ?3 and target = ?4")
                        .setParameter(1, amount).setParameter(2, reverts).setParameter(3, source)
                        .setParameter(4, target).executeUpdate();
                continue;
            }
            long version = ((Number) em.createNativeQuery("""
                    update team_limit set version = version + 1, wanted_usd = ?1, reverts_at = ?2, status = 'pending'
                    where source = ?3 and target = ?4 returning version
                    """).setParameter(1, amount).setParameter(2, reverts).setParameter(3, source)
                    .setParameter(4, target).getSingleResult()).longValue();
            em.createNativeQuery("""
                    update limit_write set status = 'superseded', done_at = now()
                    where source = ?1 and target = ?2 and status = 'pending' and version < ?3
                    """).setParameter(1, source).setParameter(2, target).setParameter(3, version).executeUpdate();
            em.createNativeQuery("""
                    insert into limit_write (team_key, source, target, version, amount_usd) values (?1, ?2, ?3, ?4, ?5)
                    """).setParameter(1, teamKey).setParameter(2, source).setParameter(3, target)
                    .setParameter(4, version).setParameter(5, amount).executeUpdate();
            queued++;
        }
        return queued;
    }

    /** One linked cap as {@code GET /api/v1/teams/{key}/limits} shows it. */
    public record LimitView(String source, JsonNode target, String period, BigDecimal wantedUsd,
            BigDecimal reportedUsd, String status, Instant appliedAt, Instant revertsAt, String lastError) {
    }

    @SuppressWarnings("unchecked")
    List<LimitView> views(String teamKey) {
        List<Object[]> rows = em.createNativeQuery("""
                select source, target, period, wanted_usd, reported_usd, status, applied_at, reverts_at, last_error
                from team_limit where team_key = ?1 order by position
                """).setParameter(1, teamKey).getResultList();
        List<LimitView> out = new ArrayList<>();
        for (Object[] r : rows) {
            out.add(new LimitView((String) r[0], source((String) r[0]).json((String) r[1]), (String) r[2],
                    (BigDecimal) r[3], (BigDecimal) r[4], (String) r[5], instant(r[6]), instant(r[7]),
                    (String) r[8]));
        }
        return out;
    }

    static Instant instant(Object o) {
        if (o == null) {
            return null;
        }
        if (o instanceof Timestamp t) {
            return t.toInstant();
        }
        if (o instanceof Instant i) {
            return i;
        }
        if (o instanceof java.time.OffsetDateTime odt) {
            return odt.toInstant();
        }
        throw new IllegalArgumentException(o.getClass().getName());
    }

    /** Keys of the teams that have caps linked. */
    @SuppressWarnings("unchecked")
    List<String> linkedTeams() {
        return em.createNativeQuery("select distinct team_key from team_limit order by team_key").getResultList();
    }
}
