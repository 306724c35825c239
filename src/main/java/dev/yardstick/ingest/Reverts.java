package dev.yardstick.ingest;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Whether a merged GitHub pull request reverts another, by GitHub's own conventions (docs/connectors.md): the head
 * branch {@code revert-<n>-<branch>} that GitHub's Revert button creates, or a {@code Revert "…"} title whose body
 * says {@code Reverts owner/repo#<n>} (the Revert button's body) or {@code This reverts commit <sha>} (git revert's
 * message).
 */
final class Reverts {

    /**
     * What a revert reverts: a pull request of a repository, by number or by merge commit.
     *
     * @param repository {@code owner/name}, lower-case
     * @param number     the reverted pull request's number, or {@code null} when only the commit is known
     * @param sha        the reverted commit (40 hex digits, lower-case), or {@code null}
     */
    record Reverted(String repository, Integer number, String sha) {
    }

    private static final Pattern BRANCH = Pattern.compile("^revert-(\\d{1,9})-.+");
    private static final Pattern TITLE = Pattern.compile("^\\s*Revert \".*", Pattern.DOTALL);
    private static final Pattern REVERTS_PR = Pattern.compile(
            "(?:^|\\s)Reverts ([A-Za-z0-9-]{1,100}/[A-Za-z0-9._-]{1,100})#(\\d{1,9})\\b", Pattern.MULTILINE);
    private static final Pattern REVERTS_COMMIT = Pattern.compile("This reverts commit ([0-9a-fA-F]{40})\\b");

    private Reverts() {
    }

    /**
     * What the pull request reverts, or {@code null} when it is no revert.
     *
     * @param repository the pull request's repository ({@code owner/name})
     */
    static Reverted of(String repository, String headRef, String title, String body) {
        String repo = repository == null ? null : repository.toLowerCase(Locale.ROOT);
        String text = body == null ? "" : body;
        Matcher pr = REVERTS_PR.matcher(text);
        boolean titled = title != null && TITLE.matcher(title).matches();
        Matcher branch = headRef == null ? null : BRANCH.matcher(headRef);
        if (pr.find() && (titled || branch != null && branch.matches())) {
            return new Reverted(pr.group(1).toLowerCase(Locale.ROOT), Integer.valueOf(pr.group(2)), null);
        }
        if (branch != null && branch.matches()) {
            return repo == null ? null : new Reverted(repo, Integer.valueOf(branch.group(1)), null);
        }
        Matcher commit = REVERTS_COMMIT.matcher(text);
        if (titled && commit.find()) {
            return repo == null ? null : new Reverted(repo, null, commit.group(1).toLowerCase(Locale.ROOT));
        }
        return null;
    }
}
