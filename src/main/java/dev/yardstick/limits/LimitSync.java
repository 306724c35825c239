package dev.yardstick.limits;

import dev.yardstick.admin.Member;
import dev.yardstick.admin.Team;
import dev.yardstick.chat.ChatMessage;
import dev.yardstick.chat.Format;
import dev.yardstick.chat.MessageKey;
import dev.yardstick.chat.Messenger;
import dev.yardstick.jobs.ClusterJob;
import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.jboss.logging.Logger;

/**
 * Keeps linked caps in step, every {@code YARDSTICK_LIMITS_SYNC_EVERY} across replicas: queues a write where the cap
 * Yardstick wants changed (a week began and one-week increases ended), where a write failed, and where the previous
 * sync found the cap drifted; then reads back each cap that is in step and marks it {@code drifted} when the vendor
 * reports another amount than the one last written (changed in its console), telling the team's managers once.
 */
@ApplicationScoped
public class LimitSync implements ClusterJob {

    private static final Logger LOG = Logger.getLogger(LimitSync.class);

    @Inject
    Limits limits;
    @Inject
    LimitsConfig config;
    @Inject
    EntityManager em;
    @Inject
    Messenger messenger;

    @Override
    public String name() {
        return "limits-sync";
    }

    @Override
    public Duration every() {
        return config.syncEvery();
    }

    @Override
    public void run() {
        sync(Instant.now());
    }

    /** One sync as at {@code now}: the week it falls in decides the caps wanted. Returns the writes queued. */
    public int sync(Instant now) {
        int queued = 0;
        for (String team : QuarkusTransaction.requiringNew().call(limits::linkedTeams)) {
            queued += QuarkusTransaction.requiringNew().call(() -> limits.requeue(team, now, true));
            @SuppressWarnings("unchecked")
            List<Object[]> inStep = QuarkusTransaction.requiringNew().call(() -> em.createNativeQuery("""
                    select source, target, applied_usd from team_limit
                    where team_key = ?1 and status = 'in_step' and applied_usd is not null order by position
                    """).setParameter(1, team).getResultList());
            for (Object[] l : inStep) {
                check(team, (String) l[0], (String) l[1], (BigDecimal) l[2]);
            }
        }
        return queued;
    }

    private void check(String team, String sourceName, String target, BigDecimal applied) {
        CapSource source = limits.source(sourceName);
        BigDecimal reported;
        try {
            reported = source.read(target);
        } catch (CapException e) {
            LOG.infof("%s cap %s could not be read: %s", source.label(), target, e.getMessage());
            QuarkusTransaction.requiringNew().run(() -> em.createNativeQuery(
                    "update team_limit set last_error = ?1, checked_at = now() where source = ?2 and target = ?3")
                    .setParameter(1, "reading: " + e.getMessage()).setParameter(2, sourceName)
                    .setParameter(3, target).executeUpdate());
            return;
        }
        boolean drifted = reported == null || reported.compareTo(applied) != 0;
        QuarkusTransaction.requiringNew().run(() -> {
            // only if nothing was queued or written meanwhile
            @SuppressWarnings("unchecked")
            List<Object> drifts = em.createNativeQuery("""
                    update team_limit set reported_usd = ?1, checked_at = now(), last_error = null,
                        status = case when ?2 then 'drifted' else status end,
                        drifts = drifts + case when ?2 then 1 else 0 end
                    where source = ?3 and target = ?4 and status = 'in_step' and applied_usd = ?5
                    returning drifts
                    """).setParameter(1, reported).setParameter(2, drifted).setParameter(3, sourceName)
                    .setParameter(4, target).setParameter(5, applied).getResultList();
            if (drifted && !drifts.isEmpty()) {
                tellManagers(team, source, target, applied, reported, ((Number) drifts.get(0)).intValue());
            }
        });
    }

    private void tellManagers(String teamKey, CapSource source, String target, BigDecimal applied,
            BigDecimal reported, int drift) {
        Team team = Team.findById(teamKey);
        String period = source.period(target);
        String now = reported == null ? "no cap" : "a " + period + " cap of " + Format.usd(reported);
        String text = "The " + source.label() + " cap of " + team.name + " was changed outside Yardstick";
        ChatMessage message = ChatMessage.builder(text)
                .header(text)
                .paragraph(source.label() + " (" + target + ") now reports " + now + "; Yardstick set "
                        + Format.usd(applied) + " (" + period + ") from the team's budget. Yardstick writes its cap "
                        + "back at its next check, within " + minutes(config.syncEvery()) + ".")
                .note("To change the cap for good, change the team's budget in Yardstick.")
                .build();
        MessageKey key = MessageKey.of("limit-drift", source.name(), target.replace(':', '.'), drift);
        for (Member manager : team.managerMembers()) {
            messenger.directMessage(manager.id, key.and("manager", manager.id), message);
        }
    }

    private static String minutes(Duration d) {
        long m = Math.max(1, d.toMinutes());
        return m == 1 ? "a minute" : m + " minutes";
    }
}
