package dev.yardstick.ledger;

import java.util.List;

/**
 * What the ledger did with a batch.
 *
 * @param accepted   events stored for the first time
 * @param duplicates events whose id was already stored (or repeated within the batch)
 * @param rejected   events the ledger refused, with the index the caller gave them
 */
public record WriteResult(int accepted, int duplicates, List<Rejection> rejected) {

    /** An event refused with a reason a person understands. */
    public record Rejection(int index, String id, String error) {
    }
}
