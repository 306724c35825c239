package dev.yardstick.ledger;

import java.util.List;

/**
 * Fired (as a CDI event) inside the ledger's transaction when usage that went into runaway detection's live
 * figures is taken back out (a retraction or a void): observers that keep such figures in memory follow it once
 * the transaction has committed ({@code @Observes(during = TransactionPhase.AFTER_SUCCESS)}). The figures kept in
 * the database follow inside the transaction, through {@link UsageRetraction}.
 *
 * @param minus the usage taken back, per session, minute, tool and model, as negative figures
 */
public record UsageTakenBack(List<LiveUsage.Minute> minus) {
}
