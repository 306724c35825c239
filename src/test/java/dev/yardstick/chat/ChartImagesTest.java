package dev.yardstick.chat;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.yardstick.Db;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;
import javax.imageio.ImageIO;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;

/** Charts at their signed, expiring URLs: the one handed out works, nothing else does. */
@QuarkusTest
class ChartImagesTest {

    @Inject
    ChartImages images;
    @Inject
    DataSource ds;

    private static ChatMessage.Chart chart(boolean personal, String title) {
        return new ChatMessage.Chart(title, "words", "Spend (USD)", "Shipped items",
                List.of(new ChatMessage.Point("1 Dec", new BigDecimal("12.50"), 3),
                        new ChatMessage.Point("8 Dec", new BigDecimal("20"), 4)),
                new BigDecimal("30"), "Weekly budget $30", personal);
    }

    @Test
    void aSignedUrlServesThePngAndAnythingTamperedExpiredOrUnknownIs404() throws Exception {
        String title = "t-" + System.nanoTime();
        String url = images.url(chart(false, title)).orElseThrow();
        assertTrue(url.startsWith("https://yardstick.test.example/images/"), url);
        String path = url.substring("https://yardstick.test.example".length());
        byte[] png = given().get(path).then().statusCode(200).contentType("image/png")
                .header("Cache-Control", org.hamcrest.Matchers.startsWith("public, max-age="))
                .extract().asByteArray();
        BufferedImage image = ImageIO.read(new ByteArrayInputStream(png));
        assertEquals(ChartPng.WIDTH, image.getWidth(), "full size");

        // /images/<id>/<expires>/<signature>.png
        String[] parts = path.split("/");
        String id = parts[2];
        long expires = Long.parseLong(parts[3]);
        String signature = parts[4].replace(".png", "");
        char last = signature.charAt(signature.length() - 1);
        String tampered = signature.substring(0, signature.length() - 1) + (last == 'A' ? 'B' : 'A');
        given().get("/images/" + id + "/" + expires + "/" + tampered + ".png").then().statusCode(404);
        given().get("/images/" + id + "/" + (expires + 3600) + "/" + signature + ".png").then().statusCode(404);
        String otherId = (id.charAt(0) == 'a' ? "b" : "a") + id.substring(1);
        given().get("/images/" + otherId + "/" + expires + "/" + signature + ".png").then().statusCode(404);
        given().get("/images/" + id + "/soon/" + signature + ".png").then().statusCode(404);
        // correctly signed, but expired
        long past = Instant.now().getEpochSecond() - 60;
        given().get(images.signedPath(id, past)).then().statusCode(404);
        // correctly signed and in time, but never stored (or purged)
        given().get(images.signedPath("nosuchchart0000000000a", expires)).then().statusCode(404);

        // the same chart again: the same row, the same picture
        assertEquals(path, images.path(chart(false, title)));
        assertEquals(1L, (long) Db.scalar(ds, "select count(*) from chart_image where id = ?", id));
        // what is stored is the model, naming nobody; purged once its last link has expired
        Db.update(ds, "update chart_image set expires_at = now() - interval '1 minute' where id = ?", id);
        images.purge(Instant.now());
        assertEquals(0L, (long) Db.scalar(ds, "select count(*) from chart_image where id = ?", id));
        given().get(path).then().statusCode(404);
    }

    @Test
    void aPersonsOwnChartExpiresSoonerAndIsNotCachedByOthers() {
        long now = Instant.now().getEpochSecond();
        String team = images.path(chart(false, "team-" + System.nanoTime()));
        String own = images.path(chart(true, "own-" + System.nanoTime()));
        long teamExpires = Long.parseLong(team.split("/")[3]);
        long ownExpires = Long.parseLong(own.split("/")[3]);
        assertTrue(Math.abs(teamExpires - now - 30 * 86400) <= 3600, "30 days: " + (teamExpires - now));
        assertTrue(Math.abs(ownExpires - now - 7 * 86400) <= 3600, "7 days: " + (ownExpires - now));
        assertNotEquals(team.split("/")[2], own.split("/")[2]);
        given().get(own).then().statusCode(200).contentType("image/png")
                .header("Cache-Control", org.hamcrest.Matchers.startsWith("private, max-age="));
    }
}
