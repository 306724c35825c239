package dev.yardstick;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.nio.file.Path;
import java.util.Optional;

/** Yardstick's own settings, prefix {@code yardstick}; each maps to a {@code YARDSTICK_*} env var. */
@ConfigMapping(prefix = "yardstick")
public interface YardstickConfig {

    /** {@code YARDSTICK_DATA_DIR}: where the embedded PostgreSQL keeps its data. */
    @WithDefault("data")
    Path dataDir();

    /** {@code YARDSTICK_ADMIN_TOKEN}: bearer token of the admin API. */
    Optional<String> adminToken();

    /** {@code YARDSTICK_PRICING_FILE}: a pricing table that replaces the shipped one. */
    Optional<Path> pricingFile();

    /** {@code YARDSTICK_RAW_RETENTION_DAYS}: days raw events are kept; rollups are kept for ever. */
    @WithDefault("90")
    int rawRetentionDays();

    /** Ingest limits. */
    Ingest ingest();

    /** Limits of one ingest request. */
    interface Ingest {

        /** {@code YARDSTICK_INGEST_MAX_EVENTS}: most events in one request. */
        @WithDefault("10000")
        int maxEvents();

        /** {@code YARDSTICK_INGEST_MAX_BYTES}: largest request body, in bytes. */
        @WithDefault("10485760")
        long maxBytes();
    }
}
