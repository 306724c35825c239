package dev.yardstick.common;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.quarkus.narayana.jta.QuarkusTransactionException;
import jakarta.transaction.HeuristicMixedException;
import jakarta.transaction.RollbackException;
import jakarta.ws.rs.core.Response;
import javax.transaction.xa.XAException;
import org.junit.jupiter.api.Test;
import org.postgresql.util.PSQLException;
import org.postgresql.util.PSQLState;

/**
 * The shapes a database outage takes on its way to the caller are answered 503 with {@code Retry-After}; other
 * failures stay 500.
 */
class DatabaseOutageShapesTest {

    private final ProblemMappers mappers = new ProblemMappers();

    /** What the resource manager (Agroal) throws when the commit's connection is gone: the driver's error as cause. */
    private static XAException commitFailed() {
        XAException xa = new XAException("Error trying to transactionCommit local transaction");
        xa.errorCode = XAException.XA_RBCOMMFAIL;
        xa.initCause(new PSQLException("An I/O error occurred while sending to the backend.",
                PSQLState.CONNECTION_FAILURE));
        return xa;
    }

    @Test
    void aCommitCutOffByTheDatabaseGoingAwayIs503() {
        // Narayana: a HeuristicMixedException without a cause, the XAException attached as suppressed
        HeuristicMixedException mixed = new HeuristicMixedException();
        mixed.addSuppressed(commitFailed());
        Response r = mappers.unexpected(new QuarkusTransactionException(mixed));
        assertEquals(503, r.getStatus());
        assertEquals("5", r.getHeaderString("Retry-After"));

        RollbackException rolledBack = new RollbackException("ARJUNA016053: Could not commit transaction.");
        rolledBack.addSuppressed(commitFailed());
        assertEquals(503, mappers.unexpected(new QuarkusTransactionException(rolledBack)).getStatus());
    }

    @Test
    void aConnectionFailureAmongTheCausesIs503AndAnythingElse500() {
        assertEquals(503, mappers.unexpected(new IllegalStateException(new PSQLException("terminating connection",
                PSQLState.CONNECTION_FAILURE))).getStatus());
        HeuristicMixedException mixed = new HeuristicMixedException();
        mixed.addSuppressed(new XAException(XAException.XAER_PROTO));
        assertEquals(500, mappers.unexpected(new QuarkusTransactionException(mixed)).getStatus());
        assertEquals(500, mappers.unexpected(new IllegalStateException(new PSQLException("duplicate key",
                PSQLState.UNIQUE_VIOLATION))).getStatus());
    }
}
