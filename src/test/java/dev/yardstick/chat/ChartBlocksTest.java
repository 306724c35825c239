package dev.yardstick.chat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import dev.yardstick.chat.slack.BlockKit;
import dev.yardstick.chat.teams.AdaptiveCards;
import java.math.BigDecimal;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A chart block as each platform shows it, with an image URL and without one. */
class ChartBlocksTest {

    private static final String URL = "https://yardstick.example.com/images/abc/1800000000/sig.png";
    private static final ChatMessage MESSAGE = ChatMessage.builder("t").header("Digest")
            .chart(new ChatMessage.Chart("Spend, last 2 weeks", "Week of 1 Dec: $10 · 2 shipped\nWeek of 8 Dec: $12",
                    "Spend (USD)", "Shipped items", List.of(new ChatMessage.Point("1 Dec", BigDecimal.TEN, 2),
                            new ChatMessage.Point("8 Dec", new BigDecimal("12"), 3)),
                    new BigDecimal("50"), "Weekly budget $50", false))
            .build();

    @Test
    void slackShowsAnImageBlockByTheUrlOrTheFiguresInWordsWithoutOne() {
        ArrayNode blocks = BlockKit.blocks(MESSAGE, c -> URL);
        JsonNode image = blocks.get(1);
        assertEquals("image", image.path("type").asText());
        assertEquals(URL, image.path("image_url").asText());
        assertEquals(MESSAGE.blocks().get(1) instanceof ChatMessage.Chart c ? c.altText() : null,
                image.path("alt_text").asText());
        assertEquals("plain_text", image.path("title").path("type").asText());
        assertEquals("Spend, last 2 weeks", image.path("title").path("text").asText());

        ArrayNode words = BlockKit.blocks(MESSAGE, BlockKit.NO_IMAGES);
        assertFalse(words.toString().contains("\"image\""), words.toString());
        assertEquals("section", words.get(1).path("type").asText());
        assertEquals("*Spend, last 2 weeks*\nWeek of 1 Dec: $10 · 2 shipped\nWeek of 8 Dec: $12",
                words.get(1).path("text").path("text").asText());
    }

    @Test
    void withoutAPublicUrlThereIsNoImageUrlAndNothingIsStored() {
        ChartImages images = new ChartImages();
        for (String unset : new String[]{null, "", "  ", "yardstick.example.com"}) {
            images.yardstick = (dev.yardstick.YardstickConfig) java.lang.reflect.Proxy.newProxyInstance(
                    getClass().getClassLoader(), new Class<?>[]{dev.yardstick.YardstickConfig.class},
                    (proxy, method, args) -> method.getName().equals("publicUrl")
                            ? java.util.Optional.ofNullable(unset)
                            : null);
            // no data source either: storing would fail
            assertTrue(images.url((ChatMessage.Chart) MESSAGE.blocks().get(1)).isEmpty(), String.valueOf(unset));
        }
        images.yardstick = (dev.yardstick.YardstickConfig) java.lang.reflect.Proxy.newProxyInstance(
                getClass().getClassLoader(), new Class<?>[]{dev.yardstick.YardstickConfig.class},
                (proxy, method, args) -> java.util.Optional.of("https://yardstick.example.com/"));
        assertEquals("https://yardstick.example.com", images.publicUrl().orElseThrow(), "no double slash");
    }

    @Test
    void teamsShowsTheChartAtFullWidthByTheUrlOrADataUri() {
        JsonNode card = AdaptiveCards.card(MESSAGE, c -> URL);
        JsonNode image = card.path("body").get(2);
        assertEquals("Image", image.path("type").asText());
        assertEquals(URL, image.path("url").asText());
        assertEquals("Stretch", image.path("size").asText());
        assertTrue(image.path("altText").asText().startsWith("Week of 1 Dec"));
        JsonNode inline = AdaptiveCards.card(MESSAGE, c -> "data:image/png;base64,iVBORw0KGgo=").path("body").get(2);
        assertEquals("data:image/png;base64,iVBORw0KGgo=", inline.path("url").asText());
    }
}
