package dev.yardstick.chat.preview;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebDriverException;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.Select;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The preview page in headless Chromium (Debian's {@code chromium} and {@code chromedriver}): what a
 * newcomer sees on the first run with {@code YARDSTICK_DEMO=true}. Without a browser on the machine
 * the test is skipped, unless {@code YARDSTICK_REQUIRE_BROWSER=1} (set by {@code .ci/run}) makes that
 * a failure.
 */
@QuarkusTest
@TestProfile(PreviewMode.class)
class PreviewBrowserTest {

    private static final Path CHROMIUM = Path.of(env("CHROME_BIN", "/usr/bin/chromium"));
    private static final Path CHROMEDRIVER = Path.of(env("CHROMEDRIVER", "/usr/bin/chromedriver"));
    private static final List<String> PEOPLE = List.of("Lena Fischer", "Amir Haddad", "Joana Silva", "Tobias Weber",
            "Mei Tanaka", "Oskar Nilsson", "Priya Raman", "Carlos Mendez", "Sam Okafor", "Hana Kim", "Leo Martin",
            "Aisha Bello", "Grace Obi", "Daniel Roth", "Sofia Costa", "Ivan Petrov", "Nora Lind");

    WebDriver browser;

    private static String env(String name, String fallback) {
        String v = System.getenv(name);
        return v == null || v.isBlank() ? fallback : v;
    }

    @BeforeEach
    void startBrowser() {
        boolean present = Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER);
        if (!present && "1".equals(System.getenv("YARDSTICK_REQUIRE_BROWSER"))) {
            throw new IllegalStateException("YARDSTICK_REQUIRE_BROWSER=1 but no " + CHROMIUM + " and " + CHROMEDRIVER);
        }
        Assumptions.assumeTrue(present,
                "No Chromium: install Debian's chromium and chromium-driver to run the browser test");
        ChromeOptions options = new ChromeOptions().setBinary(CHROMIUM.toFile()).addArguments("--headless=new",
                "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage", "--window-size=1300,1600");
        ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(CHROMEDRIVER.toFile())
                .usingAnyFreePort().build();
        browser = new ChromeDriver(service, options);
    }

    @AfterEach
    void stopBrowser() {
        if (browser != null) {
            browser.quit();
        }
    }

    @Test
    void aNewcomerSeesTheDemoDigestsChartsAndPrivateReplies() {
        // the service's random test port (TestHTTPResource would add the servlet context path)
        String preview = "http://localhost:" + io.restassured.RestAssured.port + "/preview";
        browser.get(preview);
        assertEquals("Yardstick · message preview", browser.getTitle(), preview + ": " + browser.getPageSource());
        String header = browser.findElement(By.tagName("header")).getText();
        assertTrue(header.contains("No Slack or Teams credentials are set"), header);

        // destinations: the three team channels and the manager asked for budget
        List<String> destinations = browser.findElements(By.cssSelector("nav li a")).stream()
                .map(WebElement::getText).toList();
        assertTrue(destinations.containsAll(List.of("#payments · Payments channel", "#mobile · Mobile channel",
                "#platform · Platform channel")), destinations.toString());
        assertTrue(destinations.stream().anyMatch(d -> d.startsWith("Direct messages to Carlos Mendez")),
                destinations.toString());

        // one team's channel: its digest, one message with its chart in it, drawn and described
        browser.findElement(By.linkText("#mobile · Mobile channel")).click();
        List<WebElement> messages = browser.findElements(By.cssSelector("main article"));
        assertEquals(1, messages.size(), "the digest, its chart inside");
        WebElement digest = messages.get(0);
        String text = digest.getText();
        assertTrue(text.contains("Mobile · AI use, week of"), text);
        for (String label : List.of("Spend", "Shipped", "Cost per shipped item", "Model mix", "Runaway-agent alerts")) {
            assertTrue(text.contains(label), label + " in " + text);
        }
        assertTrue(text.contains("$900"), "spend against the budget: " + text);
        assertTrue(text.contains("Team totals only. Individual numbers are private"), text);
        WebElement chart = digest.findElement(By.tagName("img"));
        assertTrue(chart.isDisplayed());
        assertEquals(800, loaded(chart), "the PNG decoded in the browser");
        assertTrue(chart.getAttribute("src").contains("/images/"), "by its signed path: " + chart.getAttribute("src"));
        assertTrue(chart.getAttribute("alt").startsWith("Over the last 8 weeks, weekly spend went from"));
        assertTrue(chart.getAttribute("alt").contains("The weekly budget is"), "with the budget line");
        screenshot(chart, "preview-digest-chart.png");
        for (WebElement m : messages) {
            for (String person : PEOPLE) {
                assertFalse(m.getText().contains(person), "a channel message names " + person);
            }
        }

        // the manager's direct message: the budget request, with its buttons
        browser.get(preview);
        browser.findElement(By.partialLinkText("Direct messages to Carlos Mendez")).click();
        String dm = browser.findElement(By.tagName("main")).getText();
        assertTrue(dm.contains("Budget request from Hana Kim"), dm);
        assertEquals(List.of("Approve", "Deny"), browser.findElements(By.cssSelector("main .buttons button")).stream()
                .map(WebElement::getText).toList());
        // the buttons are plain forms: approving shows the request's card as edited, for the manager
        browser.findElement(By.xpath("//main//button[text()='Approve']")).click();
        new WebDriverWait(browser, Duration.ofSeconds(10)).ignoring(WebDriverException.class)
                .until(b -> b.findElement(By.tagName("main")).getText()
                        .contains("edited: replaces an earlier message"));

        // running ai-spend as someone: a private reply that only they see
        new Select(browser.findElement(By.name("member"))).selectByVisibleText("Aisha Bello");
        WebElement command = browser.findElement(By.name("text"));
        command.clear();
        command.sendKeys("me");
        browser.findElement(By.cssSelector("form.try button")).click();
        new WebDriverWait(browser, Duration.ofSeconds(10)) // the page reloads under the wait
                .ignoring(WebDriverException.class)
                .until(b -> b.findElement(By.tagName("main")).getText().contains("Your AI use this week"));
        WebElement answer = browser.findElement(By.cssSelector("main article"));
        String reply = answer.getText();
        assertTrue(reply.startsWith("Private reply, seen only by Aisha Bello"), reply);
        assertTrue(reply.contains("Only you can see this"), reply);
        // her own last 8 weeks as a picture, at the signed URL Slack and Teams would fetch
        WebElement own = answer.findElement(By.tagName("img"));
        assertTrue(own.getAttribute("alt").startsWith("Your spend and shipped work per week"), own.getAttribute("alt"));
        assertTrue(own.getAttribute("src").contains("/images/"), own.getAttribute("src"));
        assertEquals(800, loaded(own), "the personal chart decoded in the browser");
        ((JavascriptExecutor) browser).executeScript("arguments[0].scrollIntoView(true);", own);
        assertTrue(screenshot(answer, "preview-personal-chart.png") > 10_000,
                "a screenshot of the reply with its chart");
    }

    /** Saves a screenshot of the element in {@code target/}; returns its size in bytes. */
    private static int screenshot(WebElement element, String name) {
        byte[] shot = element.getScreenshotAs(OutputType.BYTES);
        try {
            Files.createDirectories(Path.of("target"));
            Files.write(Path.of("target", name), shot);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return shot.length;
    }

    /** The image's natural width once the browser has loaded it (0 while it has not, or could not). */
    private int loaded(WebElement img) {
        JavascriptExecutor js = (JavascriptExecutor) browser;
        new WebDriverWait(browser, Duration.ofSeconds(10))
                .until(b -> Boolean.TRUE.equals(js.executeScript("return arguments[0].complete;", img)));
        return ((Number) js.executeScript("return arguments[0].naturalWidth;", img)).intValue();
    }
}
