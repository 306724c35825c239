package dev.yardstick.ledger;

/**
 * Told, after the void's transaction has committed, of usage an admin voided, so that what another feature
 * raised on it (alerts) can be closed. Called on the void request's thread; a failure is logged and the void
 * stands.
 */
public interface VoidListener {

    /** Usage was voided; see {@link VoidedUsage}. */
    void voided(VoidedUsage voided);
}
