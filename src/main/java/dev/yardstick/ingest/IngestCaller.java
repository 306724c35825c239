package dev.yardstick.ingest;

import dev.yardstick.admin.IngestScope;
import dev.yardstick.admin.IngestScopes;
import dev.yardstick.ledger.LedgerWriter.Indexed;
import dev.yardstick.ledger.WriteResult;
import jakarta.enterprise.context.RequestScoped;
import jakarta.inject.Inject;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/** The scope of the ingest token of the current request, set by {@link IngestAuth}. */
@RequestScoped
public class IngestCaller {

    @Inject
    IngestScopes scopes;

    private IngestScope scope;

    void set(IngestScope scope) {
        this.scope = scope;
    }

    /** The token's scope. */
    public IngestScope scope() {
        if (scope == null) {
            throw new IllegalStateException("no ingest token was checked for this request");
        }
        return scope;
    }

    /** The gate of the token's scope for a batch whose events name these users. */
    public IngestScopes.Gate gate(List<String> users) {
        return scope().limitsPeople() ? scopes.gate(scope(), users) : (user, team) -> null;
    }

    /**
     * The events the token may send; each other one is added to {@code rejected} with the reason, as any other
     * rejected event.
     */
    public <R> List<Indexed<R>> inScope(List<Indexed<R>> events, Function<R, String> user, Function<R, String> team,
            Function<R, String> id, List<WriteResult.Rejection> rejected) {
        if (!scope().limitsPeople() || events.isEmpty()) {
            return events;
        }
        IngestScopes.Gate gate = gate(events.stream().map(e -> user.apply(e.event())).toList());
        List<Indexed<R>> kept = new ArrayList<>(events.size());
        for (Indexed<R> e : events) {
            String refusal = gate.refusal(user.apply(e.event()), team.apply(e.event()));
            if (refusal == null) {
                kept.add(e);
            } else {
                rejected.add(new WriteResult.Rejection(e.index(), id.apply(e.event()), refusal));
            }
        }
        return kept;
    }
}
