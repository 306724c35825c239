package dev.yardstick.budget;

import dev.yardstick.admin.BudgetChanged;
import dev.yardstick.admin.Roster;
import dev.yardstick.admin.Member;
import dev.yardstick.admin.Team;
import dev.yardstick.chat.ChatMessage;
import dev.yardstick.chat.Format;
import dev.yardstick.chat.MessageKey;
import dev.yardstick.chat.Messenger;
import dev.yardstick.ledger.LedgerQueries;
import dev.yardstick.ledger.MemberTotals;
import dev.yardstick.ledger.Summary;
import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import java.util.Locale;
import org.jboss.logging.Logger;

/**
 * Budget-increase requests: asked by a member, decided by one of the team's managers in chat.
 * The first decision wins; approval raises the budget in the same transaction as the decision.
 */
@ApplicationScoped
public class BudgetService {

    private static final Logger LOG = Logger.getLogger(BudgetService.class);
    /** Pending requests expire after this long. */
    public static final Duration EXPIRY = Duration.ofDays(7);

    /** Action names of the approval buttons. */
    public static final String APPROVE = "budget.approve";
    public static final String DENY = "budget.deny";
    /** The action a platform asks a managers' card's current version with (Teams' refresh); see {@link ChatMessage.Live}. */
    public static final String CURRENT = "budget.current";

    @Inject
    EntityManager em;
    @Inject
    Messenger messenger;
    @Inject
    Roster roster;
    @Inject
    LedgerQueries ledger;
    @Inject
    Budgets budgets;
    @Inject
    jakarta.enterprise.event.Event<BudgetChanged> budgetChanged;
    @Inject
    Instance<CapStatus> capStatus;

    /** What became of a request. */
    public record Created(BudgetRequest request, int managersNotified) {
    }

    /** The answer to a decision attempt. */
    public sealed interface Decision permits Decided, AlreadyDecided, NotManager, NotFound {
    }

    /** This decision was the first and took effect. */
    public record Decided(BudgetRequest request) implements Decision {
    }

    /** Someone decided first (or the request expired); nothing changed. */
    public record AlreadyDecided(BudgetRequest request) implements Decision {
    }

    /** The person is not a manager of the request's team; nothing changed. */
    public record NotManager() implements Decision {
    }

    /** No such request. */
    public record NotFound() implements Decision {
    }

    /**
     * Records a request from a member of a team and asks each of the team's managers in a DM.
     *
     * @param scope {@code week} or {@code permanent}
     */
    public Created request(long requesterId, BigDecimal amount, String scope, String reason) {
        return QuarkusTransaction.requiringNew().call(() -> {
            Member requester = Member.findById(requesterId);
            Team team = requester.teamKey == null ? null : Team.findById(requester.teamKey);
            if (team == null) {
                throw new IllegalStateException("requester has no team");
            }
            BudgetRequest r = new BudgetRequest();
            r.teamKey = team.key;
            r.requesterId = requester.id;
            r.amountUsd = amount;
            r.scope = scope;
            r.weekStart = Weeks.start(Instant.now(), team.zone());
            r.reason = reason;
            r.status = "pending";
            r.createdAt = Instant.now();
            r.persist();
            r.flush();
            ChatMessage ask = askManagers(r, requester, team);
            int notified = 0;
            for (Member manager : team.managerMembers()) {
                if (messenger.directMessage(manager.id, managerKey(r, manager), ask)) {
                    notified++;
                }
            }
            if (notified == 0) {
                LOG.warnf("Budget request %d: no manager of team %s can be reached in chat", r.id, team.key);
            }
            return new Created(r, notified);
        });
    }

    /** Approves or denies a request on behalf of the member {@code deciderId}. */
    public Decision decide(long requestId, long deciderId, boolean approve) {
        return QuarkusTransaction.requiringNew().call(() -> {
            BudgetRequest r = BudgetRequest.findById(requestId);
            if (r == null) {
                return new NotFound();
            }
            Team team = Team.findById(r.teamKey);
            Member decider = Member.findById(deciderId);
            if (decider == null || !team.managers.contains(decider.email)) {
                return new NotManager();
            }
            String status = approve ? "approved" : "denied";
            int changed = em.createNativeQuery("""
                    update budget_request set status = ?1, decided_by = ?2, decided_at = now()
                    where id = ?3 and status = 'pending'
                    """).setParameter(1, status).setParameter(2, decider.email).setParameter(3, requestId)
                    .executeUpdate();
            em.refresh(r);
            if (changed == 0) {
                return new AlreadyDecided(r);
            }
            if (approve && "week".equals(r.scope)) {
                em.createNativeQuery("""
                        insert into budget_increase (request_id, team_key, week_start, amount_usd)
                        values (?1, ?2, ?3, ?4)
                        """).setParameter(1, r.id).setParameter(2, r.teamKey).setParameter(3, r.weekStart)
                        .setParameter(4, r.amountUsd).executeUpdate();
            } else if (approve) {
                roster.raiseWeeklyBudget(r.teamKey, r.amountUsd);
            }
            if (approve) {
                budgetChanged.fire(new BudgetChanged(r.teamKey));
            }
            announce(r, team, who(decider));
            return new Decided(r);
        });
    }

    /** Expires requests pending since before {@code now - EXPIRY}. */
    public int expire(Instant now) {
        List<Long> ids = QuarkusTransaction.requiringNew().call(() -> BudgetRequest
                .<BudgetRequest>list("status = 'pending' and createdAt < ?1", now.minus(EXPIRY)).stream()
                .map(r -> r.id).toList());
        int expired = 0;
        for (long id : ids) {
            boolean done = QuarkusTransaction.requiringNew().call(() -> {
                int changed = em.createNativeQuery("""
                        update budget_request set status = 'expired', decided_at = now()
                        where id = ?1 and status = 'pending'
                        """).setParameter(1, id).executeUpdate();
                if (changed == 1) {
                    BudgetRequest r = BudgetRequest.findById(id);
                    em.refresh(r);
                    announce(r, Team.findById(r.teamKey), null);
                }
                return changed == 1;
            });
            expired += done ? 1 : 0;
        }
        return expired;
    }

    /**
     * The managers' card of a decided (or expired) request, as the outbox puts it in place of the
     * one with the buttons; null while it is pending or when it does not exist.
     */
    public ChatMessage decidedCard(long requestId) {
        return QuarkusTransaction.requiringNew().call(() -> {
            BudgetRequest r = BudgetRequest.findById(requestId);
            if (r == null || "pending".equals(r.status)) {
                return null;
            }
            String decidedBy = r.decidedBy == null
                    ? null
                    : Member.byEmail(r.decidedBy).map(BudgetService::who).orElse(r.decidedBy);
            return decidedForManagers(r, Member.findById(r.requesterId), Team.findById(r.teamKey), decidedBy,
                    capsAfter(r));
        });
    }

    /**
     * The managers' card of a request as it reads now: the one with the buttons while it is pending, else the decided
     * card; null when it does not exist or {@code memberId} is not a manager of its team.
     */
    public ChatMessage currentCard(long requestId, long memberId) {
        return QuarkusTransaction.requiringNew().call(() -> {
            BudgetRequest r = BudgetRequest.findById(requestId);
            Team team = r == null ? null : Team.findById(r.teamKey);
            Member viewer = Member.findById(memberId);
            if (team == null || viewer == null || !team.managers.contains(viewer.email)) {
                return null;
            }
            Member requester = Member.findById(r.requesterId);
            if ("pending".equals(r.status)) {
                return askManagers(r, requester, team);
            }
            String decidedBy = r.decidedBy == null
                    ? null
                    : Member.byEmail(r.decidedBy).map(BudgetService::who).orElse(r.decidedBy);
            return decidedForManagers(r, requester, team, decidedBy, capsAfter(r));
        });
    }

    /**
     * A write to one of the team's caps settled (applied, or failed for now): the cards of this week's approvals of
     * the team show where the increase took effect now, and once every cap holds it each requester hears they can
     * work again. {@code revision} names this change of the caps (the message updates are keyed by it).
     */
    public void capsChanged(String teamKey, String revision) {
        QuarkusTransaction.requiringNew().run(() -> {
            Team team = Team.findById(teamKey);
            if (team == null) {
                return;
            }
            Instant weekStart = Weeks.start(Instant.now(), team.zone()).atStartOfDay(team.zone()).toInstant();
            List<BudgetRequest> approved = BudgetRequest.list(
                    "teamKey = ?1 and status = 'approved' and decidedAt >= ?2 order by id", teamKey, weekStart);
            if (approved.isEmpty()) {
                return;
            }
            CapStatus.Caps caps = caps(teamKey);
            for (BudgetRequest r : approved) {
                Member requester = Member.findById(r.requesterId);
                String decidedBy = r.decidedBy == null
                        ? null
                        : Member.byEmail(r.decidedBy).map(BudgetService::who).orElse(r.decidedBy);
                ChatMessage card = decidedForManagers(r, requester, team, decidedBy, caps);
                for (Member manager : team.managerMembers()) {
                    messenger.replace(managerKey(r, manager), managerKey(r, manager).and(r.status, "caps", revision),
                            card);
                }
                if (caps.linked() && caps.settled()) {
                    String text = "Your team's caps at " + caps.sources() + " now hold request #" + r.id
                            + ": you can work again.";
                    ChatMessage.Builder m = ChatMessage.builder(text).paragraph(text);
                    if (caps.ceiling() != null) {
                        m.paragraph(caps.ceiling());
                    }
                    messenger.directMessage(requester.id, MessageKey.of("budget-request", r.id, "work-again"),
                            m.build());
                }
            }
        });
    }

    /** The team's caps as the card of an approved request shows them; none for other outcomes. */
    private CapStatus.Caps capsAfter(BudgetRequest r) {
        return "approved".equals(r.status) ? caps(r.teamKey) : CapStatus.Caps.NONE;
    }

    private CapStatus.Caps caps(String teamKey) {
        return capStatus.isResolvable() ? capStatus.get().of(teamKey) : CapStatus.Caps.NONE;
    }

    /** Requests of a team, newest first, for audit. */
    public List<BudgetRequest> ofTeam(String teamKey) {
        return BudgetRequest.list("teamKey = ?1 order by createdAt desc, id desc", teamKey);
    }

    /** Pending requests of one member, newest first. */
    public List<BudgetRequest> pendingOf(long memberId) {
        return BudgetRequest.list("requesterId = ?1 and status = 'pending' order by createdAt desc", memberId);
    }

    private void announce(BudgetRequest r, Team team, String decidedBy) {
        Member requester = Member.findById(r.requesterId);
        CapStatus.Caps caps = capsAfter(r);
        messenger.directMessage(requester.id, MessageKey.of("budget-request", r.id, "outcome"),
                toRequester(r, decidedBy, caps));
        ChatMessage done = decidedForManagers(r, requester, team, decidedBy, caps);
        for (Member manager : team.managerMembers()) {
            messenger.replace(managerKey(r, manager), managerKey(r, manager).and(r.status), done);
        }
    }

    private static MessageKey managerKey(BudgetRequest r, Member manager) {
        return MessageKey.of("budget-request", r.id, "manager", manager.id);
    }

    /** How a person is named to managers: their display name, else their email. */
    static String who(Member m) {
        return m.displayName != null && !m.displayName.isBlank() ? m.displayName : m.email;
    }

    private static String scopeText(BudgetRequest r) {
        return "week".equals(r.scope) ? "for the week of " + r.weekStart : "permanently";
    }

    private ChatMessage askManagers(BudgetRequest r, Member requester, Team team) {
        LocalDate today = LocalDate.now(team.zone());
        MemberTotals mine = ledger.memberTotals(requester.id, r.weekStart, today);
        Summary teamWeek = ledger.summary(team.key, r.weekStart, today);
        BigDecimal budget = budgets.effective(team.key, r.weekStart);
        String budgetText = budget == null
                ? Format.usd(teamWeek.costUsd()) + " spent (no budget set)"
                : Format.usd(teamWeek.costUsd()) + " of " + Format.usd(budget) + " ("
                        + Format.percent(teamWeek.costUsd(), budget) + ")";
        return ChatMessage.builder(who(requester) + " asks for " + Format.usd(r.amountUsd) + " more AI budget")
                .header("Budget request from " + who(requester))
                .paragraph("**" + Format.usd(r.amountUsd) + "** more for **" + team.name + "**, " + scopeText(r)
                        + ".\nReason: " + r.reason)
                .facts(List.of(
                        new ChatMessage.Fact(who(requester) + " this week",
                                Format.usd(mine.costUsd()) + " spent, " + mine.outcomes() + " shipped "
                                        + (mine.outcomes() == 1 ? "item" : "items")),
                        new ChatMessage.Fact("Team this week", budgetText)))
                .buttons(new ChatMessage.Button(APPROVE, "Approve", r.id.toString(), "primary"),
                        new ChatMessage.Button(DENY, "Deny", r.id.toString(), "danger"))
                .note("Request #" + r.id + " · open for 7 days · any manager of " + team.name + " can decide")
                .live(CURRENT, r.id.toString(), team.managerMembers().stream().map(m -> m.id).toList())
                .build();
    }

    private static ChatMessage decidedForManagers(BudgetRequest r, Member requester, Team team, String decidedBy,
            CapStatus.Caps caps) {
        String outcome = switch (r.status) {
            case "approved" -> "Approved by " + decidedBy;
            case "denied" -> "Denied by " + decidedBy;
            default -> "Expired without a decision";
        };
        ChatMessage.Builder card = ChatMessage.builder(outcome + ": " + Format.usd(r.amountUsd) + " for " + team.name)
                .header("Budget request from " + who(requester))
                .paragraph("**" + Format.usd(r.amountUsd) + "** more for **" + team.name + "**, " + scopeText(r)
                        + ".\nReason: " + r.reason)
                .paragraph("**" + outcome + ".**");
        if (caps.linked()) {
            card.paragraph("Where it takes effect: " + String.join(" · ", caps.places()));
        }
        if (caps.ceiling() != null) {
            card.paragraph(caps.ceiling());
        }
        return card.note("Request #" + r.id).build();
    }

    private static ChatMessage toRequester(BudgetRequest r, String decidedBy, CapStatus.Caps caps) {
        String text = switch (r.status) {
            case "approved" -> decidedBy + " approved your request #" + r.id + ": " + Format.usd(r.amountUsd)
                    + " more, " + scopeText(r) + ".";
            case "denied" -> decidedBy + " declined your request #" + r.id + " for " + Format.usd(r.amountUsd)
                    + ". Talk to them if you'd like to discuss it.";
            default -> "Your request #" + r.id + " for " + Format.usd(r.amountUsd)
                    + " expired after 7 days without a decision. You can ask again with /ai-spend request.";
        };
        ChatMessage.Builder m = ChatMessage.builder(text).paragraph(text);
        if (caps.linked() && !caps.settled()) {
            m.paragraph("Your team's caps at " + caps.sources()
                    + " are being raised; you'll get a message when you can work again.");
        }
        if (caps.ceiling() != null) {
            m.paragraph(caps.ceiling());
        }
        return m.build();
    }

    /** Parses an amount such as {@code 150}, {@code $150} or {@code 1,200.50}; null when it is not one. */
    public static BigDecimal parseAmount(String s) {
        if (s == null) {
            return null;
        }
        String t = s.trim().replace("$", "").replace(",", "").toLowerCase(Locale.ROOT).replace("usd", "");
        try {
            BigDecimal v = new BigDecimal(t);
            return v.signum() > 0 && v.scale() <= 2 && v.compareTo(BigDecimal.valueOf(1_000_000_000)) < 0 ? v : null;
        } catch (NumberFormatException e) {
            return null;
        }
    }
}
