package dev.yardstick.ledger;

import dev.yardstick.common.AfterCommit;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.transaction.TransactionSynchronizationRegistry;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The kinds of raw usage events ({@code usage_kind}, V28): a raw row keeps a 4-byte kind for its team key, member,
 * tool, model and cost source, and (V30) its origin (the id prefix it came with, {@link UsageWriter#ORIGINS}) and
 * whether it went into the live figures. Kinds are never changed by ingest, so the service keeps the ones it has seen in memory
 * (a few per person, about 100 bytes each; forgotten all at once past {@value #CACHED} entries) and asks the database
 * only for new ones.
 */
@ApplicationScoped
class UsageKinds {

    /** Kinds remembered at most; past that the memory starts again empty. */
    static final int CACHED = 200_000;

    /** What a kind names. */
    record Key(String team, long member, String tool, String model, String costSource, String origin, boolean live) {

        static final Comparator<Key> ORDER = Comparator.comparing(Key::team).thenComparingLong(Key::member)
                .thenComparing(Key::tool).thenComparing(Key::model).thenComparing(Key::costSource)
                .thenComparing(Key::origin).thenComparing(Key::live);
    }

    private final Map<Key, Integer> known = new ConcurrentHashMap<>();

    @Inject
    TransactionSynchronizationRegistry transactions;

    /**
     * The ids of {@code keys}, on the caller's connection and transaction: new kinds are created there (in key order,
     * so two batches creating the same kinds wait for each other without deadlocking) and remembered once that
     * transaction commits; a rolled-back batch leaves nothing behind in memory.
     */
    Map<Key, Integer> ids(Connection c, Collection<Key> keys) throws SQLException {
        Map<Key, Integer> out = new HashMap<>();
        TreeSet<Key> missing = new TreeSet<>(Key.ORDER);
        for (Key k : keys) {
            Integer id = known.get(k);
            if (id != null) {
                out.put(k, id);
            } else {
                missing.add(k);
            }
        }
        if (missing.isEmpty()) {
            return out;
        }
        int n = missing.size();
        String[] teams = new String[n], tools = new String[n], models = new String[n], sources = new String[n],
                origins = new String[n];
        Long[] members = new Long[n];
        Boolean[] lives = new Boolean[n];
        int i = 0;
        for (Key k : missing) {
            teams[i] = k.team();
            members[i] = k.member();
            tools[i] = k.tool();
            models[i] = k.model();
            sources[i] = k.costSource();
            origins[i] = k.origin();
            lives[i] = k.live();
            i++;
        }
        Map<Key, Integer> found = new HashMap<>();
        // two statements: the second one's snapshot sees the kinds another batch created while this one waited
        try (PreparedStatement ps = c.prepareStatement("""
                insert into usage_kind (team_key, member_id, tool, model, cost_source, origin, live)
                select t, m, tl, md, s, o::"char", l
                from unnest(?::text[], ?::int8[], ?::text[], ?::text[], ?::text[], ?::text[], ?::bool[])
                    as n (t, m, tl, md, s, o, l)
                order by 1, 2, 3, 4, 5, 6, 7
                on conflict do nothing
                """)) {
            bind(c, ps, teams, members, tools, models, sources, origins, lives);
            ps.executeUpdate();
        }
        try (PreparedStatement ps = c.prepareStatement("""
                select k.id, k.team_key, k.member_id, k.tool, k.model, k.cost_source, k.origin::text, k.live
                from usage_kind k
                join unnest(?::text[], ?::int8[], ?::text[], ?::text[], ?::text[], ?::text[], ?::bool[])
                    as n (team_key, member_id, tool, model, cost_source, origin, live)
                    on (k.team_key, k.member_id, k.tool, k.model, k.cost_source, k.origin, k.live)
                        = (n.team_key, n.member_id, n.tool, n.model, n.cost_source, n.origin::"char", n.live)
                """)) {
            bind(c, ps, teams, members, tools, models, sources, origins, lives);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    // interned: remembered kinds share their few team, tool, model and source names
                    found.put(new Key(rs.getString(2).intern(), rs.getLong(3), rs.getString(4).intern(),
                            rs.getString(5).intern(), rs.getString(6).intern(), rs.getString(7).intern(),
                            rs.getBoolean(8)), rs.getInt(1));
                }
            }
        }
        if (found.size() != n) {
            throw new IllegalStateException("usage kinds: asked for " + n + ", found " + found.size());
        }
        out.putAll(found);
        AfterCommit.run(transactions, () -> {
            if (known.size() + found.size() > CACHED) {
                known.clear();
            }
            known.putAll(found);
        });
        return out;
    }

    private static void bind(Connection c, PreparedStatement ps, String[] teams, Long[] members, String[] tools,
            String[] models, String[] sources, String[] origins, Boolean[] lives) throws SQLException {
        ps.setArray(1, BatchSql.text(c, teams));
        ps.setArray(2, BatchSql.longs(c, members));
        ps.setArray(3, BatchSql.text(c, tools));
        ps.setArray(4, BatchSql.text(c, models));
        ps.setArray(5, BatchSql.text(c, sources));
        ps.setArray(6, BatchSql.text(c, origins));
        ps.setArray(7, c.createArrayOf("bool", lives));
    }
}
