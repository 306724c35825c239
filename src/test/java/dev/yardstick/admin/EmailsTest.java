package dev.yardstick.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The email check without a regular expression answers as the regular expression it replaced. */
class EmailsTest {

    private static final Pattern REGEX = Pattern.compile("[^@\\s\\p{Cntrl}]+@[^@\\s\\p{Cntrl}]+\\.[^@\\s\\p{Cntrl}]+");

    @Test
    void answersAsTheRegularExpressionItReplaced() {
        List<String> cases = new ArrayList<>(List.of("a@b.c", "dev@example.com", "@b.c", "a@.c", "a@b.", "a@bc",
                "a@@b.c", "a@b@c.d", "a b@c.d", "a@b.c\n", "a\u0000@b.c", "a@b\u007f.c", "a@b..c", "a@.b.c", "ä@ö.de",
                "a@b.c.", "", "a@b\t.c", "x".repeat(316) + "@b.c", "x".repeat(317) + "@b.c"));
        SplittableRandom r = new SplittableRandom(23);
        char[] alphabet = {'a', 'b', '@', '.', ' ', '\t', '\n', '\u000b', '\f', '\r', '\u001f', '\u007f', '\u0085',
                '\u00a0', 'é', '-', '+'};
        for (int i = 0; i < 200_000; i++) {
            // a valid address with up to two characters replaced or inserted, or random text
            StringBuilder sb = new StringBuilder(i % 2 == 0 ? "ab@cd.ef" : "");
            for (int n = i % 2 == 0 ? r.nextInt(3) : r.nextInt(9); n > 0; n--) {
                char ch = alphabet[r.nextInt(alphabet.length)];
                int at = r.nextInt(sb.length() + 1);
                if (r.nextBoolean() && at < sb.length()) {
                    sb.setCharAt(at, ch);
                } else {
                    sb.insert(at, ch);
                }
            }
            cases.add(sb.toString());
        }
        int valid = 0;
        for (String s : cases) {
            boolean expected = s.length() <= 320 && REGEX.matcher(s).matches();
            assertEquals(expected, Emails.isValid(s),
                    () -> "for " + s.codePoints().mapToObj(Integer::toHexString).toList());
            valid += expected ? 1 : 0;
        }
        assertEquals(true, valid > 1_000, "the corpus holds valid addresses too: " + valid);
    }
}
