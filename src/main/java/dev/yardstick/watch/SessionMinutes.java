package dev.yardstick.watch;

import dev.yardstick.ledger.BatchSql;
import dev.yardstick.ledger.LiveUsage;
import dev.yardstick.ledger.UsageRetraction;
import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import javax.sql.DataSource;

/**
 * Runaway detection's per-minute figures of each session ({@code usage_session_minute}), which the watch owns: what
 * the replicas collected in memory, and usage the ledger took back (in the ledger's transaction).
 */
@ApplicationScoped
public class SessionMinutes implements UsageRetraction {

    @Inject
    AlertsConfig alertSettings;
    @Inject
    DataSource dataSource;

    /**
     * Adds per-minute session figures to {@code usage_session_minute} (negative ones take usage
     * away), in one statement and key order. The watcher calls it with what it collected in memory.
     */
    public void add(Collection<LiveUsage.Minute> minutes) {
        if (minutes.isEmpty()) {
            return;
        }
        BatchSql.withRetry(() -> QuarkusTransaction.requiringNew().call(() -> {
            try (Connection c = dataSource.getConnection()) {
                add(c, minutes);
            }
            return null;
        }));
    }

    private static void add(Connection c, Collection<LiveUsage.Minute> minutes) throws SQLException {
        List<LiveUsage.Minute> sorted = new ArrayList<>(minutes);
        sorted.sort(Comparator.comparingLong(LiveUsage.Minute::memberId).thenComparing(LiveUsage.Minute::sessionKey)
                .thenComparing(LiveUsage.Minute::minute).thenComparing(LiveUsage.Minute::tool)
                .thenComparing(LiveUsage.Minute::model));
        int n = sorted.size();
        Long[] members = new Long[n], requests = new Long[n];
        String[] keys = new String[n], times = new String[n], tools = new String[n], models = new String[n],
                teams = new String[n], costs = new String[n];
        for (int i = 0; i < n; i++) {
            LiveUsage.Minute m = sorted.get(i);
            members[i] = m.memberId();
            keys[i] = m.sessionKey();
            times[i] = m.minute().toString();
            tools[i] = m.tool();
            models[i] = m.model();
            teams[i] = m.teamKey();
            costs[i] = m.costUsd().toPlainString();
            requests[i] = m.requests();
        }
        try (PreparedStatement ps = c.prepareStatement("""
                insert into usage_session_minute as s (member_id, session_key, minute, tool, model, team_key,
                    cost_usd, requests)
                select * from unnest(?::int8[], ?::text[], ?::timestamptz[], ?::text[], ?::text[], ?::text[],
                    ?::numeric[], ?::int8[])
                on conflict (member_id, session_key, minute, tool, model) do update set
                    cost_usd = s.cost_usd + excluded.cost_usd, requests = s.requests + excluded.requests
                """)) {
            ps.setArray(1, BatchSql.longs(c, members));
            ps.setArray(2, BatchSql.text(c, keys));
            ps.setArray(3, BatchSql.text(c, times));
            ps.setArray(4, BatchSql.text(c, tools));
            ps.setArray(5, BatchSql.text(c, models));
            ps.setArray(6, BatchSql.text(c, teams));
            ps.setArray(7, BatchSql.text(c, costs));
            ps.setArray(8, BatchSql.longs(c, requests));
            ps.executeUpdate();
        }
    }

    /**
     * Usage the ledger took back (retracted or voided), out of the per-minute figures too (a replica may not have
     * written them yet: then the negative figures arrive first, and the sum comes out right all the same). A minute it
     * leaves at zero goes (rows of one minute whose sum is zero change no sum; an empty minute is no activity at
     * night).
     */
    @Override
    public void retracted(Connection c, List<LiveUsage.Minute> minus) throws SQLException {
        if (!alertSettings.enabled()) {
            return;
        }
        add(c, minus);
        try (PreparedStatement ps = c.prepareStatement("""
                delete from usage_session_minute s using (
                    select x.member_id, x.session_key, x.minute from usage_session_minute x
                    join (select distinct * from unnest(?::int8[], ?::text[], ?::timestamptz[])
                          as u (member_id, session_key, minute)) k
                        on x.member_id = k.member_id and x.session_key = k.session_key and x.minute = k.minute
                    group by 1, 2, 3 having sum(x.requests) = 0 and abs(sum(x.cost_usd)) < 0.000001) z
                where s.member_id = z.member_id and s.session_key = z.session_key and s.minute = z.minute
                """)) {
            ps.setArray(1, BatchSql.longs(c, minus.stream().map(LiveUsage.Minute::memberId).toArray(Long[]::new)));
            ps.setArray(2, BatchSql.text(c, minus.stream().map(LiveUsage.Minute::sessionKey).toArray()));
            ps.setArray(3, BatchSql.text(c, minus.stream().map(m -> m.minute().toString()).toArray()));
            ps.executeUpdate();
        }
    }
}
