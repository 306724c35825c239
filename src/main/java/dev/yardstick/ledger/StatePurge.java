package dev.yardstick.ledger;

import java.time.Instant;

/**
 * State a feature keeps beside the ledger, purged in the retention job's run: each feature deletes from its own
 * tables only.
 */
public interface StatePurge {

    /** Deletes what the feature no longer needs; {@code rawCutoff} is where raw events are purged up to. */
    void purge(Instant rawCutoff);
}
