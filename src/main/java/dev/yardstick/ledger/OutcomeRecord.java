package dev.yardstick.ledger;

import java.time.Instant;

/**
 * A validated outcome event (shipped work), as the ingest API hands it to the ledger.
 *
 * @param user       the member's email, or {@code null}
 * @param team       the explicit team key, or {@code null} for the member's team
 * @param aiAssisted whether AI helped, or {@code null} when the source does not say
 */
public record OutcomeRecord(String id, Instant time, String user, String team, String kind, String title,
        String url, Boolean aiAssisted) {
}
