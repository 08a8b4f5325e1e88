package io.tickstream.support;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

/** Debian's headless Chromium, driven through chromedriver: a real browser for the dashboard page. */
public final class Chromium {

    private Chromium() {
    }

    /**
     * Starts a headless browser with its profile in {@code profile}; the caller quits it.
     *
     * @param extraArguments more command-line switches (e.g. {@code --ignore-certificate-errors} for a
     *                       test's self-signed certificate)
     */
    public static WebDriver start(Path profile, String... extraArguments) {
        String chromium = External.require("chromium");
        String chromedriver = External.require("chromedriver");
        ChromeOptions options = new ChromeOptions();
        options.setBinary(chromium);
        options.addArguments("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--disable-dev-shm-usage", "--window-size=1400,1000", "--user-data-dir=" + profile);
        options.addArguments(List.of(extraArguments));
        // the page's console, for tests that assert it logged no error (driver.manage().logs())
        options.setCapability("goog:loggingPrefs", Map.of("browser", "ALL"));
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(Path.of(chromedriver).toFile()).usingAnyFreePort().build();
        return new ChromeDriver(service, options);
    }
}
