package dev.yardstick.ledger;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;

/**
 * Told, inside the ledger's transaction, of usage taken back out of the ledger, so that figures another feature keeps
 * beside it (runaway detection's per-minute figures) follow in the same transaction.
 */
public interface UsageRetraction {

    /** The retracted usage of the last {@link LiveUsage#WINDOW}, per session and minute, as negative figures. */
    void retracted(Connection c, List<LiveUsage.Minute> minus) throws SQLException;
}
