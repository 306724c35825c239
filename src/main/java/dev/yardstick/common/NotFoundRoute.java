package dev.yardstick.common;

import io.vertx.ext.web.Router;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

/**
 * With a servlet container present, quarkus-rest passes unmatched paths on ("resume on 404") instead of answering
 * them itself; this last route answers them with the same problem+json 404 as the REST layer.
 */
@ApplicationScoped
public class NotFoundRoute {

    private static final String BODY = Problem.json(404, "Not Found", "No such resource.");

    void install(@Observes Router router) {
        router.route().last().handler(ctx -> ctx.response().setStatusCode(404)
                .putHeader("Content-Type", Problem.MEDIA_TYPE).end(BODY));
    }
}
