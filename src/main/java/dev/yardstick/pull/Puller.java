package dev.yardstick.pull;

import dev.yardstick.YardstickConfig;
import dev.yardstick.jobs.ClusterJob;
import jakarta.inject.Inject;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import org.jboss.logging.Logger;

/**
 * A vendor usage puller: a {@link ClusterJob} (once per {@code YARDSTICK_CONNECTORS_EVERY} across
 * replicas) that is on when its source is configured. A run records its start, and its success or
 * error in {@code connector_state}; an error stops only this source's run (the cursor stays at the
 * last day stored completely) and the next run resumes from there.
 */
public abstract class Puller implements ClusterJob {

    private static final Logger LOG = Logger.getLogger(Puller.class);

    @Inject
    Connectors connectors;
    @Inject
    ConnectorsConfig config;
    @Inject
    YardstickConfig yardstick;
    @Inject
    VendorHttp http;

    /** Whether the source's settings are complete (its admin key is set). */
    public abstract boolean configured();

    /** Pulls what is new since the cursor; throws to stop the run with an error. */
    protected abstract void pull();

    @Override
    public Duration every() {
        return config.every();
    }

    @Override
    public Duration lease() {
        return Duration.ofMinutes(30);
    }

    @Override
    public boolean enabled() {
        return configured();
    }

    @Override
    public final void run() {
        if (!configured()) {
            return;
        }
        connectors.started(name());
        try {
            pull();
            connectors.succeeded(name());
        } catch (RuntimeException e) {
            String error = e instanceof VendorException || e instanceof IllegalStateException
                    ? e.getMessage()
                    : e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage());
            connectors.failed(name(), error);
            LOG.errorf("Puller %s stopped: %s", name(), error);
        }
    }

    /**
     * The UTC days to pull: from the day after the cursor (first run: {@code YARDSTICK_CONNECTORS_BACKFILL_DAYS}
     * back, within the raw retention) to the last complete day ({@code YARDSTICK_CONNECTORS_SETTLE}
     * after its end).
     */
    protected List<LocalDate> daysToPull() {
        Instant now = Instant.now();
        LocalDate lastComplete = now.minus(config.settle()).atZone(ZoneOffset.UTC).toLocalDate().minusDays(1);
        int back = Math.max(1, Math.min(config.backfillDays(), yardstick.rawRetentionDays() - 1));
        LocalDate oldest = now.atZone(ZoneOffset.UTC).toLocalDate().minusDays(back);
        LocalDate from = connectors.cursor(name()).map(c -> LocalDate.parse(c).plusDays(1)).orElse(oldest);
        if (from.isBefore(oldest)) {
            from = oldest;
        }
        List<LocalDate> days = new ArrayList<>();
        for (LocalDate d = from; !d.isAfter(lastComplete); d = d.plusDays(1)) {
            days.add(d);
        }
        return days;
    }

    /** The time of a pulled day's usage events: noon UTC, the same date in nearly every team's timezone. */
    protected static Instant timeOf(LocalDate day) {
        return day.atTime(12, 0).toInstant(ZoneOffset.UTC);
    }

    /** A usage event id derived from the vendor's record: {@code pull:<tool>:<day>:<hash of parts>}. */
    protected static String id(String tool, LocalDate day, String... parts) {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            for (String p : parts) {
                md.update((p == null ? "\u0000" : p).getBytes(StandardCharsets.UTF_8));
                md.update((byte) 0x1f);
            }
            String hex = String.format("%064x", new BigInteger(1, md.digest()));
            return Connectors.ID_PREFIX + tool + ":" + day + ":" + hex.substring(0, 40);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * A vendor's request count as the ledger stores it (up to {@link Integer#MAX_VALUE}); a larger one stops the
     * run with an error rather than being capped.
     */
    protected int requests(long n) {
        if (n < 0 || n > Integer.MAX_VALUE) {
            throw new IllegalStateException(name() + " reported " + n + " requests in one record, beyond the "
                    + "0.." + Integer.MAX_VALUE + " the ledger stores");
        }
        return (int) n;
    }

    /** Trims a base URL of its trailing slashes. */
    protected static String base(String url) {
        return url.replaceAll("/+$", "");
    }
}
