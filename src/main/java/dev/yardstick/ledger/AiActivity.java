package dev.yardstick.ledger;

import dev.yardstick.admin.Roster;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.LocalDate;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The AI activity the coding tools report beside usage ({@code ai_activity_daily}: pull requests and commits per
 * person, tool, day and source), owned by the ledger: OpenTelemetry counters add to it, a pulled day replaces its
 * earlier pull. Both run on the caller's connection and transaction.
 */
@ApplicationScoped
public class AiActivity {

    /** One person's count of one kind ({@code pull_request}, {@code commit}) with one tool on one day. */
    public record Count(String user, String tool, LocalDate day, String kind, long count) {
    }

    private record Key(long member, String tool, LocalDate day, String kind) implements Comparable<Key> {

        private static final Comparator<Key> ORDER = Comparator.comparingLong(Key::member).thenComparing(Key::tool)
                .thenComparing(Key::day).thenComparing(Key::kind);

        @Override
        public int compareTo(Key o) {
            return ORDER.compare(this, o);
        }
    }

    @Inject
    Roster roster;

    /** Adds these counts (source {@code otlp}). */
    public void add(Connection c, List<Count> counts) throws SQLException {
        write(c, counts, "otlp", "count = a.count + excluded.count");
    }

    /** Sets these counts as the pulled ones (source {@code pull}), replacing an earlier pull of the same days. */
    public void replacePulled(Connection c, List<Count> counts) throws SQLException {
        write(c, counts, "pull", "count = excluded.count");
    }

    private void write(Connection c, List<Count> counts, String source, String onConflict) throws SQLException {
        if (counts.isEmpty()) {
            return;
        }
        Map<String, Roster.Person> people = roster.resolve(c, counts.stream().map(Count::user).toList());
        Map<Key, Long> sums = new TreeMap<>();
        for (Count n : counts) {
            sums.merge(new Key(people.get(n.user()).id(), n.tool(), n.day(), n.kind()), n.count(), Long::sum);
        }
        int n = sums.size();
        Long[] members = new Long[n], values = new Long[n];
        String[] tools = new String[n], days = new String[n], kinds = new String[n];
        int i = 0;
        for (var e : sums.entrySet()) {
            members[i] = e.getKey().member();
            tools[i] = e.getKey().tool();
            days[i] = e.getKey().day().toString();
            kinds[i] = e.getKey().kind();
            values[i] = e.getValue();
            i++;
        }
        try (PreparedStatement ps = c.prepareStatement("""
                insert into ai_activity_daily as a (member_id, tool, day, kind, count, source)
                select m, t, d, k, v, ? from unnest(?::int8[], ?::text[], ?::date[], ?::text[], ?::int8[])
                    as x(m, t, d, k, v)
                on conflict (member_id, tool, day, kind, source) do update set\s""" + onConflict)) {
            ps.setString(1, source);
            ps.setArray(2, BatchSql.longs(c, members));
            ps.setArray(3, BatchSql.text(c, tools));
            ps.setArray(4, BatchSql.text(c, days));
            ps.setArray(5, BatchSql.text(c, kinds));
            ps.setArray(6, BatchSql.longs(c, values));
            ps.executeUpdate();
        }
    }
}
