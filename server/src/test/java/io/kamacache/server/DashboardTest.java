package io.kamacache.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.kamacache.Group;
import io.kamacache.codec.Codec;
import io.kamacache.config.KamaConfig;
import io.kamacache.testing.FreePorts;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Supplier;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * The dashboard in headless Chromium, served by real server nodes: what a person sees on it.
 * Each test keeps a screenshot of the page in {@code target/dashboard/}.
 */
class DashboardTest {

    private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    private static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
    private static final Path SCREENSHOTS = Path.of("target", "dashboard");
    /** How long the page may take to show what a test waits for: a few of its polls. */
    private static final Duration PATIENCE = Duration.ofSeconds(30);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final List<AutoCloseable> closing = new ArrayList<>();
    private ChromeDriver browser;

    @TempDir
    Path profile;

    @AfterEach
    void close() throws Exception {
        if (browser != null) {
            browser.quit();
        }
        for (int i = closing.size() - 1; i >= 0; i--) {
            closing.get(i).close();
        }
    }

    @Test
    void showsTheMembersTheGroupsLiveFiguresAndAKeysOwnerAndValue() throws Exception {
        List<String> addresses = List.of(FreePorts.loopbackAddress(), FreePorts.loopbackAddress(),
                FreePorts.loopbackAddress());
        String cluster = "cluster:\n  peers: [" + String.join(", ", addresses) + "]\nhttp:\n  port: 0\n";
        List<CacheServer> servers = new ArrayList<>();
        for (String address : addresses) {
            CacheServer server = CacheServer.start(KamaConfig.parse("node:\n  address: " + address + "\n" + cluster, address));
            closing.add(server);
            servers.add(server);
        }
        int port = servers.get(0).httpPort();
        // a group small enough to evict: each member keeps 20 of the 50 or so keys it owns
        assertThat(send(port, "POST", "/api/v1/groups", "{\"name\": \"pictures\", \"maxEntries\": 20}").statusCode())
                .isEqualTo(201);
        for (int i = 0; i < 150; i++) {
            assertThat(send(port, "PUT", "/api/v1/groups/pictures/keys/k" + i, "value of k" + i).statusCode()).isEqualTo(204);
        }
        for (int i = 0; i < 150; i++) { // hits for the keys kept, misses for the evicted
            send(servers.get(1).httpPort(), "GET", "/api/v1/groups/pictures/keys/k" + i, null);
        }

        browser = chromium();
        browser.get("http://127.0.0.1:" + port + "/");
        assertThat(browser.getCurrentUrl()).isEqualTo("http://127.0.0.1:" + port + HttpApi.DASHBOARD);

        // the members, each with its share of the ring, this node marked
        List<List<String>> members = await("three member rows", () -> {
            List<List<String>> rows = rows("members");
            return rows.size() == 3 ? rows : null;
        });
        assertThat(members).extracting(row -> row.get(0)).containsExactlyInAnyOrderElementsOf(addresses);
        assertThat(members.stream().mapToDouble(row -> percent(row.get(1))).sum()).isCloseTo(100.0, within(0.3));
        assertThat(members).allSatisfy(row -> assertThat(percent(row.get(1))).isBetween(15.0, 50.0));
        assertThat(members).filteredOn(row -> row.get(2).equals("this node")).extracting(row -> row.get(0))
                .containsExactly(addresses.get(0));
        assertThat(browser.findElement(By.id("node")).getText()).contains(addresses.get(0));

        // throughput: gets per second between two polls, while something reads
        Instant deadline = Instant.now().plus(PATIENCE);
        int reads = 0;
        while (!groupRow().get(4).matches("[1-9][0-9.,]*/s|0\\.[0-9]*[1-9][0-9]*/s")) {
            assertThat(Instant.now()).as("a throughput above zero is shown while keys are read").isBefore(deadline);
            send(servers.get(2).httpPort(), "GET", "/api/v1/groups/pictures/keys/k" + (reads++ % 150), null);
        }

        // once nothing reads any more, the figures are the cluster's sums, as the API gives them
        JsonNode sums = await("the group's figures as the API gives them", () -> {
            JsonNode api = clusterCounters(port);
            List<String> row = groupRow();
            return row.get(2).equals(String.format(Locale.ROOT, "%.1f%%", 100 * api.get("hitRatio").asDouble()))
                    && row.get(3).equals(String.format(Locale.ROOT, "%,d", api.get("gets").asLong()))
                    && row.get(5).equals(String.format(Locale.ROOT, "%,d", api.get("evictions").asLong()))
                    && row.get(6).equals(String.format(Locale.ROOT, "%,d", api.get("entries").asLong())) ? api : null;
        });
        assertThat(sums.get("entries").asLong()).as("each member keeps 20").isEqualTo(60);
        assertThat(sums.get("evictions").asLong()).isEqualTo(90);
        assertThat(sums.get("hits").asLong()).isPositive();
        assertThat(sums.get("misses").asLong()).isPositive();
        assertThat(groupRow().get(1)).isEqualTo("lru");

        // the charts: a drawn line for the group, and its latest figure under each
        String hitRatio = groupRow().get(2);
        for (String chart : List.of("hitRatio", "throughput", "evictions", "bytes")) {
            await("a line drawn on the " + chart + " chart", () -> linePixels(chart) > 30 ? true : null);
            String latest = browser.findElement(By.cssSelector("#chart-" + chart + " .latest")).getText();
            assertThat(latest).as(chart).startsWith("pictures ");
        }
        assertThat(browser.findElement(By.cssSelector("#chart-hitRatio .latest")).getText())
                .isEqualTo("pictures " + hitRatio);
        assertThat(browser.findElement(By.cssSelector("#chart-evictions .latest")).getText()).isEqualTo("pictures 90");

        // a key's lookup: its owner, the member that holds it, and its value
        Map<String, String> holders = holders(servers, "pictures");
        String key = holders.keySet().stream().sorted().findFirst().orElseThrow();
        lookUp("pictures", key);
        await("the owner of " + key, () -> browser.findElement(By.id("lookup-result")).isDisplayed() ? true : null);
        assertThat(browser.findElement(By.id("lookup-owner")).getText()).isEqualTo(holders.get(key));
        assertThat(browser.findElement(By.id("lookup-value")).getText()).isEqualTo("value of " + key);
        screenshot("dashboard.png");

        lookUp("pictures", "nothing-here");
        String error = await("the answer for a missing key", () -> {
            WebElement shown = browser.findElement(By.id("lookup-error"));
            return shown.isDisplayed() ? shown.getText() : null;
        });
        assertThat(error).startsWith("no key 'nothing-here' in group 'pictures' (its owner is ")
                .containsAnyOf(addresses.toArray(String[]::new));
        assertThat(browser.findElement(By.id("lookup-result")).isDisplayed()).isFalse();
    }

    @Test
    void withAClusterTokenThePageAsksForItAndKeepsItForTheSession() throws Exception {
        String address = FreePorts.loopbackAddress();
        CacheServer server = CacheServer.start(KamaConfig.parse("node:\n  address: " + address
                + "\ncluster:\n  token: s3cret-t0ken\nhttp:\n  port: 0\n", "token"));
        closing.add(server);

        browser = chromium();
        browser.get("http://127.0.0.1:" + server.httpPort() + HttpApi.DASHBOARD);
        WebElement reason = browser.findElement(By.id("token-reason"));
        await("the token form", () -> reason.isDisplayed() ? true : null);
        assertThat(reason.getText()).contains("this cluster needs a token");
        assertThat(rows("members")).isEmpty();

        giveToken("guess");
        await("the refusal of a wrong token", () -> reason.isDisplayed() && reason.getText().contains("not this cluster's")
                ? true : null);

        giveToken("s3cret-t0ken");
        List<List<String>> members = await("the member row", () -> {
            List<List<String>> rows = rows("members");
            return rows.isEmpty() ? null : rows;
        });
        assertThat(members).containsExactly(List.of(address, "100.0%", "this node"));
        assertThat(rows("groups")).singleElement().asList().singleElement().asString().startsWith("No groups yet");
        assertThat(browser.findElement(By.id("charts")).isDisplayed()).as("no charts without a group").isFalse();
        assertThat(browser.findElement(By.id("token-form")).isDisplayed()).isFalse();
        assertThat(browser.executeScript("return [sessionStorage.length, localStorage.length]")).isEqualTo(List.of(1L, 0L));
        screenshot("dashboard-token.png");
    }

    /** Chromium as the machine has it, on a fresh profile; Selenium downloads nothing. */
    private ChromeDriver chromium() {
        assertThat(CHROMIUM).as("the dashboard's test needs Chromium: apt-get install chromium chromium-driver")
                .isExecutable();
        assertThat(CHROMEDRIVER).as("the dashboard's test needs ChromeDriver: apt-get install chromium-driver")
                .isExecutable();
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM.toFile());
        options.addArguments("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--user-data-dir=" + profile);
        ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(CHROMEDRIVER.toFile())
                .usingAnyFreePort().withTimeout(PATIENCE).build();
        ChromeDriver driver = new ChromeDriver(service, options);
        driver.manage().timeouts().pageLoadTimeout(PATIENCE).scriptTimeout(Duration.ofSeconds(10));
        driver.manage().window().setSize(new Dimension(1280, 1500));
        return driver;
    }

    /** Polls {@code what} until it gives something other than null, at most {@link #PATIENCE}. */
    private static <T> T await(String what, Supplier<T> probe) throws InterruptedException {
        Instant deadline = Instant.now().plus(PATIENCE);
        while (true) {
            T seen = probe.get();
            if (seen != null) {
                return seen;
            }
            assertThat(Instant.now()).as("the page shows %s within %s", what, PATIENCE).isBefore(deadline);
            Thread.sleep(200);
        }
    }

    /** The visible text of a table's cells, row by row, read at once (each poll redraws the tables). */
    @SuppressWarnings("unchecked")
    private List<List<String>> rows(String table) {
        return (List<List<String>>) browser.executeScript("return [...document.querySelectorAll('#' + arguments[0]"
                + " + ' tbody tr')].map(row => [...row.cells].map(cell => cell.innerText.trim()))", table);
    }

    /** The cells of the groups table's row of "pictures". */
    private List<String> groupRow() {
        List<List<String>> rows = rows("groups");
        assertThat(rows).extracting(row -> row.get(0)).containsExactly("pictures");
        return rows.get(0);
    }

    private static double percent(String text) {
        assertThat(text).matches("[0-9]+\\.[0-9]%");
        return Double.parseDouble(text.substring(0, text.length() - 1));
    }

    /** How many pixels of the first series' colour (#1f77b4) a chart's canvas shows. */
    private long linePixels(String chart) {
        Object count = browser.executeScript("""
                const canvas = document.querySelector('#chart-' + arguments[0] + ' canvas');
                if (!canvas) return 0;
                const pixels = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
                let count = 0;
                for (let i = 0; i < pixels.length; i += 4) {
                  if (Math.abs(pixels[i] - 0x1f) < 40 && Math.abs(pixels[i + 1] - 0x77) < 40
                      && Math.abs(pixels[i + 2] - 0xb4) < 40 && pixels[i + 3] > 200) count++;
                }
                return count;""", chart);
        return (Long) count;
    }

    private void lookUp(String group, String key) {
        browser.findElement(By.cssSelector("#lookup-group option[value='" + group + "']")).click();
        WebElement field = browser.findElement(By.id("lookup-key"));
        field.clear();
        field.sendKeys(key);
        browser.findElement(By.cssSelector("#lookup button")).click();
    }

    private void giveToken(String token) {
        WebElement field = browser.findElement(By.id("token"));
        field.clear();
        field.sendKeys(token);
        browser.findElement(By.cssSelector("#token-form button")).click();
    }

    private void screenshot(String name) throws IOException {
        Files.createDirectories(SCREENSHOTS);
        Path taken = browser.getScreenshotAs(OutputType.FILE).toPath();
        Path kept = Files.move(taken, SCREENSHOTS.resolve(name), StandardCopyOption.REPLACE_EXISTING);
        assertThat(Files.size(kept)).as("a screenshot of the page").isGreaterThan(10_000);
    }

    /** Each String key of {@code group} that a member holds, with that member's address. */
    static Map<String, String> holders(List<CacheServer> servers, String group) {
        Codec codec = Codec.create(List.of(), DashboardTest.class.getClassLoader());
        Map<String, String> holders = new HashMap<>();
        for (CacheServer server : servers) {
            server.manager().getCache(group).unwrap(Group.class).store()
                    .forEach((key, value) -> holders.put((String) codec.decode(key), server.address()));
        }
        return holders;
    }

    private JsonNode clusterCounters(int port) {
        try {
            HttpResponse<String> group = send(port, "GET", "/api/v1/groups/pictures", null);
            assertThat(group.statusCode()).isEqualTo(200);
            return JSON.readTree(group.body()).get("cluster");
        } catch (IOException e) {
            throw new AssertionError("GET /api/v1/groups/pictures failed: " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }

    private HttpResponse<String> send(int port, String method, String path, String body)
            throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(10))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body))
                .build(), HttpResponse.BodyHandlers.ofString());
    }
}
