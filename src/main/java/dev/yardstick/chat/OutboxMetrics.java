package dev.yardstick.chat;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import javax.sql.DataSource;
import org.jboss.logging.Logger;

/**
 * The outbox's metrics: {@code yardstick.outbox.messages{platform,kind,result}} counts what became of each
 * attempt, and {@code yardstick.outbox.backlog{kind,status}} gauges what is not delivered.
 */
@ApplicationScoped
class OutboxMetrics {

    private static final Logger LOG = Logger.getLogger(OutboxMetrics.class);

    @Inject
    DataSource dataSource;
    @Inject
    MeterRegistry registry;

    private final Map<String, Long> backlog = new ConcurrentHashMap<>();
    private volatile long backlogReadAt;

    /** Counts an attempt at a message with its result ({@code sent}, {@code rate_limited}, ...). */
    void count(Outgoing m, String result) {
        count(m.platform(), m.dedupeKey(), result);
    }

    /** Counts a message of this platform and dedupe key with a result. */
    void count(String platform, String dedupeKey, String result) {
        registry.counter("yardstick.outbox.messages", "platform", platform, "kind", kind(dedupeKey), "result",
                result).increment();
    }

    /** The kind of a message: the first part of its dedupe key ({@code digest}, {@code budget-request}, ...). */
    static String kind(String dedupeKey) {
        return MessageKey.parse(dedupeKey).kind();
    }

    /**
     * Gauges of what is not delivered: {@code yardstick_outbox_backlog{kind,status}} with status
     * {@code pending} or {@code failed}, read from the database at most every 10 seconds.
     */
    void gauges(@Observes StartupEvent event) {
        for (String kind : List.of("digest", "budget-request", "alert", "respond", "home")) {
            for (String status : List.of("pending", "failed")) {
                Gauge.builder("yardstick.outbox.backlog", this, o -> o.backlog(kind, status))
                        .description("Outbox messages not delivered yet (pending) or given up on (failed)")
                        .tags("kind", kind, "status", status).register(registry);
            }
        }
    }

    private double backlog(String kind, String status) {
        long now = System.currentTimeMillis();
        if (now - backlogReadAt > 10_000) {
            backlogReadAt = now;
            Map<String, Long> fresh = new HashMap<>();
            try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement("""
                    select split_part(dedupe_key, ':', 1), status, count(*) from outbox_message
                    where status <> 'sent' group by 1, 2
                    """); ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    fresh.put(rs.getString(1) + "|" + rs.getString(2), rs.getLong(3));
                }
                backlog.clear();
                backlog.putAll(fresh);
            } catch (SQLException e) {
                LOG.debug("Outbox backlog gauge not refreshed", e);
            }
        }
        return backlog.getOrDefault(kind + "|" + status, 0L);
    }
}
