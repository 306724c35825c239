package dev.yardstick.admin;

import java.util.regex.Pattern;

/** The one email check used by the admin and ingest APIs. */
public final class Emails {

    private static final Pattern EMAIL = Pattern.compile("[^@\\s\\p{Cntrl}]+@[^@\\s\\p{Cntrl}]+\\.[^@\\s\\p{Cntrl}]+");

    private Emails() {
    }

    /** Whether {@code s} looks like an email address (and is at most 320 characters). */
    public static boolean isValid(String s) {
        return s != null && s.length() <= 320 && EMAIL.matcher(s).matches();
    }
}
