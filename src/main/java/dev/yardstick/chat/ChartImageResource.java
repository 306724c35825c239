package dev.yardstick.chat;

import dev.yardstick.common.Problem;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Response;
import java.time.Instant;

/**
 * {@code GET /images/{id}/{expires}/{signature}.png}: a chart of a message, at the signed, expiring URL
 * {@link ChartImages} handed out; 404 when the signature is wrong, the link has expired or the chart is unknown.
 * No other way reaches a chart.
 */
@Path("/images")
public class ChartImageResource {

    private static final long MAX_AGE = 86_400;

    @Inject
    ChartImages images;

    @GET
    @Path("/{id}/{expires}/{signature}.png")
    @Produces("image/png")
    public Response image(@PathParam("id") String id, @PathParam("expires") String expires,
            @PathParam("signature") String signature) {
        ChartImages.Image image = images.fetch(id, expires, signature)
                .orElseThrow(() -> Problem.notFound("No such image, or its link has expired."));
        long left = Math.max(0, image.expires().getEpochSecond() - Instant.now().getEpochSecond());
        return Response.ok(image.png(), "image/png")
                .header("Cache-Control", (image.personal() ? "private" : "public") + ", max-age="
                        + Math.min(left, MAX_AGE))
                .header("X-Content-Type-Options", "nosniff").header("Referrer-Policy", "no-referrer").build();
    }
}
