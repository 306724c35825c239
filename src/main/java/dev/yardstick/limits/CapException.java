package dev.yardstick.limits;

import java.time.Duration;

/**
 * A vendor refused or could not be reached; the message names the vendor and status, never a key.
 */
class CapException extends RuntimeException {

    private final int status;
    private final Duration retryAfter;

    CapException(String message, int status, Duration retryAfter) {
        super(message);
        this.status = status;
        this.retryAfter = retryAfter;
    }

    /** The HTTP status, 0 when the vendor could not be reached. */
    int status() {
        return status;
    }

    /** The vendor's {@code Retry-After}, or null. */
    Duration retryAfter() {
        return retryAfter;
    }

    /** Whether trying again later may succeed: not reached, 408, 429 or 5xx. */
    boolean retryable() {
        return status == 0 || status == 408 || status == 429 || status >= 500;
    }
}
