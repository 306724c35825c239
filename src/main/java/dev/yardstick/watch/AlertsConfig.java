package dev.yardstick.watch;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;

/** Runaway-agent and budget alerts (thresholds are team settings). Prefix {@code yardstick.alerts}. */
@ConfigMapping(prefix = "yardstick.alerts")
public interface AlertsConfig {

    /**
     * {@code YARDSTICK_ALERTS_ENABLED}: whether usage is watched for runaway sessions and budget
     * thresholds. Off, ingest keeps no per-minute session figures and no alert goes out.
     */
    @WithDefault("true")
    boolean enabled();

    /**
     * {@code YARDSTICK_ALERTS_SWEEP_EVERY}: how often all recently active sessions and budgets are
     * checked again, besides the check right after each ingest (catches night-time sessions that
     * keep going, and checks lost when a replica stopped right after an ingest).
     */
    @WithDefault("1m")
    Duration sweepEvery();
}
