package dev.yardstick.pull;

/** A vendor API call that failed for good (after retries); its message names the source and status, never a key. */
public class VendorException extends RuntimeException {

    private final int status;

    public VendorException(String message, int status) {
        super(message);
        this.status = status;
    }

    /** The HTTP status, or 0 for an I/O failure. */
    public int status() {
        return status;
    }
}
