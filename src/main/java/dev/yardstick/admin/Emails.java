package dev.yardstick.admin;

/** The one email check used by the admin and ingest APIs. */
public final class Emails {

    private Emails() {
    }

    /**
     * Whether {@code s} looks like an email address (and is at most 320 characters): one {@code @} with something
     * before it, a domain with a dot neither first nor last, and no whitespace or control character anywhere. The
     * same as the regular expression {@code [^@\s\p{Cntrl}]+@[^@\s\p{Cntrl}]+\.[^@\s\p{Cntrl}]+}, without a
     * regular expression (it runs for every ingested event).
     */
    public static boolean isValid(String s) {
        if (s == null || s.length() > 320) {
            return false;
        }
        int at = -1;
        for (int i = 0; i < s.length(); i++) {
            char ch = s.charAt(i);
            if (ch <= 0x20 || ch == 0x7f) {
                // control characters (\p{Cntrl}: U+0000..U+001F, U+007F) and the space; \s adds no other
                return false;
            }
            if (ch == '@') {
                if (at >= 0) {
                    return false;
                }
                at = i;
            }
        }
        if (at <= 0) {
            return false;
        }
        for (int i = at + 2; i < s.length() - 1; i++) {
            if (s.charAt(i) == '.') {
                return true;
            }
        }
        return false;
    }
}
