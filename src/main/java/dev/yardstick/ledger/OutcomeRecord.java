package dev.yardstick.ledger;

import java.time.Instant;

/**
 * A validated outcome event (shipped work, or a kind of {@link Vocabulary#NOT_SHIPPED_KINDS}), as the ingest API
 * and the webhooks hand it to the ledger.
 *
 * @param user       the member's email, or {@code null}
 * @param team       the explicit team key, or {@code null} for the member's team
 * @param aiAssisted whether AI helped, or {@code null} when the source does not say
 * @param pr         the pull request the event is about, or {@code null}
 * @param ticketKey  a resolved ticket's key ({@code ENG-123}), or {@code null}
 */
public record OutcomeRecord(String id, Instant time, String user, String team, String kind, String title,
        String url, Boolean aiAssisted, PullRequest pr, String ticketKey) {

    /** An outcome event that names no pull request. */
    public OutcomeRecord(String id, Instant time, String user, String team, String kind, String title, String url,
            Boolean aiAssisted) {
        this(id, time, user, team, kind, title, url, aiAssisted, null, null);
    }

    /** An outcome event that names no ticket. */
    public OutcomeRecord(String id, Instant time, String user, String team, String kind, String title, String url,
            Boolean aiAssisted, PullRequest pr) {
        this(id, time, user, team, kind, title, url, aiAssisted, pr, null);
    }

    /**
     * A GitHub pull request, and for a revert ({@code pr_reverted}) what it reverts. The ledger links a revert to the
     * reverted pull request's outcome by repository and number, or by its merge commit when only a commit is named.
     *
     * @param repository        {@code owner/name}, lower-case
     * @param mergeSha          the merge commit of a merged pull request, or {@code null}
     * @param revertsRepository the reverted pull request's repository, or {@code null}
     * @param revertsNumber     the reverted pull request's number, or {@code null} when only a commit is known
     * @param revertsSha        a reverted commit ({@code This reverts commit <sha>}), or {@code null}
     * @param branch            the head branch ({@code ana/eng-123-retry}), whose linked sessions' spend is the pull
     *                          request's AI cost ({@link SessionLinks}), or {@code null}
     */
    public record PullRequest(String repository, Integer number, String mergeSha, String revertsRepository,
            Integer revertsNumber, String revertsSha, String branch) {

        /** A pull request whose head branch is not known. */
        public PullRequest(String repository, Integer number, String mergeSha, String revertsRepository,
                Integer revertsNumber, String revertsSha) {
            this(repository, number, mergeSha, revertsRepository, revertsNumber, revertsSha, null);
        }
    }
}
