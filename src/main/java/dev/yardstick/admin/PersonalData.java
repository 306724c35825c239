package dev.yardstick.admin;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Personal data a feature keeps in its own tables, erased on request
 * ({@code DELETE /api/v1/members/{email}?erase=true}).
 * Each owning feature implements it as a CDI bean for its tables only; the admin feature calls every one of them in
 * one transaction (the caller's: implementations use the injected {@code DataSource}, which joins it, and never start
 * a transaction of their own), then deletes the member.
 *
 * <p>Erasure keeps every total: the person's rows are moved to a new anonymous member
 * ({@link Subject#anonymousMemberId()}), never deleted, wherever a sum or a count of members depends on them;
 * identifiers in text are replaced by {@link Subject#anonymousId()}.
 */
public interface PersonalData {

    /**
     * Removes or replaces by the anonymous id everything in the feature's tables that identifies the person.
     *
     * @return rows changed per table (a table may be named {@code table.column} when only that column changed)
     */
    Map<String, Integer> erase(Subject subject);

    /**
     * When this erasure runs relative to the others, lowest first (default 0). The outbox runs before the chat
     * platforms forget where they reached the person.
     */
    default int order() {
        return 0;
    }

    /**
     * The person being erased, as they were, and what replaces them.
     *
     * @param memberId          the member being erased
     * @param anonymousMemberId a new member, with no team, no profile and no way to reach it, that takes over the
     *                          person's rows that totals depend on
     * @param anonymousId       what replaces the person's identifiers in text (also the anonymous member's key)
     */
    record Subject(long memberId, long anonymousMemberId, String anonymousId, String email, String displayName,
            String slackUserId, String teamsUserId, String githubLogin) {

        /** The person's identifiers: email, display name, chat ids and GitHub login (those that are set). */
        public List<String> identifiers() {
            List<String> out = new ArrayList<>();
            for (String s : new String[]{email, displayName, slackUserId, teamsUserId, githubLogin}) {
                if (s != null && !s.isBlank() && !out.contains(s.trim())) {
                    out.add(s.trim());
                }
            }
            return out;
        }

        /**
         * {@code ILIKE ANY(?)} patterns that match text containing one of the identifiers (a superset: follow with
         * {@link #anonymise} to replace only whole occurrences).
         */
        public String[] likePatterns() {
            return identifiers().stream()
                    .map(s -> "%" + s.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%")
                    .toArray(String[]::new);
        }

        /**
         * The text with every whole occurrence of an identifier (case-insensitive, not part of a longer word, id or
         * address) replaced by the anonymous id; null stays null.
         */
        public String anonymise(String text) {
            if (text == null || text.isEmpty() || identifiers().isEmpty()) {
                return text;
            }
            Matcher m = pattern().matcher(text);
            return m.find() ? m.replaceAll(Matcher.quoteReplacement(anonymousId)) : text;
        }

        /** {@link #anonymise(String)}, cut to {@code maxLength} characters (the anonymous id may be the longer). */
        public String anonymise(String text, int maxLength) {
            String out = anonymise(text);
            return out == null || out.length() <= maxLength ? out : out.substring(0, maxLength - 1) + "…";
        }

        private Pattern pattern() {
            String alternatives = identifiers().stream().sorted(Comparator.comparingInt(String::length).reversed())
                    .map(Pattern::quote).collect(Collectors.joining("|"));
            return Pattern.compile("(?<![\\p{L}\\p{N}_%+@.-])(?:" + alternatives + ")(?![\\p{L}\\p{N}_%+@-])",
                    Pattern.CASE_INSENSITIVE | Pattern.UNICODE_CASE);
        }

        /** The email in the form it is stored everywhere (lower-case). */
        public String storedEmail() {
            return email.toLowerCase(Locale.ROOT);
        }
    }
}
